"""API v1 of employment-aid workshops (就业帮扶车间, Rule 5): workshops, their aided employees, monthly reports
(月调度), annual assessments (年度考核, 梯次奖补) and exits (摘牌).

Every rule is the service's (portal.workshops.service); the API shapes input and output only.
- Reading follows the user's scope: another place's workshop, employee, assessment or exit is 404, exactly
  like a missing one. A role that may not act gets 403 `not_allowed`; a refusal of Rule 5 422 with every
  refused field under `error.fields`; an illegal move 422 `illegal_move`; a lost race or a second
  approval 409.
- Resident ID numbers are masked. Money is a decimal string ("2600.00"), never a float. Months are
  written YYYY-MM. Dates are the county's (Asia/Shanghai) today.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.api.core import token_required
from portal.api.schemas import ID_PATH, ErrorSchema, PageArgs, choice_field, error_responses, id_field, text_field
from portal.core.access import get_scoped_or_404, scoped
from portal.core.clock import county_today
from portal.core.masking import mask_id
from portal.extensions import db
from portal.places.models import Village
from portal.registry.models import Person
from portal.registry.service import page_of
from portal.workshops import service
from portal.workshops.assessments import MAX_REFERENCE
from portal.workshops.checks import LIMITS, MAX_NOTE, ReportData, WorkshopData
from portal.workshops.models import Assessment, Workshop, WorkshopEmployee, WorkshopExit
from portal.workshops.rules import (
    MAX_EMPLOYEES,
    AssessmentState,
    Classification,
    ExitCondition,
    ExitState,
    Run,
    WorkshopState,
)

TOTAL_HEADER = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "Rows in all pages"}}
MONEY_DOC = {"type": "string", "format": "decimal", "example": "2600.00"}
MONTH_DOC = {"type": "string", "description": "YYYY-MM", "example": "2026-10"}
FIRST_YEAR, LAST_YEAR = 2000, 2100  # the service's own bounds on years
YEARS = validate.Range(min=FIRST_YEAR, max=LAST_YEAR)
DAYS = validate.Range(min=date(FIRST_YEAR, 1, 1), max=date(LAST_YEAR, 12, 31))
MONEY_LIMIT = Decimal("1e12")  # far above any amount the service accepts: it refuses those in its own words
YEAR_PATH = f"int(min={FIRST_YEAR}, max={LAST_YEAR})"
MONTH_PATH = "int(min=1, max=12)"

blp = Blueprint("api_workshops", __name__, url_prefix="/api/v1",
                description="Employment-aid workshops (就业帮扶车间): reports, monitoring, rewards, exits")


# ---- fields ---------------------------------------------------------------------------------------

def _money_out(description: str = "") -> fields.Decimal:
    extra = {"description": description} if description else {}
    return fields.Decimal(as_string=True, places=2, metadata=MONEY_DOC | extra)


def _sane_amount(value: Decimal) -> None:
    """A finite amount of reasonable size; whole fen, sign and limits are the service's to judge."""
    if not value.is_finite() or abs(value) > MONEY_LIMIT:
        raise ValidationError(_("Enter an amount in yuan, such as 2600.00."))


def _money_in(**kwargs) -> fields.Decimal:
    return fields.Decimal(validate=_sane_amount, metadata=MONEY_DOC, **kwargs)


def _count(**kwargs) -> fields.Integer:
    """A head count: a JSON integer (not a string, not a fraction)."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_EMPLOYEES), **kwargs)


def _day(**kwargs) -> fields.Date:
    return fields.Date(validate=DAYS, **kwargs)


def _month_text(month: tuple[int, int] | None) -> str | None:
    return f"{month[0]:04d}-{month[1]:02d}" if month else None


class _With:
    """A record with a few computed values beside its columns, for one response."""

    def __init__(self, record, **extra):
        self._record = record
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._record, name)


# ---- schemas: workshops ---------------------------------------------------------------------------

class WorkshopSchema(Schema):
    id = fields.Integer()
    village_id = fields.Integer()
    village_name = fields.String(attribute="village.name")
    township_name = fields.String(attribute="village.township.name")
    name = fields.String()
    enterprise = fields.String(metadata={"description": "the operating enterprise"})
    credit_code = fields.String(metadata={"description": "unified social credit code (统一社会信用代码)"})
    address = fields.String()
    industry = fields.String()
    certified_on = fields.Date()
    entered_on = fields.Date(metadata={"description": "the day it was entered: monitoring starts no earlier"})
    accident_insurance = fields.Boolean(metadata={"description": "accident insurance for the employees"})
    other_employees = fields.Integer(metadata={"description": "employees not in the labour register"})
    state = choice_field(WorkshopState, metadata={"description": "normal 正常运行, watch 监测待处置, exiting, "
                                                                 "exited 已退出 (摘牌)"})
    watch_condition = fields.String(validate=validate.OneOf(["", *(c.value for c in ExitCondition)]),
                                    metadata={"description": "the exit condition that started first (empty: none)"})
    watch_since = fields.Date(allow_none=True, metadata={"description": "first day of that condition's first month"})
    exited_on = fields.Date(allow_none=True, metadata={"description": "first day no longer a workshop"})


class WorkshopRunSchema(Schema):
    condition = choice_field(ExitCondition)
    started = fields.String(metadata=MONTH_DOC | {"description": "the run's first month (YYYY-MM)"})
    last = fields.String(metadata=MONTH_DOC | {"description": "the run's last month so far (YYYY-MM)"})
    months = fields.Integer(metadata={"description": "consecutive months so far"})
    needed = fields.Integer(metadata={"description": "months that meet the condition (county setting)"})
    met = fields.Boolean(metadata={"description": "the run reached its length: an exit is due"})
    met_in = fields.String(allow_none=True, metadata=MONTH_DOC | {"description": "the month it was met"})


class WorkshopMonitoringSchema(Schema):
    state = choice_field(WorkshopState, metadata={"description": "normal or watch, as the reports say"})
    last_month = fields.String(allow_none=True, metadata=MONTH_DOC | {"description": "the last month evaluated"})
    ongoing = fields.List(fields.Nested(WorkshopRunSchema),
                          metadata={"description": "conditions still running, the one that started first first"})
    met = fields.List(fields.Nested(WorkshopRunSchema), metadata={"description": "every run that reached its length"})


class WorkshopDetailSchema(WorkshopSchema):
    monitoring = fields.Nested(WorkshopMonitoringSchema)
    aided_now = fields.Integer(metadata={"description": "aided employees on record today"})
    open_exit_id = fields.Integer(allow_none=True, metadata={"description": "the exit under way, if any"})


class WorkshopListArgs(PageArgs):
    state = choice_field(WorkshopState)
    village_id = id_field()


class WorkshopFieldsSchema(Schema):
    name = text_field(LIMITS["name"], required=True)
    enterprise = text_field(LIMITS["enterprise"], required=True)
    credit_code = text_field(40, required=True, metadata={"description": "18 characters, checked (GB 32100)",
                                                          "example": "91422825000000001X"})
    address = text_field(LIMITS["address"], required=True)
    industry = text_field(LIMITS["industry"], required=True)
    certified_on = _day(required=True)
    accident_insurance = fields.Boolean(load_default=False)
    other_employees = _count(load_default=0)


class WorkshopCreateSchema(WorkshopFieldsSchema):
    village_id = id_field(required=True)


# ---- schemas: employees and reports ---------------------------------------------------------------

class WorkshopEmployeeSchema(Schema):
    id = fields.Integer()
    workshop_id = fields.Integer()
    person_id = fields.Integer()
    person_name = fields.String(attribute="person.name")
    id_number = fields.Function(lambda row: mask_id(row.person.id_number), metadata={"type": "string"})
    person_village = fields.String(attribute="person.household.village.name")
    hire_date = fields.Date()
    leave_date = fields.Date(allow_none=True, metadata={"description": "the last day at work (null: still employed)"})
    monthly_wage = _money_out("yuan a month")


class WorkshopEmployeeListArgs(PageArgs):
    on = fields.Date(validate=DAYS, metadata={"description": "only those employed on this day"})


class WorkshopEmployeeCreateSchema(Schema):
    person_id = id_field(required=True, metadata={"description": "a person of the county's labour register"})
    hire_date = _day(required=True)
    leave_date = _day(allow_none=True, load_default=None, metadata={"description": "the last day at work"})
    monthly_wage = _money_in(required=True)


class WorkshopEmployeeChangeSchema(Schema):
    hire_date = _day(required=True)
    leave_date = _day(required=True, allow_none=True, metadata={"description": "the last day at work (null: "
                                                                                "still employed)"})
    monthly_wage = _money_in(required=True)


class WorkshopEmployeeEndSchema(Schema):
    leave_date = _day(required=True, metadata={"description": "the last day at work"})


class WorkshopReportSchema(Schema):
    id = fields.Integer()
    operating = fields.Boolean(metadata={"description": "false: halted (停工停产)"})
    total_employees = fields.Integer()
    wages_paid = _money_out()
    output_value = _money_out()
    violation = fields.Boolean(metadata={"description": "a violation of laws or regulations found (违法违规)"})
    violation_note = fields.String()
    filed_by = fields.Integer()
    filed_at = fields.DateTime()
    updated_by = fields.Integer(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class WorkshopMonthSchema(Schema):
    year = fields.Integer()
    month = fields.Integer()
    aided = fields.Integer(metadata={"description": "aided employees on record at the month's end"})
    reported = fields.Boolean()
    report = fields.Nested(WorkshopReportSchema, allow_none=True)


class WorkshopReportInputSchema(Schema):
    operating = fields.Boolean(required=True, metadata={"description": "false: halted (停工停产)"})
    total_employees = _count(required=True)
    wages_paid = _money_in(required=True)
    output_value = _money_in(required=True)
    violation = fields.Boolean(load_default=False)
    violation_note = text_field(MAX_NOTE, load_default="", metadata={"description": "required with a violation"})


# ---- schemas: assessments ---------------------------------------------------------------------------

class WorkshopPersonSchema(Schema):
    person_id = fields.Integer()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})


class WorkshopAssessmentSchema(Schema):
    id = fields.Integer()
    workshop_id = fields.Integer()
    workshop_name = fields.String(attribute="workshop.name")
    village_id = fields.Integer()
    year = fields.Integer()
    stable_aided = fields.Integer(metadata={"description": "aided employees employed 6 months or more of the year"})
    level = fields.Integer(metadata={"description": "tier level: 0 none, 1 the lowest tier ..."})
    previous_level = fields.Integer(allow_none=True, metadata={"description": "last year's level (null: none)"})
    reward = _money_out("yuan for the year")
    classification = choice_field(Classification, metadata={"description": "new 新建一批, upgraded 升级一批, "
                                                                           "supported 扶持一批, adjusted 调整一批, "
                                                                           "steady 稳定运行"})
    in_watch = fields.Boolean()
    condition_met = fields.Boolean()
    withheld = fields.Boolean(metadata={"description": "exited within the year: no reward"})
    tier_table = fields.String(metadata={"description": "the county's tier table used (stable:yuan, ...)"})
    state = choice_field(AssessmentState)
    computed_by = fields.Integer(allow_none=True)
    computed_at = fields.DateTime()
    approved_by = fields.Integer(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    approved_on = fields.Date(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    bank_reference = fields.String()
    paid_by = fields.Integer(allow_none=True)
    paid_recorded_at = fields.DateTime(allow_none=True)


class WorkshopAssessmentDetailSchema(WorkshopAssessmentSchema):
    stable_employees = fields.List(fields.Nested(WorkshopPersonSchema),
                                   metadata={"description": "the stable aided employees as computed"})


class WorkshopAssessmentListArgs(PageArgs):
    year = fields.Integer(required=True, validate=YEARS)
    workshop_id = id_field()
    state = choice_field(AssessmentState)


class WorkshopComputeSchema(Schema):
    year = fields.Integer(required=True, strict=True, validate=YEARS, metadata={"description": "an ended year"})


class WorkshopPaymentSchema(Schema):
    paid_on = _day(required=True)
    bank_reference = text_field(MAX_REFERENCE, required=True)


# ---- schemas: exits -------------------------------------------------------------------------------

class WorkshopExitSchema(Schema):
    id = fields.Integer()
    workshop_id = fields.Integer()
    workshop_name = fields.String(attribute="workshop.name")
    village_id = fields.Integer()
    condition = choice_field(ExitCondition)
    started_in = fields.Date(allow_none=True, metadata={"description": "first day of the monitored run's first month"})
    met_in = fields.Date(allow_none=True, metadata={"description": "first day of the month the run was met"})
    reason = fields.String()
    evidence = fields.String()
    proposed_by = fields.Integer(allow_none=True, metadata={"description": "null: proposed by the portal"})
    proposed_on = fields.Date()
    state = choice_field(ExitState)
    notice_start = fields.Date(allow_none=True, metadata={"description": "the delisting notice (摘牌公示) from"})
    notice_end = fields.Date(allow_none=True, metadata={"description": "the notice's last day"})
    published_by = fields.Integer(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()
    effective_on = fields.Date(allow_none=True, metadata={"description": "the first day no longer a workshop"})


class WorkshopExitDetailSchema(WorkshopExitSchema):
    followup = fields.List(fields.Nested(WorkshopEmployeeSchema),
                           metadata={"description": "aided employees the exit leaves without this work"})


class WorkshopExitListArgs(PageArgs):
    state = choice_field(ExitState)
    workshop_id = id_field()


class WorkshopExitProposeSchema(Schema):
    workshop_id = id_field(required=True)
    condition = choice_field(ExitCondition, required=True)
    reason = text_field(MAX_NOTE, required=True)
    evidence = text_field(MAX_NOTE, load_default="")


class WorkshopExitApproveSchema(Schema):
    effective_on = _day(required=True, metadata={"description": "the first day no longer a workshop (today or later)"})
    note = text_field(MAX_NOTE, load_default="")


class WorkshopExitRejectSchema(Schema):
    note = text_field(MAX_NOTE, required=True)


_responses = error_responses(blp, {401: "Missing or invalid token", 403: "Role may not do this",
                                   404: "Not in your scope, or no such record",
                                   409: "Already exists, already done, or changed meanwhile",
                                   422: "Refused by Rule 5, or an illegal move"}, 401, 403, 404, 409, 422)


def _read(blp_view):
    """The error answers of a read: no token, not in scope."""
    blp_view = blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such record")(blp_view)
    return blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")(blp_view)


# ---- workshops ------------------------------------------------------------------------------------

def _workshop(workshop_id: int) -> Workshop:
    return get_scoped_or_404(Workshop, workshop_id, g.api_user)


def _run(run: Run) -> dict:
    return {"condition": str(run.condition), "started": _month_text(run.started), "last": _month_text(run.last),
            "months": run.months, "needed": run.needed, "met": run.met, "met_in": _month_text(run.met_in)}


def _detail(workshop_id: int) -> _With:
    workshop = _workshop(workshop_id)
    today = county_today()
    found = service.monitoring_of(workshop, today)
    monitoring = {"state": str(found.state), "last_month": _month_text(found.last),
                  "ongoing": [_run(r) for r in found.ongoing], "met": [_run(r) for r in found.met]}
    open_exit = service.open_exit(workshop.id)
    return _With(workshop, monitoring=monitoring, aided_now=len(service.employees_on(workshop, today)),
                 open_exit_id=open_exit.id if open_exit else None)


def _workshop_data(args: dict) -> WorkshopData:
    return WorkshopData(name=args["name"], enterprise=args["enterprise"], credit_code=args["credit_code"],
                        address=args["address"], industry=args["industry"], certified_on=args["certified_on"],
                        accident_insurance=args["accident_insurance"], other_employees=args["other_employees"])


@blp.route("/workshops")
@token_required
@blp.arguments(WorkshopListArgs, location="query")
@blp.response(200, WorkshopSchema(many=True), headers=TOTAL_HEADER)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_workshops(args):
    """Workshops the user may see (their village, township or county), by village and name; filter by state
    or village; paginated, total in X-Total-Count."""
    stmt = service.workshops_query(g.api_user, args.get("state", ""), args.get("village_id")).options(
        selectinload(Workshop.village).selectinload(Village.township))
    rows, total = page_of(stmt, args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route("/workshops", methods=["POST"])
@token_required
@blp.arguments(WorkshopCreateSchema)
@blp.response(201, WorkshopDetailSchema)
@_responses
def certify(args):
    """The county admin certifies a workshop (就业帮扶车间认定) in a village of the county; the credit code is
    checked and may be held by one workshop only."""
    village = get_scoped_or_404(Village, args["village_id"], g.api_user)
    workshop = service.certify(g.api_user, village.id, _workshop_data(args), today=county_today())
    return _detail(workshop.id), 201


@blp.route(f"/workshops/<{ID_PATH}:workshop_id>")
@token_required
@blp.response(200, WorkshopDetailSchema)
@_read
def get_workshop(workshop_id: int):
    """One workshop with its monitoring: the state, which exit condition started when, the runs met."""
    return _detail(workshop_id)


@blp.route(f"/workshops/<{ID_PATH}:workshop_id>", methods=["PUT"])
@token_required
@blp.arguments(WorkshopFieldsSchema)
@blp.response(200, WorkshopDetailSchema)
@_responses
def update_workshop(args, workshop_id: int):
    """The county admin corrects a workshop's fields (its village stays); not once it has exited."""
    service.update_workshop(g.api_user, _workshop(workshop_id), _workshop_data(args), today=county_today())
    return _detail(workshop_id)


# ---- employees ------------------------------------------------------------------------------------

def _employee(employee_id: int) -> WorkshopEmployee:
    return get_scoped_or_404(WorkshopEmployee, employee_id, g.api_user)


@blp.route(f"/workshops/<{ID_PATH}:workshop_id>/employees")
@token_required
@blp.arguments(WorkshopEmployeeListArgs, location="query")
@blp.response(200, WorkshopEmployeeSchema(many=True), headers=TOTAL_HEADER)
@_read
def list_employees(args, workshop_id: int):
    """The workshop's aided employees (employment records, IDs masked), earliest hire first; `on` keeps those
    employed on a day; paginated, total in X-Total-Count."""
    workshop = _workshop(workshop_id)
    rows = service.employees_on(workshop, args.get("on"))
    start = (args["page"] - 1) * args["per_page"]
    return rows[start:start + args["per_page"]], 200, {"X-Total-Count": str(len(rows))}


@blp.route(f"/workshops/<{ID_PATH}:workshop_id>/employees", methods=["POST"])
@token_required
@blp.arguments(WorkshopEmployeeCreateSchema)
@blp.response(201, WorkshopEmployeeSchema)
@_responses
def add_employee(args, workshop_id: int):
    """The village clerk, the township reviewer or the county admin links a registered person as an aided
    employee; refused when they work in another workshop on any of those days."""
    row = service.add_employee(g.api_user, _workshop(workshop_id), args["person_id"], args["hire_date"],
                               args["monthly_wage"], args["leave_date"], today=county_today())
    return _employee(row.id), 201


@blp.route(f"/workshop-employees/<{ID_PATH}:employee_id>")
@token_required
@blp.response(200, WorkshopEmployeeSchema)
@_read
def get_employee(employee_id: int):
    """One employment record (ID masked)."""
    return _employee(employee_id)


@blp.route(f"/workshop-employees/<{ID_PATH}:employee_id>", methods=["PUT"])
@token_required
@blp.arguments(WorkshopEmployeeChangeSchema)
@blp.response(200, WorkshopEmployeeSchema)
@_responses
def change_employee(args, employee_id: int):
    """Correct an employment record (hire date, leave date, wage) under the same rules as adding it."""
    service.change_employee(g.api_user, _employee(employee_id), args["hire_date"], args["leave_date"],
                            args["monthly_wage"], today=county_today())
    return _employee(employee_id)


@blp.route(f"/workshop-employees/<{ID_PATH}:employee_id>/end", methods=["POST"])
@token_required
@blp.arguments(WorkshopEmployeeEndSchema)
@blp.response(200, WorkshopEmployeeSchema)
@_responses
def end_employee(args, employee_id: int):
    """The employee left: the leave date is the last day at work (they may start elsewhere the day after)."""
    service.end_employee(g.api_user, _employee(employee_id), args["leave_date"], today=county_today())
    return _employee(employee_id)


# ---- monthly reports ------------------------------------------------------------------------------

def _month_row(row) -> dict:
    return {"year": row.month[0], "month": row.month[1], "aided": row.aided, "reported": row.report is not None,
            "report": row.report}


@blp.route(f"/workshops/<{ID_PATH}:workshop_id>/reports")
@token_required
@blp.arguments(PageArgs, location="query")
@blp.response(200, WorkshopMonthSchema(many=True), headers=TOTAL_HEADER)
@_read
def list_reports(args, workshop_id: int):
    """Every month of the workshop from certification to now (or its exit), oldest first: the aided employees
    on record beside the report (null: not filed); paginated, total in X-Total-Count."""
    rows = service.month_rows(_workshop(workshop_id), county_today())
    start = (args["page"] - 1) * args["per_page"]
    return [_month_row(r) for r in rows[start:start + args["per_page"]]], 200, {"X-Total-Count": str(len(rows))}


@blp.route(f"/workshops/<{ID_PATH}:workshop_id>/reports/<{YEAR_PATH}:year>/<{MONTH_PATH}:month>", methods=["PUT"])
@token_required
@blp.arguments(WorkshopReportInputSchema)
@blp.response(200, WorkshopMonthSchema)
@_responses
def file_report(args, workshop_id: int, year: int, month: int):
    """The village clerk (or the township reviewer) files the month's report (月调度), or files it again; the
    aided employees come from the records and the monitoring is refreshed at once."""
    workshop = _workshop(workshop_id)
    data = ReportData(operating=args["operating"], total_employees=args["total_employees"],
                      wages_paid=args["wages_paid"], output_value=args["output_value"], violation=args["violation"],
                      violation_note=args["violation_note"])
    today = county_today()
    report = service.file_report(g.api_user, workshop, year, month, data, today=today)
    workshop = _workshop(workshop_id)
    aided = len(service.aided_employees(workshop, year, month))
    return {"year": year, "month": month, "aided": aided, "reported": True, "report": report}


# ---- assessments ----------------------------------------------------------------------------------

def _assessment(assessment_id: int) -> _With:
    row = get_scoped_or_404(Assessment, assessment_id, g.api_user)
    ids = [int(p) for p in row.stable_person_ids.split(",") if p.strip().isdigit()]
    people = {p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(ids))).scalars()} if ids else {}
    stable = [{"person_id": i, "name": people[i].name, "id_number": mask_id(people[i].id_number)}
              for i in ids if i in people]
    return _With(row, stable_employees=stable)


@blp.route("/workshop-assessments")
@token_required
@blp.arguments(WorkshopAssessmentListArgs, location="query")
@blp.response(200, WorkshopAssessmentSchema(many=True), headers=TOTAL_HEADER)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_assessments(args):
    """The year's assessments the user may see, by village and workshop; paginated, total in X-Total-Count."""
    stmt = scoped(select(Assessment), Assessment, g.api_user).join(Workshop).where(
        Assessment.year == args["year"]).options(selectinload(Assessment.workshop))
    if "workshop_id" in args:
        stmt = stmt.where(Assessment.workshop_id == args["workshop_id"])
    if "state" in args:
        stmt = stmt.where(Assessment.state == args["state"])
    stmt = stmt.order_by(Assessment.village_id, Workshop.name, Assessment.id)
    rows, total = page_of(stmt, args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route("/workshop-assessments/compute", methods=["POST"])
@token_required
@blp.arguments(WorkshopComputeSchema)
@blp.response(200, WorkshopAssessmentSchema(many=True))
@_responses
def compute(args):
    """The county admin computes an ended year's assessment of every workshop of the county (stable aided
    employees, tier, reward, classification); assessments still `computed` are computed again."""
    return service.compute_year(g.api_user, args["year"], today=county_today())


@blp.route(f"/workshop-assessments/<{ID_PATH}:assessment_id>")
@token_required
@blp.response(200, WorkshopAssessmentDetailSchema)
@_read
def get_assessment(assessment_id: int):
    """One assessment with its stable aided employees as computed (IDs masked)."""
    return _assessment(assessment_id)


@blp.route(f"/workshop-assessments/<{ID_PATH}:assessment_id>/approve", methods=["POST"])
@token_required
@blp.response(200, WorkshopAssessmentDetailSchema)
@_responses
def approve_assessment(assessment_id: int):
    """The county admin approves the year's reward: its figures, and the year's records, are final."""
    service.approve_assessment(g.api_user, _assessment(assessment_id)._record, today=county_today())
    return _assessment(assessment_id)


@blp.route(f"/workshop-assessments/<{ID_PATH}:assessment_id>/payment", methods=["POST"])
@token_required
@blp.arguments(WorkshopPaymentSchema)
@blp.response(200, WorkshopAssessmentDetailSchema)
@_responses
def record_payment(args, assessment_id: int):
    """The county admin records that an approved reward was paid: the day and the bank's reference."""
    service.record_payment(g.api_user, _assessment(assessment_id)._record, args["paid_on"], args["bank_reference"],
                           today=county_today())
    return _assessment(assessment_id)


# ---- exits ----------------------------------------------------------------------------------------

def _exit(exit_id: int) -> WorkshopExit:
    return get_scoped_or_404(WorkshopExit, exit_id, g.api_user)


def _exit_detail(exit_id: int) -> _With:
    exit = _exit(exit_id)
    return _With(exit, followup=service.followup(exit, county_today()))


@blp.route("/workshop-exits")
@token_required
@blp.arguments(WorkshopExitListArgs, location="query")
@blp.response(200, WorkshopExitSchema(many=True), headers=TOTAL_HEADER)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_exits(args):
    """Workshop exits the user may see (history included), newest first; paginated, total in X-Total-Count."""
    stmt = scoped(select(WorkshopExit), WorkshopExit, g.api_user).options(selectinload(WorkshopExit.workshop))
    if "state" in args:
        stmt = stmt.where(WorkshopExit.state == args["state"])
    if "workshop_id" in args:
        stmt = stmt.where(WorkshopExit.workshop_id == args["workshop_id"])
    rows, total = page_of(stmt.order_by(WorkshopExit.id.desc()), args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route("/workshop-exits", methods=["POST"])
@token_required
@blp.arguments(WorkshopExitProposeSchema)
@blp.response(201, WorkshopExitDetailSchema)
@_responses
def propose_exit(args):
    """The township reviewer (or the county admin) proposes a workshop's exit, saying why."""
    workshop = _workshop(args["workshop_id"])
    proposal = service.propose_exit(g.api_user, workshop, args["condition"], args["reason"], args["evidence"],
                                    today=county_today())
    return _exit_detail(proposal.id), 201


@blp.route(f"/workshop-exits/<{ID_PATH}:exit_id>")
@token_required
@blp.response(200, WorkshopExitDetailSchema)
@_read
def get_exit(exit_id: int):
    """One exit, with the aided employees it leaves without this work (for follow-up; IDs masked)."""
    return _exit_detail(exit_id)


@blp.route(f"/workshop-exits/<{ID_PATH}:exit_id>/publish", methods=["POST"])
@token_required
@blp.response(200, WorkshopExitDetailSchema)
@_responses
def publish_notice(exit_id: int):
    """The township reviewer (or the county admin) posts the delisting notice (摘牌公示) on the village board
    from today, for the county's notice working days."""
    service.publish_notice(g.api_user, _exit(exit_id), today=county_today())
    return _exit_detail(exit_id)


@blp.route(f"/workshop-exits/<{ID_PATH}:exit_id>/approve", methods=["POST"])
@token_required
@blp.arguments(WorkshopExitApproveSchema)
@blp.response(200, WorkshopExitDetailSchema)
@_responses
def approve_exit(args, exit_id: int):
    """The county admin approves after the notice has ended (never their own proposal), effective on a day
    from today on; a day that has come exits the workshop at once."""
    service.approve_exit(g.api_user, _exit(exit_id), args["effective_on"], args["note"], today=county_today())
    return _exit_detail(exit_id)


@blp.route(f"/workshop-exits/<{ID_PATH}:exit_id>/reject", methods=["POST"])
@token_required
@blp.arguments(WorkshopExitRejectSchema)
@blp.response(200, WorkshopExitDetailSchema)
@_responses
def reject_exit(args, exit_id: int):
    """The county admin turns a proposal down before approval, saying why; the workshop resumes."""
    service.reject_exit(g.api_user, _exit(exit_id), args["note"], today=county_today())
    return _exit_detail(exit_id)


BLUEPRINTS = [blp]
