"""Adjustment lines (Rule 3): a paid payroll never changes; a correction is a line on a later payroll
that names the original month, the amount (+/−) and the reason.

Decisions where domain.md is silent:
- The clerk adds and removes adjustment lines, only on a draft or returned payroll of the village.
- The month corrected is earlier than the payroll's (at most 12 months back), the holder was on the
  post that month, and if that month has a payroll in the portal it is paid: an unpaid one is corrected
  itself (recomputed; a submitted one is returned by the township first). A month without a payroll in
  the portal (paid on paper before it) may be corrected.
- An adjustment is at most 12 months of the post's subsidy either way, and the payroll's total never
  becomes negative (the rest of a recovery goes on a later payroll).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import delete, select

from portal.attendance.rules import active_window
from portal.attendance.service import month_bounds
from portal.core import auditlog
from portal.core.access import get_scoped
from portal.core.errors import RuleViolation
from portal.core.i18n import money
from portal.core.money import CENT
from portal.extensions import db
from portal.payroll.guards import (
    FIELDS,
    PayrollRefused,
    after,
    cas,
    ensure_clerk,
    ensure_editable,
    existing,
    month_text,
    refuse_negative,
    store_totals,
)
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.rules import EDITABLE, AdjustmentProblem, PayrollState, adjustment_problems
from portal.posts.models import Appointment

_ADJUSTMENT_FIELD = {AdjustmentProblem.MONTH_NOT_EARLIER: "adjusts", AdjustmentProblem.MONTH_TOO_OLD: "adjusts",
                     AdjustmentProblem.ZERO: "amount", AdjustmentProblem.TOO_LARGE: "amount",
                     AdjustmentProblem.NEGATIVE_TOTAL: "amount", AdjustmentProblem.NO_REASON: "reason"}


def _adjustment_text(problem: AdjustmentProblem, subsidy: Decimal) -> str:
    return {
        AdjustmentProblem.MONTH_NOT_EARLIER: _("An adjustment corrects an earlier month than the payroll's own."),
        AdjustmentProblem.MONTH_TOO_OLD: _("An adjustment reaches back at most 12 months."),
        AdjustmentProblem.ZERO: _("Enter an amount other than 0 (negative to recover an overpayment)."),
        AdjustmentProblem.TOO_LARGE: _("An adjustment is at most 12 months of the post's subsidy (%(max)s) "
                                       "either way.", max=money(subsidy * 12)),
        AdjustmentProblem.NO_REASON: _("Say why the earlier month is corrected."),
        AdjustmentProblem.NEGATIVE_TOTAL: _("The payroll's total may not become negative."),
    }[problem]


def _earlier_payroll_problem(village_id: int, year: int, month: int) -> str | None:
    earlier = existing(village_id, year, month)
    if earlier is None or earlier.state == PayrollState.PAID:
        return None
    label = month_text(year, month)
    if earlier.state in EDITABLE:
        return _("The payroll of %(month)s is not paid yet: correct its marks and recompute it instead.", month=label)
    if earlier.state == PayrollState.SUBMITTED:
        return _("The payroll of %(month)s is submitted, not paid: the township can return it to be corrected.",
                 month=label)
    return _("The payroll of %(month)s is approved but not paid yet: record its payment first, then correct it "
             "here.", month=label)


def add_adjustment(user, payroll: Payroll, appointment_id: int, adjusts_year: int, adjusts_month: int,
                   amount: Decimal, reason: str) -> PayrollLine:
    """The clerk adds a correction of an earlier, paid month (+/−, with a reason) to a draft or returned payroll."""
    ensure_clerk(user, payroll)
    ensure_editable(payroll)
    reason = (reason or "").strip()
    appointment = get_scoped(Appointment, appointment_id, user) if isinstance(appointment_id, int) else None
    if appointment is None or appointment.village_id != payroll.village_id:
        raise PayrollRefused({"appointment": _("Choose a holder of this village.")})
    if not (isinstance(adjusts_month, int) and 1 <= adjusts_month <= 12 and isinstance(adjusts_year, int)):
        raise PayrollRefused({"adjusts": _("Choose the month that is corrected.")})
    try:
        amount = Decimal(amount)
        if amount != amount.quantize(CENT):
            raise InvalidOperation
    except (InvalidOperation, TypeError, ValueError):
        raise PayrollRefused({"amount": _("Enter an amount in 元 with at most two decimals.")}) from None
    subsidy = Decimal(appointment.post.subsidy)
    problems: dict[str, str] = {}
    for p in adjustment_problems((payroll.year, payroll.month), (adjusts_year, adjusts_month), amount, subsidy,
                                 reason, Decimal(payroll.total) + amount):
        problems.setdefault(_ADJUSTMENT_FIELD[p], _adjustment_text(p, subsidy))
    if "adjusts" not in problems:
        first, last = month_bounds(adjusts_year, adjusts_month)
        window = active_window(appointment.state, appointment.start_date, appointment.end_date, appointment.exited_on)
        if window is None or window.clip(first, last) is None:
            problems["adjusts"] = _("%(name)s was not on this post in %(month)s.", name=appointment.person.name,
                                    month=month_text(adjusts_year, adjusts_month))
        elif (text := _earlier_payroll_problem(payroll.village_id, adjusts_year, adjusts_month)) is not None:
            problems["adjusts"] = text
    if problems:
        raise PayrollRefused(problems)
    person, post = appointment.person, appointment.post
    before = auditlog.snapshot(payroll, FIELDS)
    cas(payroll, payroll.state)
    line = PayrollLine(payroll_id=payroll.id, village_id=payroll.village_id, kind="adjustment",
                       appointment_id=appointment.id, person_id=person.id, post_id=post.id, person_name=person.name,
                       id_number=person.id_number, post_title=post.title, bank_name=person.bank_name or "",
                       bank_account=person.bank_account or "", schedule=post.schedule, subsidy=subsidy,
                       required_days=0, duty_days=Decimal(0), window_days=0, month_days=0, amount=amount,
                       adjusts_year=adjusts_year, adjusts_month=adjusts_month, reason=reason, created_by=user.id)
    db.session.add(line)
    db.session.flush()
    refuse_negative(store_totals(payroll.id)[1])
    auditlog.record(user, "payroll.adjustment_add", "payroll", payroll.id, before,
                    {**after(payroll.id), "line_id": line.id, "appointment_id": appointment.id,
                     "adjusts": f"{adjusts_year}-{adjusts_month:02d}", "amount": amount, "reason": reason})
    db.session.commit()
    return line


def remove_adjustment(user, payroll: Payroll, line_id: int) -> None:
    """The clerk removes an adjustment line from a draft or returned payroll."""
    ensure_clerk(user, payroll)
    ensure_editable(payroll)
    line = db.session.execute(select(PayrollLine).where(PayrollLine.id == line_id, PayrollLine.payroll_id == payroll.id,
                                                        PayrollLine.kind == "adjustment")).scalar_one_or_none()
    if line is None:
        raise RuleViolation(_("This adjustment line is not on this payroll."), code="no_line")
    gone = {"line_id": line.id, "appointment_id": line.appointment_id,
            "adjusts": f"{line.adjusts_year}-{line.adjusts_month:02d}", "amount": line.amount, "reason": line.reason}
    before = {**auditlog.snapshot(payroll, FIELDS), **gone}
    cas(payroll, payroll.state)
    db.session.execute(delete(PayrollLine).where(PayrollLine.id == line_id))
    refuse_negative(store_totals(payroll.id)[1])
    auditlog.record(user, "payroll.adjustment_remove", "payroll", payroll.id, before, after(payroll.id))
    db.session.commit()
