"""API v1 of a workshop's monthly reports (月调度)."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields

from portal.api.core import token_required
from portal.api.schemas import ID_PATH, PageArgs, text_field
from portal.core.clock import county_today
from portal.workshops import queries
from portal.workshops.api import (
    MONTH_PATH,
    TOTAL_HEADER,
    YEAR_PATH,
    _count,
    _money_in,
    _money_out,
    _read,
    _responses,
    _workshop,
    blp,
)
from portal.workshops.checks import MAX_NOTE, ReportData
from portal.workshops.reports import service


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
    aided = len(queries.aided_employees(workshop, year, month))
    return {"year": year, "month": month, "aided": aided, "reported": True, "report": report}
