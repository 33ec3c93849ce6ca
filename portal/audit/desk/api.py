"""API v1 of the auditor's desk: field-check samples (draw, read), the check of a drawn line, and the
county-wide search. County auditors and admins read; only the auditor draws and checks (the service
refuses others with 403). The search takes its query in the POST body — a resident ID never travels in a
URL — and is written to the audit log. IDs, accounts and phones are masked in every answer."""

from __future__ import annotations

from flask import abort, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from portal.api.core import token_required
from portal.api.schemas import ID_PATH, PageArgs, error_responses, text_field
from portal.audit.desk import search
from portal.audit.sampling import service as sampling
from portal.audit.sampling.models import AuditSample
from portal.audit.sampling.rules import CONFIDENCE_LEVELS, MAX_MARGIN, SEED_LIMIT, Method
from portal.core.access import COUNTY_ROLES, Role
from portal.core.masking import mask_account, mask_id, mask_phone
from portal.extensions import db

MONEY_DOC = {"type": "string", "format": "decimal", "example": "600.00"}
TOTAL_HEADER = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "Rows in all pages"}}

blp = Blueprint("api_audit_desk", __name__, url_prefix="/api/v1/audit",
                description="The auditor's desk: field-check samples (抽查), checks and the county-wide search")


def _money() -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, metadata=MONEY_DOC)


class DeskEstimateSchema(Schema):
    faulty = fields.Integer()
    checked = fields.Integer()
    share = fields.Float(metadata={"description": "faulty ÷ checked"})
    low = fields.Float(metadata={"description": "Wilson score interval, lower bound"})
    high = fields.Float(metadata={"description": "Wilson score interval, upper bound"})
    confidence = fields.Float(metadata={"description": "confidence level, percent"})


class DeskProgressSchema(Schema):
    drawn = fields.Integer()
    checked = fields.Integer()
    failed = fields.Integer()
    estimate = fields.Nested(DeskEstimateSchema, allow_none=True)


class DeskSampleSchema(Schema):
    id = fields.Integer()
    period = fields.String(metadata={"description": "2026-10 (a month) or 2026-Q4 (a quarter)"})
    method = fields.String(metadata={"description": "percent | confidence"})
    percent = fields.Integer(allow_none=True)
    confidence = fields.Integer(allow_none=True)
    margin = fields.Integer(allow_none=True)
    population = fields.Integer(metadata={"description": "approved and paid duty lines of the period"})
    size = fields.Integer()
    seed = fields.Integer(metadata={"description": "the same seed over the same lines draws the same sample"})
    formula = fields.String()
    drawn_by = fields.Integer(allow_none=True)
    drawn_at = fields.DateTime()
    progress = fields.Function(lambda s: DeskProgressSchema().dump(sampling.progress(s)),
                               metadata={"type": "object"})


class DeskSampleLineSchema(Schema):
    id = fields.Integer(attribute="line.id")
    sample_id = fields.Integer(attribute="line.sample_id")
    payroll_line_id = fields.Integer(attribute="line.payroll_line_id")
    payroll_id = fields.Integer(attribute="payroll.id")
    township = fields.String()
    village = fields.String()
    person_name = fields.String(attribute="payroll_line.person_name")
    id_number = fields.Function(lambda v: mask_id(v.payroll_line.id_number), metadata={"type": "string"})
    year = fields.Integer(attribute="payroll.year")
    month = fields.Integer(attribute="payroll.month")
    amount = fields.Decimal(as_string=True, places=2, attribute="payroll_line.amount", metadata=MONEY_DOC)
    bank_account = fields.Function(lambda v: mask_account(v.payroll_line.bank_account), metadata={"type": "string"})
    on_duty_confirmed = fields.Boolean(attribute="line.on_duty_confirmed", allow_none=True)
    amount_matches = fields.Boolean(attribute="line.amount_matches", allow_none=True)
    account_is_own = fields.Boolean(attribute="line.account_is_own", allow_none=True)
    note = fields.String(attribute="line.note")
    checked_by = fields.Integer(attribute="line.checked_by", allow_none=True)
    checked_at = fields.DateTime(attribute="line.checked_at", allow_none=True)
    finding_id = fields.Integer(attribute="line.finding_id", allow_none=True,
                                metadata={"description": "the field_check finding a failed check opened"})


class DeskSampleDetailSchema(DeskSampleSchema):
    lines = fields.Function(lambda s: DeskSampleLineSchema(many=True).dump(sampling.line_views(s)),
                            metadata={"type": "array", "items": {"type": "object"}})


class DeskDrawSchema(Schema):
    period = text_field(10, required=True, metadata={"description": "2026-10 or 2026-Q4", "example": "2026-10"})
    method = fields.String(required=True, validate=validate.OneOf([m.value for m in Method]))
    percent = fields.Integer(validate=validate.Range(min=1, max=100),
                             metadata={"description": "percent method; the county setting when left out"})
    confidence = fields.Integer(validate=validate.OneOf(CONFIDENCE_LEVELS), load_default=95)
    margin = fields.Integer(validate=validate.Range(min=1, max=MAX_MARGIN), load_default=5)
    seed = fields.Integer(validate=validate.Range(min=1, max=SEED_LIMIT),
                          metadata={"description": "repeat an earlier draw; a new seed when left out"})


class DeskCheckSchema(Schema):
    on_duty_confirmed = fields.Boolean(allow_none=True, load_default=None, metadata={"description": "本人确认在岗"})
    amount_matches = fields.Boolean(allow_none=True, load_default=None, metadata={"description": "金额相符"})
    account_is_own = fields.Boolean(allow_none=True, load_default=None, metadata={"description": "账户为本人"})
    note = text_field(2000, load_default="", metadata={"description": "required when a check fails"})


class DeskSearchSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in search.Kind]))
    query = text_field(40, required=True, metadata={"description": "the full resident ID (18), the whole account "
                                                                   "or phone number, or part of a name"})


class DeskPersonSchema(Schema):
    id = fields.Integer(attribute="person.id")
    name = fields.String(attribute="person.name")
    id_number = fields.Function(lambda h: mask_id(h.person.id_number), metadata={"type": "string"})
    phone = fields.Function(lambda h: mask_phone(h.person.phone), metadata={"type": "string"})
    bank_account = fields.Function(lambda h: mask_account(h.person.bank_account), metadata={"type": "string"})
    village = fields.String()
    township = fields.String()
    household_id = fields.Integer(attribute="household.id")
    household_number = fields.String(attribute="household.number")
    household_category = fields.String(attribute="household.category")
    is_cadre = fields.Boolean(attribute="person.is_cadre")
    deceased = fields.Boolean(attribute="person.deceased")
    appointments = fields.Function(lambda h: [
        {"id": a.id, "post_id": p.id, "post_title": p.title, "village": v, "state": a.state,
         "start_date": a.start_date.isoformat(), "end_date": a.end_date.isoformat()} for a, p, v in h.appointments],
        metadata={"type": "array", "items": {"type": "object"}})
    payroll_lines = fields.Function(lambda h: [
        {"id": line.id, "payroll_id": p.id, "year": p.year, "month": p.month, "village": v,
         "post_title": line.post_title, "amount": f"{line.amount:.2f}", "bank_account": mask_account(line.bank_account),
         "payroll_state": p.state} for line, p, v in h.lines], metadata={"type": "array", "items": {"type": "object"}})
    paid_total = fields.Decimal(as_string=True, places=2, metadata=MONEY_DOC)
    workshops = fields.Function(lambda h: [
        {"workshop_id": w.id, "workshop": w.name, "hire_date": e.hire_date.isoformat(),
         "leave_date": e.leave_date.isoformat() if e.leave_date else None} for e, w in h.employment],
        metadata={"type": "array", "items": {"type": "object"}})
    relations = fields.Function(lambda h: [
        {"person_id": o.id, "name": o.name, "kind": r.kind, "is_cadre": cadre} for r, o, cadre in h.relations],
        metadata={"type": "array", "items": {"type": "object"}})
    findings = fields.Function(lambda h: [_finding(f) for f in h.findings],
                               metadata={"type": "array", "items": {"type": "object"}})


def _finding(f) -> dict:
    return {"id": f.id, "detector": f.detector, "period": f.period_key, "state": f.state,
            "amount_at_stake": f"{f.amount_at_stake:.2f}"}


class DeskSearchResultSchema(Schema):
    kind = fields.String()
    query = fields.String(attribute="shown_query", metadata={"description": "the query, masked"})
    truncated = fields.Boolean()
    people = fields.List(fields.Nested(DeskPersonSchema))
    account_findings = fields.Function(lambda r: [_finding(f) for f in r.account_findings],
                                       metadata={"type": "array", "items": {"type": "object"}})


_responses = error_responses(blp, {401: "Missing or invalid token", 403: "Role may not do this",
                                   404: "No such sample or line in your county",
                                   409: "The check already opened a finding",
                                   422: "Refused by the sampling rules, or invalid input"}, 401, 403, 404, 409, 422)


def _county_user():
    if getattr(g.api_user, "role", None) not in COUNTY_ROLES:
        abort(403)
    return g.api_user


@blp.route("/samples")
@token_required
@blp.arguments(PageArgs, location="query")
@blp.response(200, DeskSampleSchema(many=True), headers=TOTAL_HEADER)
@error_responses(blp, {401: "Missing or invalid token", 403: "Role may not do this"}, 401, 403)
def list_samples(args):
    """The county's field-check samples, newest first, with their progress; total in X-Total-Count."""
    user = _county_user()
    stmt = select(AuditSample).where(AuditSample.county_id == user.county_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(stmt.order_by(AuditSample.id.desc()).limit(args["per_page"])
                              .offset((args["page"] - 1) * args["per_page"])).scalars().all()
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route("/samples", methods=["POST"])
@token_required
@blp.arguments(DeskDrawSchema)
@blp.response(201, DeskSampleDetailSchema)
@_responses
def draw_sample(args):
    """The county auditor draws a stratified sample of a month's or a quarter's paid lines (seed stored)."""
    user = _county_user()
    sample = sampling.draw_sample(user, args["period"], args["method"], percent=args.get("percent"),
                                  confidence=args["confidence"], margin=args["margin"], seed=args.get("seed"))
    return sample, 201


@blp.route(f"/samples/<{ID_PATH}:sample_id>")
@token_required
@blp.response(200, DeskSampleDetailSchema)
@error_responses(blp, {401: "Missing or invalid token", 403: "Role may not do this",
                       404: "No such sample in your county"}, 401, 403, 404)
def get_sample(sample_id: int):
    """One sample with its lines and their checks (IDs and accounts masked)."""
    return sampling.get_sample_or_404(sample_id, _county_user())


@blp.route(f"/sample-lines/<{ID_PATH}:line_id>/check", methods=["POST"])
@token_required
@blp.arguments(DeskCheckSchema)
@blp.response(200, DeskSampleLineSchema)
@_responses
def check_line(args, line_id: int):
    """The county auditor records a line's door-to-door check; any false opens a field_check finding."""
    user = _county_user()
    line = sampling.get_line_or_404(line_id, user)
    if user.role != Role.COUNTY_AUDITOR:
        abort(403)
    sampling.record_check(user, line, args["on_duty_confirmed"], args["amount_matches"], args["account_is_own"],
                          args["note"])
    return sampling.line_view(line)


@blp.route("/search", methods=["POST"])
@token_required
@blp.arguments(DeskSearchSchema)
@blp.response(200, DeskSearchResultSchema)
@error_responses(blp, {401: "Missing or invalid token", 403: "Role may not do this",
                       422: "The query cannot match anything of its kind"}, 401, 403, 422)
def search_county(args):
    """Everything about the people a resident ID, account, phone or name finds (audited; values masked)."""
    return search.search(_county_user(), args["kind"], args["query"])


BLUEPRINTS = [blp]
