"""The exit check (POST /exits/check on the exit pages' blueprint): run the automatic exit triggers now over the
user's villages. The triggers read attendance marks, so the route is attendance's; the exit pages link to it."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.attendance import exit_triggers
from portal.core.access import Role, require_role, scoped
from portal.extensions import db
from portal.places.models import Village
from portal.posts.exits import service as exits
from portal.posts.exits.forms import ActionForm
from portal.posts.exits.views import bp


@bp.post("/exits/check")
@login_required
@require_role(Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
def check():
    if not ActionForm().validate_on_submit():
        return redirect(url_for("exit_pages.index"))
    # the user's villages: the clerk's own, the township's, or the county admin's whole county
    village_ids = list(db.session.execute(scoped(select(Village.id), Village, current_user)).scalars())
    created = exit_triggers.propose_from_triggers(exits.county_today(), village_ids)
    return render_template("posts/exit_check.html", created=created)
