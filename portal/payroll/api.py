"""API v1 of payrolls (补贴发放表): list and read in scope, generate, and the workflow's moves.

Every rule is the service's (portal.payroll.service): generation only after the month ends and once per
village and month; submit locks the month's attendance; the approver is never the submitter; a paid
payroll never changes. ID numbers and bank accounts are masked here: the bank file is the one place
with full accounts. Another place's payroll is 404; a role that may not act 403; a lost race 409.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select

from portal.api.core import token_required
from portal.api.schemas import (
    ID_PATH,
    ErrorSchema,
    PageArgs,
    choice_field,
    error_responses,
    id_field,
    text_field,
)
from portal.core.access import get_scoped_or_404, scoped
from portal.core.masking import mask_account, mask_id
from portal.payroll import service
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.rules import PayrollState
from portal.places.models import Village
from portal.registry.service import page_of

MONEY_DOC = {"type": "string", "format": "decimal", "example": "800.00"}
TOTAL_HEADER = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "Rows in all pages"}}
YEARS = validate.Range(min=2000, max=2099)
MONTHS = validate.Range(min=1, max=12)

blp = Blueprint("api_payrolls", __name__, url_prefix="/api/v1",
                description="Monthly payrolls of public-welfare posts (补贴发放表)")


def _money(description: str = "") -> fields.Decimal:
    extra = {"description": description} if description else {}
    return fields.Decimal(as_string=True, places=2, metadata=MONEY_DOC | extra)


class LineSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "duty: pay for the month; adjustment: a correction"})
    appointment_id = fields.Integer()
    person_name = fields.String()
    id_number = fields.Function(lambda line: mask_id(line.id_number), metadata={"type": "string"})
    post_title = fields.String()
    bank_name = fields.String()
    bank_account = fields.Function(lambda line: mask_account(line.bank_account), metadata={"type": "string"})
    schedule = fields.String()
    subsidy = _money("S, yuan a month")
    required_days = fields.Integer(metadata={"description": "R"})
    duty_days = fields.Decimal(as_string=True, places=1, metadata={"type": "string", "description": "D"})
    window_days = fields.Integer(metadata={"description": "W: working days on the post"})
    month_days = fields.Integer(metadata={"description": "M: working days of the month"})
    present_days = fields.Integer()
    half_days = fields.Integer()
    leave_days = fields.Integer()
    absent_days = fields.Integer()
    amount = _money()
    adjusts_year = fields.Integer(allow_none=True)
    adjusts_month = fields.Integer(allow_none=True)
    reason = fields.String()


class PayrollSchema(Schema):
    id = fields.Integer()
    village_id = fields.Integer()
    village_name = fields.String(attribute="village.name")
    year = fields.Integer()
    month = fields.Integer()
    state = choice_field(PayrollState)
    line_count = fields.Integer()
    total = _money()
    required_days = fields.Integer(metadata={"description": "the month's working days (full-time R)"})
    submitted_by = fields.Integer(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    approved_on = fields.Date(allow_none=True)
    return_reason = fields.String()
    paid_on = fields.Date(allow_none=True)
    bank_reference = fields.String()


class PayrollDetailSchema(PayrollSchema):
    lines = fields.List(fields.Nested(LineSchema))


class ListArgs(PageArgs):
    village_id = id_field()
    year = fields.Integer(validate=YEARS)
    month = fields.Integer(validate=MONTHS)
    state = choice_field(PayrollState)


class GenerateSchema(Schema):
    village_id = id_field(required=True)
    year = fields.Integer(required=True, validate=YEARS)
    month = fields.Integer(required=True, validate=MONTHS)


class ReasonSchema(Schema):
    reason = text_field(2000, required=True)


class PaymentSchema(Schema):
    paid_on = fields.Date(required=True, validate=validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31)))
    bank_reference = text_field(service.MAX_REFERENCE, required=True)


def _adjustment_amount(value: Decimal) -> None:
    if not value.is_finite() or abs(value) > 1_000_000:
        raise ValidationError("from -1000000 to 1000000")


class AdjustmentSchema(Schema):
    appointment_id = id_field(required=True)
    adjusts_year = fields.Integer(required=True, validate=YEARS)
    adjusts_month = fields.Integer(required=True, validate=MONTHS)
    amount = fields.Decimal(required=True, places=2, validate=_adjustment_amount,
                            metadata=MONEY_DOC | {"description": "+ pays more, − recovers", "example": "-120.00"})
    reason = text_field(2000, required=True)


_responses = error_responses(blp, {401: "Missing or invalid token", 403: "Role may not do this",
                                   404: "Not in your scope, or no such payroll",
                                   409: "Already exists, or changed meanwhile",
                                   422: "Refused by Rule 3, or an illegal move"}, 401, 403, 404, 409, 422)


def _load(payroll_id: int) -> Payroll:
    return get_scoped_or_404(Payroll, payroll_id, g.api_user)


@blp.route("/payrolls")
@token_required
@blp.arguments(ListArgs, location="query")
@blp.response(200, PayrollSchema(many=True), headers=TOTAL_HEADER)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_payrolls(args):
    """Payrolls the user may see, newest month first; paginated, total in X-Total-Count."""
    stmt = scoped(select(Payroll), Payroll, g.api_user)
    for name in ("village_id", "year", "month", "state"):
        if name in args:
            stmt = stmt.where(getattr(Payroll, name) == args[name])
    stmt = stmt.order_by(Payroll.year.desc(), Payroll.month.desc(), Payroll.village_id)
    rows, total = page_of(stmt, args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route(f"/payrolls/<{ID_PATH}:payroll_id>")
@token_required
@blp.response(200, PayrollDetailSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such payroll")
def get_payroll(payroll_id: int):
    """One payroll with its lines (IDs and accounts masked)."""
    return _load(payroll_id)


@blp.route("/payrolls", methods=["POST"])
@token_required
@blp.arguments(GenerateSchema)
@blp.response(201, PayrollDetailSchema)
@_responses
def generate(args):
    """The village's clerk (or its township's reviewer) generates an ended month's payroll, once."""
    village = get_scoped_or_404(Village, args["village_id"], g.api_user)
    payroll = service.generate(g.api_user, village.id, args["year"], args["month"], service.county_today())
    return _load(payroll.id), 201


def _move(payroll_id: int, action, *args):
    payroll = _load(payroll_id)
    action(g.api_user, payroll, *args)
    return _load(payroll_id)


@blp.route(f"/payrolls/<{ID_PATH}:payroll_id>/recompute", methods=["POST"])
@token_required
@blp.response(200, PayrollDetailSchema)
@_responses
def recompute(payroll_id: int):
    """Recompute a draft or returned payroll from the current marks (adjustments kept)."""
    return _move(payroll_id, service.recompute)


@blp.route(f"/payrolls/<{ID_PATH}:payroll_id>/submit", methods=["POST"])
@token_required
@blp.response(200, PayrollDetailSchema)
@_responses
def submit(payroll_id: int):
    """The clerk submits: the month's attendance locks and the lines are computed from it."""
    return _move(payroll_id, service.submit)


@blp.route(f"/payrolls/<{ID_PATH}:payroll_id>/return", methods=["POST"])
@token_required
@blp.arguments(ReasonSchema)
@blp.response(200, PayrollDetailSchema)
@_responses
def return_payroll(args, payroll_id: int):
    """A reviewer of the township returns it with a reason; the month's attendance unlocks."""
    return _move(payroll_id, service.return_, args["reason"])


@blp.route(f"/payrolls/<{ID_PATH}:payroll_id>/approve", methods=["POST"])
@token_required
@blp.response(200, PayrollDetailSchema)
@_responses
def approve(payroll_id: int):
    """A reviewer of the township approves (never the submitter); the payment deadline starts today."""
    return _move(payroll_id, service.approve, service.county_today())


@blp.route(f"/payrolls/<{ID_PATH}:payroll_id>/payment", methods=["POST"])
@token_required
@blp.arguments(PaymentSchema)
@blp.response(200, PayrollDetailSchema)
@_responses
def record_payment(args, payroll_id: int):
    """A reviewer of the township records the payment date and the bank's reference; then it never changes."""
    return _move(payroll_id, service.record_payment, args["paid_on"], args["bank_reference"])


@blp.route(f"/payrolls/<{ID_PATH}:payroll_id>/adjustments", methods=["POST"])
@token_required
@blp.arguments(AdjustmentSchema)
@blp.response(201, LineSchema)
@_responses
def add_adjustment(args, payroll_id: int):
    """The clerk corrects an earlier, paid month with a +/− line and a reason on a draft or returned payroll."""
    payroll = _load(payroll_id)
    line = service.add_adjustment(g.api_user, payroll, args["appointment_id"], args["adjusts_year"],
                                  args["adjusts_month"], args["amount"], args["reason"])
    return line, 201


@blp.route(f"/payrolls/<{ID_PATH}:payroll_id>/adjustments/<{ID_PATH}:line_id>", methods=["DELETE"])
@token_required
@blp.response(204)
@_responses
def remove_adjustment(payroll_id: int, line_id: int):
    """The clerk removes an adjustment line from a draft or returned payroll."""
    payroll = _load(payroll_id)
    get_scoped_or_404(PayrollLine, line_id, g.api_user)
    service.remove_adjustment(g.api_user, payroll, line_id)
    return ""


BLUEPRINTS = [blp]
