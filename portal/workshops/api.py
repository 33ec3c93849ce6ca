"""API v1 of employment-aid workshops (就业帮扶车间, Rule 5): workshops, their aided employees, monthly reports
(月调度), annual assessments (年度考核, 梯次奖补) and exits (摘牌).

Every rule is the services' (each sub-package's service); the API shapes input and output only. This
module holds the blueprint and what its resources share; the resources are in each sub-package's api.
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
from marshmallow import ValidationError, fields, validate

from portal.api.schemas import ErrorSchema, error_responses
from portal.core.access import get_scoped_or_404
from portal.workshops.models import Workshop
from portal.workshops.rules import MAX_EMPLOYEES

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


_responses = error_responses(blp, {401: "Missing or invalid token", 403: "Role may not do this",
                                   404: "Not in your scope, or no such record",
                                   409: "Already exists, already done, or changed meanwhile",
                                   422: "Refused by Rule 5, or an illegal move"}, 401, 403, 404, 409, 422)


def _read(blp_view):
    """The error answers of a read: no token, not in scope."""
    blp_view = blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such record")(blp_view)
    return blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")(blp_view)


def _workshop(workshop_id: int) -> Workshop:
    return get_scoped_or_404(Workshop, workshop_id, g.api_user)


BLUEPRINTS = [blp]
