"""What every payroll use case shares: the roles, the compare-and-set move, the month check, the totals.

The use cases are in payroll.service (workflow), payroll.adjustments and payroll.batch; each commits once.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.core import auditlog
from portal.core.access import Role
from portal.core.cas import compare_and_set
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.core.i18n import date_label, money, month_label
from portal.core.money import CENT
from portal.extensions import db
from portal.payroll.labels import state_label
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.rules import (
    EDITABLE,
    ZERO,
    PayrollAction,
    PayrollState,
    month_end,
    month_has_ended,
    next_payroll_state,
)
from portal.places.models import Village
from portal.posts.rules import IllegalMove

FIELDS = ("state", "line_count", "total", "required_days", "submitted_by", "decided_by", "approved_on",
          "return_reason", "paid_on", "bank_reference", "paid_by")  # what each audit row shows before and after


class PayrollRefused(RuleViolation):
    """An input broke Rule 3; `problems` maps each field to its sentence (shown next to it on the page)."""

    code = "payroll_refused"

    def __init__(self, problems: dict[str, str]):
        field, first = next(iter(problems.items()))
        super().__init__(first, field=field)
        self.problems = problems


def month_text(year: int, month: int) -> str:
    return month_label(date(year, month, 1))


def village_of(village_id: int) -> Village:
    village = db.session.get(Village, village_id)
    if village is None:
        raise NotAllowed(_("This village is outside your area."))
    return village


def is_clerk(user, village: Village) -> bool:
    return getattr(user, "role", None) == Role.VILLAGE_CLERK and user.village_id == village.id


def is_reviewer(user, village: Village) -> bool:
    return getattr(user, "role", None) == Role.TOWNSHIP_REVIEWER and user.township_id == village.township_id


def ensure_clerk(user, payroll: Payroll) -> None:
    if not is_clerk(user, village_of(payroll.village_id)):
        raise NotAllowed(_("Only the village's clerk may do this."))


def ensure_reviewer(user, payroll: Payroll) -> None:
    if not is_reviewer(user, village_of(payroll.village_id)):
        raise NotAllowed(_("Only a reviewer of the village's township may do this."))


def ensure_not_paid(payroll: Payroll) -> None:
    if payroll.state == PayrollState.PAID:
        raise RuleViolation(_("A paid payroll never changes. Correct it with an adjustment line on a later "
                              "payroll."), code="paid")


def next_state(payroll: Payroll, action: PayrollAction) -> PayrollState:
    """The state after `action`; a move the workflow forbids is refused in words."""
    ensure_not_paid(payroll)
    try:
        return next_payroll_state(payroll.state, action)
    except IllegalMove as err:
        err.message = _("This payroll is %(state)s: that cannot be done now.", state=state_label(payroll.state))
        err.args = (err.message,)
        raise


def ensure_editable(payroll: Payroll) -> None:
    ensure_not_paid(payroll)
    if payroll.state not in EDITABLE:
        raise RuleViolation(_("This payroll is %(state)s: only a draft or returned payroll changes.",
                              state=state_label(payroll.state)), code="not_editable")


def cas(payroll: Payroll, new_state: str, **values) -> None:
    """Compare-and-set: move from the state we read to `new_state`, or lose the race as a Conflict."""
    compare_and_set(Payroll, payroll, new_state,
                    message=_("Someone else changed this payroll just now. Reload and try again."), **values)


def existing(village_id: int, year: int, month: int) -> Payroll | None:
    return db.session.execute(select(Payroll).where(Payroll.village_id == village_id, Payroll.year == year,
                                                    Payroll.month == month)).scalar_one_or_none()


def already(payroll: Payroll, village: Village) -> Conflict:
    return Conflict(_("The payroll of %(village)s for %(month)s already exists (No. %(id)s, %(state)s).",
                      village=village.name, month=month_text(payroll.year, payroll.month), id=payroll.id,
                      state=state_label(payroll.state)), code="payroll_exists")


def ensure_month_ended(year: int, month: int, today: date) -> None:
    if not (isinstance(year, int) and isinstance(month, int) and 1 <= month <= 12 and 2000 <= year <= 2100):
        raise RuleViolation(_("Choose a month."), code="bad_month", field="month")
    if not month_has_ended(year, month, today):
        raise RuleViolation(_("The payroll of %(month)s can be generated from %(day)s on, once the month has "
                              "ended.", month=month_text(year, month),
                              day=date_label(month_end(year, month) + timedelta(days=1))),
                            code="month_not_ended", field="month")


def after(payroll_id: int) -> dict:
    """The payroll's audited fields as this transaction has written them."""
    db.session.expire_all()
    return auditlog.snapshot(db.session.get(Payroll, payroll_id), FIELDS)


def store_totals(payroll_id: int, **values) -> tuple[int, Decimal]:
    """Count and add up the payroll's lines (duty and adjustment) and store them on the payroll."""
    amounts = db.session.execute(select(PayrollLine.amount).where(PayrollLine.payroll_id == payroll_id)).scalars()
    amounts = [Decimal(a) for a in amounts]
    total = sum(amounts, ZERO).quantize(CENT)
    db.session.execute(update(Payroll).where(Payroll.id == payroll_id)
                       .values(line_count=len(amounts), total=total, **values)
                       .execution_options(synchronize_session=False))
    return len(amounts), total


def refuse_negative(total: Decimal) -> None:
    if total < 0:
        db.session.rollback()
        raise RuleViolation(_("The payroll's total would be negative (%(total)s). Recover the rest on a later "
                              "payroll.", total=money(total)), code="negative_total")
