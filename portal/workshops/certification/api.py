"""API v1 of workshops and their aided employees (certification, 就业帮扶车间认定)."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields, validate
from sqlalchemy.orm import selectinload

from portal.api.core import token_required
from portal.api.schemas import ID_PATH, ErrorSchema, PageArgs, choice_field, id_field, text_field
from portal.core.access import get_scoped_or_404
from portal.core.clock import county_today
from portal.core.masking import mask_id
from portal.places.models import Village
from portal.registry.service import page_of
from portal.workshops import queries
from portal.workshops.api import (
    DAYS,
    MONTH_DOC,
    TOTAL_HEADER,
    _count,
    _day,
    _money_in,
    _money_out,
    _month_text,
    _read,
    _responses,
    _With,
    _workshop,
    blp,
)
from portal.workshops.certification import service
from portal.workshops.checks import LIMITS, WorkshopData
from portal.workshops.models import Workshop, WorkshopEmployee
from portal.workshops.rules import ExitCondition, Run, WorkshopState

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


# ---- workshops ------------------------------------------------------------------------------------

def _run(run: Run) -> dict:
    return {"condition": str(run.condition), "started": _month_text(run.started), "last": _month_text(run.last),
            "months": run.months, "needed": run.needed, "met": run.met, "met_in": _month_text(run.met_in)}


def _detail(workshop_id: int) -> _With:
    workshop = _workshop(workshop_id)
    today = county_today()
    found = queries.monitoring_of(workshop, today)
    monitoring = {"state": str(found.state), "last_month": _month_text(found.last),
                  "ongoing": [_run(r) for r in found.ongoing], "met": [_run(r) for r in found.met]}
    open_exit = queries.open_exit(workshop.id)
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
