"""The audit pages: the audit log (county auditors and admins, with a check of the hash chain) here; running the
audit in audit.run_views, the findings in audit.finding_views, the thresholds and budgets in
audit.settings_views (imported at the end, all on the `audit` blueprint of audit.pages)."""

from __future__ import annotations

from flask import render_template, request
from flask_login import login_required

from portal.accounts.forms import ConfirmForm
from portal.audit.labels import action_label, entity_label
from portal.audit.pages import bp
from portal.core.access import Role, require_role
from portal.core.auditlog import AuditEntry, verify_chain
from portal.extensions import db


@bp.route("/log", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN)
def log():
    """The audit log, readable: filters, each change field by field, links to the records; the chain's check."""
    from flask_login import current_user

    from portal.audit import log_queries

    page = min(max(1, request.args.get("page", 1, type=int)), 1_000_000)
    f = log_queries.filter_from_args(request.args)
    stmt = log_queries.log_stmt(f)
    total, size = log_queries.count(stmt), 50
    rows = db.session.execute(stmt.order_by(AuditEntry.seq.desc()).limit(size).offset((page - 1) * size)
                              ).scalars().all()
    form = ConfirmForm()
    result = verify_chain() if form.validate_on_submit() else None
    return render_template("audit/log.html", rows=rows, action_label=action_label, entity_label=entity_label,
                           page=page, pages=max(1, -(-total // size)), total=total, f=f, form=form, result=result,
                           q=log_queries, actors=log_queries.actor_choices(), entities=log_queries.entity_choices(),
                           villages=log_queries.village_choices(current_user.county_id))


from portal.audit import finding_views, home, run_views, settings_views  # noqa: E402, F401  (routes, home items)
