"""The audit log, read by county auditors and admins, with a check of the hash chain."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import func, select

from portal.accounts.forms import ConfirmForm
from portal.audit.labels import action_label, entity_label
from portal.core.access import Role, require_role
from portal.core.auditlog import AuditEntry, verify_chain
from portal.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/log", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN)
def log():
    page = max(1, request.args.get("page", 1, type=int))
    entity = request.args.get("entity", "").strip()
    actor = request.args.get("actor", "").strip()
    stmt = select(AuditEntry)
    if entity:
        stmt = stmt.where(AuditEntry.entity_type == entity)
    if actor:
        stmt = stmt.where(AuditEntry.actor_name == actor)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    size = 50
    rows = db.session.execute(
        stmt.order_by(AuditEntry.seq.desc()).limit(size).offset((page - 1) * size)
    ).scalars().all()
    form = ConfirmForm()
    result = verify_chain() if form.validate_on_submit() else None
    return render_template("audit/log.html", rows=rows, action_label=action_label, entity_label=entity_label,
                           page=page, pages=max(1, -(-total // size)),
                           total=total, entity=entity, actor=actor, form=form, result=result)
