"""API v1 of the county audit (县级审计): runs of the detectors and the findings they raise, answered by the
township and closed by the county auditor.

Every rule is the audit service's (portal.audit.findings): one run per county at a time (409 while one goes),
whole months that have begun, at most 36 (422); a finding is answered by a reviewer of its township and closed
by the county auditor with an amount recovered no larger than the amount at stake. A run started here executes
inside the request and answers with its counts. Findings are scoped like the pages: the county roles see the
county's, a township reviewer its township's, a clerk none (403); another township's finding is a 404. Facts
and evidence hold masked personal data only (an account as 622588******1234).
"""

from __future__ import annotations

import re
from decimal import Decimal

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from portal.api.core import token_required
from portal.api.schemas import ID_PATH, ErrorSchema, PageArgs, choice_field, error_responses, id_field, text_field
from portal.audit import findings as service
from portal.audit import queries, runs
from portal.audit.detectors import MODULES
from portal.audit.models import AuditRun, Finding
from portal.audit.rules import Decision, FindingState, Month, Severity
from portal.core.access import COUNTY_ROLES, Role
from portal.core.clock import county_today
from portal.core.errors import NotAllowed

MONTH_RE = re.compile(r"(20[0-9]{2}|2100)-(0[1-9]|1[0-2])")
MONTH_DOC = {"type": "string", "pattern": f"^{MONTH_RE.pattern}$", "example": "2026-01"}
MONEY_DOC = {"type": "string", "format": "decimal", "example": "600.00"}
TOTAL_HEADER = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "Rows in all pages"}}
LARGEST_AMOUNT = Decimal("1000000000")

blp = Blueprint("api_audit", __name__, url_prefix="/api/v1/audit",
                description="County audit (县级审计): detector runs and findings")


def _month(value: str) -> None:
    if not isinstance(value, str) or not MONTH_RE.fullmatch(value):
        raise ValidationError("a month as YYYY-MM")


def _month_field(description: str, **kwargs) -> fields.String:
    return fields.String(validate=_month, metadata=MONTH_DOC | {"description": description}, **kwargs)


def _amount(value: Decimal) -> None:
    if not value.is_finite() or abs(value) > LARGEST_AMOUNT:
        raise ValidationError("an amount of yuan up to 1000000000")


def _money_out() -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, metadata=MONEY_DOC)


# ---- schemas -----------------------------------------------------------------------------------------


class AuditRunCountSchema(Schema):
    name = fields.String(metadata={"description": "the detector's name in the reader's language"})
    hits = fields.Integer()
    new = fields.Integer(metadata={"description": "findings raised by this run"})
    refreshed = fields.Integer(metadata={"description": "open findings whose evidence this run changed"})
    seconds = fields.Float()


class AuditRunSchema(Schema):
    id = fields.Integer()
    state = fields.String(validate=validate.OneOf(["running", "done", "failed"]))
    first_month = fields.String(metadata=MONTH_DOC)
    last_month = fields.String(metadata=MONTH_DOC)
    detectors = fields.List(fields.String())
    done_count = fields.Integer(metadata={"description": "detectors finished"})
    total = fields.Integer(metadata={"description": "detectors in the run"})
    counts = fields.Dict(keys=fields.String(), values=fields.Nested(AuditRunCountSchema),
                         metadata={"description": "per detector code"})
    error = fields.String()
    started_by = fields.Integer(allow_none=True, metadata={"description": "null: the system actor (cron)"})
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)


class AuditRunCreateSchema(Schema):
    from_ = _month_field("the first month", required=True, data_key="from")
    to = _month_field("the last month (it must have begun)", required=True)
    detectors = fields.List(fields.String(validate=validate.OneOf(MODULES)), validate=validate.Length(max=50),
                            metadata={"description": "detector codes; empty or absent: all"})


class AuditFindingSchema(Schema):
    id = fields.Integer()
    detector = fields.String()
    detector_name = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    period_key = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    period_label = fields.String()
    township_id = fields.Integer(allow_none=True)
    township_name = fields.String()
    village_id = fields.Integer(allow_none=True)
    village_name = fields.String()
    severity = choice_field(Severity)
    amount_at_stake = _money_out()
    state = choice_field(FindingState)
    response = fields.String()
    action_taken = fields.String()
    responded_by = fields.Integer(allow_none=True)
    responded_at = fields.DateTime(allow_none=True)
    decision = fields.String(metadata={"description": "confirmed or dismissed once closed, else empty"})
    amount_recovered = fields.Decimal(as_string=True, places=2, allow_none=True,
                                      metadata=MONEY_DOC | {"nullable": True})
    close_note = fields.String()
    closed_by = fields.Integer(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    days_open = fields.Integer(metadata={"description": "days since raised, until closed"})


class AuditFindingDetailSchema(AuditFindingSchema):
    evidence = fields.String(metadata={"description": "the detector's sentence, in the reader's language"})
    facts = fields.Dict(metadata={"description": "what the sentence is made from: masked personal data and the "
                                                 "ids of the records named"})


class AuditFindingListArgs(PageArgs):
    detector = fields.String(validate=validate.OneOf(MODULES))
    township_id = id_field()
    village_id = id_field()
    state = choice_field(FindingState)
    severity = choice_field(Severity)
    period_from = _month_field("findings whose period reaches this month or later")
    period_to = _month_field("findings whose period starts by this month")


class AuditRespondSchema(Schema):
    response = text_field(service.MAX_TEXT, required=True, metadata={"description": "the township's explanation"})
    action_taken = text_field(service.MAX_TEXT, required=True)


class AuditCloseSchema(Schema):
    decision = choice_field(Decision, required=True)
    amount_recovered = fields.Decimal(required=True, validate=_amount,
                                      metadata=MONEY_DOC | {"description": "0 or more, at most the amount at stake"})
    note = text_field(service.MAX_TEXT, required=True)


_responses = error_responses(blp, {401: "Missing or invalid token", 403: "Role may not do this",
                                   404: "Not in your scope, or no such record",
                                   409: "A run is going, or the finding changed meanwhile",
                                   422: "A bad period, an unknown detector, or refused by the rules"},
                             401, 403, 404, 409, 422)


def _read(view):
    for code, text in ((404, "Not in your scope, or no such record"), (403, "Role may not do this"),
                       (401, "Missing or invalid token")):
        view = blp.alt_response(code, schema=ErrorSchema, description=text)(view)
    return view


# ---- shaping -----------------------------------------------------------------------------------------


def _runner(user) -> None:
    if getattr(user, "role", None) not in COUNTY_ROLES:
        raise NotAllowed(_("Only the county auditor and the county admin run the audit."))


def _reader(user) -> None:
    if getattr(user, "role", None) not in (*COUNTY_ROLES, Role.TOWNSHIP_REVIEWER):
        raise NotAllowed(_("Your role may not see audit findings."))


def _run(run: AuditRun) -> dict:
    counts = runs.run_counts(run)
    codes = queries.run_codes(run)
    return {"id": run.id, "state": run.state, "first_month": str(Month.of(run.first_month)),
            "last_month": str(Month.of(run.last_month)), "detectors": codes, "done_count": run.done_count,
            "total": len(codes), "error": run.error or "", "started_by": run.started_by,
            "started_at": run.started_at, "finished_at": run.finished_at,
            "counts": {code: {**c, "name": queries.detector_name(code)} for code, c in counts.items()}}


COLUMNS = ("id", "detector", "subject_type", "subject_id", "period_key", "period_start", "period_end",
           "township_id", "village_id", "severity", "amount_at_stake", "state", "response", "action_taken",
           "responded_by", "responded_at", "decision", "amount_recovered", "close_note", "closed_by", "closed_at",
           "created_at")


def _findings(rows: list[Finding], detail: bool = False) -> list[dict]:
    villages, townships = queries.place_names(rows)
    today = county_today()
    out = []
    for f in rows:
        row = {name: getattr(f, name) for name in COLUMNS}
        row.update(detector_name=queries.detector_name(f.detector), village_name=villages.get(f.village_id, ""),
                   township_name=townships.get(f.township_id, ""), days_open=queries.days_open(f, today),
                   period_label=queries.period_label(f.period_start, f.period_end))
        if detail:
            row.update(evidence=service.evidence_of(f), facts=service.facts_of(f))
        out.append(row)
    return out


def _finding(finding_id: int) -> dict:
    _reader(g.api_user)
    return _findings([service.get_finding_or_404(finding_id, g.api_user)], detail=True)[0]


# ---- runs ----------------------------------------------------------------------------------------------


@blp.route("/runs")
@token_required
@blp.arguments(PageArgs, location="query")
@blp.response(200, AuditRunSchema(many=True), headers=TOTAL_HEADER)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.alt_response(403, schema=ErrorSchema, description="Role may not do this")
def list_runs(args):
    """The county's runs, newest first (county auditor and admin); paginated, total in X-Total-Count."""
    _runner(g.api_user)
    stmt = select(AuditRun).where(AuditRun.county_id == g.api_user.county_id).order_by(AuditRun.id.desc())
    rows, total = queries.page_of(stmt, args["page"], args["per_page"])
    return [_run(r) for r in rows], 200, {"X-Total-Count": str(total)}


@blp.route("/runs", methods=["POST"])
@token_required
@blp.arguments(AuditRunCreateSchema)
@blp.response(201, AuditRunSchema)
@_responses
def start_run(args):
    """Run all or chosen detectors over whole months from..to, inside this request; answers the run with its
    counts per detector. 409 while another run of the county goes; 422 for a bad period."""
    _runner(g.api_user)
    run = runs.run_audit(g.api_user, Month.parse(args["from_"]), Month.parse(args["to"]),
                            args.get("detectors") or None)
    return _run(run), 201


@blp.route(f"/runs/<{ID_PATH}:run_id>")
@token_required
@blp.response(200, AuditRunSchema)
@_read
def get_run(run_id: int):
    """One run of the county: its state, progress and counts per detector."""
    _runner(g.api_user)
    return _run(queries.get_run_or_404(run_id, g.api_user))


# ---- findings --------------------------------------------------------------------------------------------


@blp.route("/findings")
@token_required
@blp.arguments(AuditFindingListArgs, location="query")
@blp.response(200, AuditFindingSchema(many=True), headers=TOTAL_HEADER)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.alt_response(403, schema=ErrorSchema, description="Role may not do this")
def list_findings(args):
    """The findings the user may see, the most money at stake first, then the most severe; filter by detector,
    township, village, state, severity and period (findings whose period overlaps it); paginated."""
    _reader(g.api_user)
    f = queries.FindingFilter(detector=args.get("detector", ""), township_id=args.get("township_id"),
                              village_id=args.get("village_id"), state=args.get("state", ""),
                              severity=args.get("severity", ""), first=queries.month_or_none(args.get("period_from")),
                              last=queries.month_or_none(args.get("period_to")))
    rows, total = queries.page_of(queries.findings_stmt(g.api_user, f), args["page"], args["per_page"])
    return _findings(rows), 200, {"X-Total-Count": str(total)}


@blp.route(f"/findings/<{ID_PATH}:finding_id>")
@token_required
@blp.response(200, AuditFindingDetailSchema)
@_read
def get_finding(finding_id: int):
    """One finding with its evidence sentence and its facts."""
    return _finding(finding_id)


@blp.route(f"/findings/<{ID_PATH}:finding_id>/respond", methods=["POST"])
@token_required
@blp.arguments(AuditRespondSchema)
@blp.response(200, AuditFindingDetailSchema)
@_responses
def respond(args, finding_id: int):
    """A reviewer of the finding's township explains it and says what was done (again, to improve the answer)."""
    _reader(g.api_user)
    service.respond(g.api_user, service.get_finding_or_404(finding_id, g.api_user), args["response"],
                    args["action_taken"])
    return _finding(finding_id)


@blp.route(f"/findings/<{ID_PATH}:finding_id>/close", methods=["POST"])
@token_required
@blp.arguments(AuditCloseSchema)
@blp.response(200, AuditFindingDetailSchema)
@_responses
def close(args, finding_id: int):
    """The county auditor confirms or dismisses the finding, with the amount recovered (≤ the amount at stake)."""
    _reader(g.api_user)
    service.close(g.api_user, service.get_finding_or_404(finding_id, g.api_user), args["decision"],
                  args["amount_recovered"], args["note"])
    return _finding(finding_id)


BLUEPRINTS = [blp]
