"""The monitoring page (动态监测) on the workshop_pages blueprint: the workshops by state, the aided-employment chart
and the exits under way."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from portal.extensions import db
from portal.workshops import page_queries
from portal.workshops.pages import _place_filters, _today, bp


@bp.get("/monitoring")
@login_required
def monitoring():
    townships, township_id, _villages, _village = _place_filters()
    today = _today()
    rows = db.session.execute(page_queries.register(current_user, "", township_id)).scalars().all()
    groups = {s: [w for w in rows if w.state == s] for s in page_queries.STATES}
    months = page_queries.last_months(today)
    aided = page_queries.aided_by_month(current_user, months, township_id)
    return render_template("workshops/monitoring.html", groups=groups, townships=townships, township_id=township_id,
                           chart=page_queries.bar_chart(aided), months=months,
                           exits=page_queries.open_exits(w.id for w in groups["exiting"]), today=today)
