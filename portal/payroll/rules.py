"""Rule 3, the pay half (在岗领补): required days, the pay rule, the payroll workflow, arrears. Pure.

pay = min(S × D / R, S × W / M), rounded half-up to 0.01 元 once, where
  S the monthly subsidy, D the duty days credited inside the active window, R the required days
  (full-time: the month's working days; part-time: the post's required days), W the month's working
  days inside the active window, M the month's working days.

Decisions where domain.md is silent:
- A month with no working day at all (impossible with the national calendar, possible with county
  overrides) pays nothing: there is nothing to share the subsidy over.
- Part-time required days above the month's working days are used as they are (the post says so);
  the window share still caps the pay.
- An adjustment line names an earlier month (not the payroll's own, nor a later one), a non-zero
  amount of at most one year's subsidy either way, and a reason; only a draft or returned payroll
  takes new adjustment lines. A payroll total may not be negative.
- Overdue (拖欠): an approved payroll unpaid more than `deadline_days` after its approval date.
  The delay is shown per stage: at the village (month end → submission), at the township
  (submission → approval), and waiting for payment (approval → today).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

from portal.attendance import rules as attendance_rules
from portal.core.money import round_half_up
from portal.core.states import IllegalMove, actions, move  # noqa: F401  (IllegalMove re-exported)

ZERO = Decimal("0.00")
required_days = attendance_rules.required_days  # R is the attendance rule; the payroll applies it
MAX_ADJUSTMENT_MONTHS = 12


def pay_for_month(subsidy: Decimal, duty_days: Decimal, required_days: int,
                  window_days: int, month_days: int) -> Decimal:
    """Pay for a holder and month: min(S×D/R, S×W/M), half-up to the fen; never above S, zero without duty."""
    if required_days <= 0 or month_days <= 0 or duty_days <= 0 or window_days <= 0:
        return ZERO
    subsidy, duty_days = Decimal(subsidy), Decimal(duty_days)
    by_duty = subsidy * duty_days / Decimal(required_days)
    by_window = subsidy * Decimal(window_days) / Decimal(month_days)
    return round_half_up(min(by_duty, by_window, subsidy))


def month_end(year: int, month: int) -> date:
    """The last day of the month."""
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def month_has_ended(year: int, month: int, today: date) -> bool:
    """A payroll is generated only after its month has ended (the first day of the next month on)."""
    return today > month_end(year, month)


class PayrollState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    PAID = "paid"


class PayrollAction(enum.StrEnum):
    SUBMIT = "submit"  # village: the month's attendance locks
    APPROVE = "approve"  # township, never the submitter
    RETURN = "return"  # township, with a reason: the attendance unlocks
    PAY = "pay"  # township: payment date and bank reference recorded


S, A = PayrollState, PayrollAction
PAYROLL_MOVES: Mapping[tuple[str, str], PayrollState] = MappingProxyType({
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.RETURNED, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.SUBMITTED, A.RETURN): S.RETURNED,
    (S.APPROVED, A.PAY): S.PAID,
})
# States whose lines may still be recomputed or adjusted, and states that hold the month's attendance.
EDITABLE = frozenset({S.DRAFT, S.RETURNED})
LOCKING = frozenset({S.SUBMITTED, S.APPROVED, S.PAID})
del S, A


def next_payroll_state(state: str, action: str) -> PayrollState:
    """The payroll's state after `action`, or IllegalMove."""
    return move("payroll", PAYROLL_MOVES, state, action)


def payroll_actions(state: str) -> frozenset[str]:
    """The actions the workflow allows from `state` (roles are checked by the service)."""
    return actions(PAYROLL_MOVES, state)


class AdjustmentProblem(enum.StrEnum):
    MONTH_NOT_EARLIER = "month_not_earlier"
    MONTH_TOO_OLD = "month_too_old"
    ZERO = "zero"
    TOO_LARGE = "too_large"
    NO_REASON = "no_reason"
    NEGATIVE_TOTAL = "negative_total"


def adjustment_problems(payroll_month: tuple[int, int], adjusts: tuple[int, int], amount: Decimal,
                        subsidy: Decimal, reason: str, total_after: Decimal) -> list[AdjustmentProblem]:
    """What is wrong with an adjustment line (+/−) correcting an earlier, paid month."""
    problems = []
    if adjusts >= payroll_month:
        problems.append(AdjustmentProblem.MONTH_NOT_EARLIER)
    elif months_between(adjusts, payroll_month) > MAX_ADJUSTMENT_MONTHS:
        problems.append(AdjustmentProblem.MONTH_TOO_OLD)
    if amount == 0:
        problems.append(AdjustmentProblem.ZERO)
    elif abs(amount) > subsidy * MAX_ADJUSTMENT_MONTHS:
        problems.append(AdjustmentProblem.TOO_LARGE)
    if not reason.strip():
        problems.append(AdjustmentProblem.NO_REASON)
    if total_after < 0:
        problems.append(AdjustmentProblem.NEGATIVE_TOTAL)
    return problems


def months_between(earlier: tuple[int, int], later: tuple[int, int]) -> int:
    """Whole months from `earlier` to `later` ((2026, 1) to (2026, 3) is 2)."""
    return (later[0] - earlier[0]) * 12 + later[1] - earlier[1]


@dataclass(frozen=True)
class Delay:
    """How long an approved, unpaid payroll has waited, and where (拖欠)."""

    overdue_days: int  # days past the payment deadline (0: not overdue)
    village_days: int  # month end → submitted
    township_days: int  # submitted → approved
    payment_days: int  # approved → today


def payment_delay(year: int, month: int, submitted_on: date, approved_on: date, today: date,
                  deadline_days: int) -> Delay:
    """The delay of an approved payroll, split by stage; overdue once `deadline_days` after approval have passed."""
    end = month_end(year, month)
    return Delay(
        overdue_days=max(0, (today - approved_on).days - deadline_days),
        village_days=max(0, (submitted_on - end).days),
        township_days=max(0, (approved_on - submitted_on).days),
        payment_days=max(0, (today - approved_on).days),
    )


def is_overdue(approved_on: date | None, today: date, deadline_days: int) -> bool:
    """An approved payroll is overdue once more than `deadline_days` have passed since approval."""
    return approved_on is not None and (today - approved_on).days > deadline_days


# ---- review: a line beside last month's ---------------------------------------------------------------


class LineFlag(enum.StrEnum):
    """What deserves the reviewer's look on a duty line (a flag is a question, never a refusal)."""

    NEW_HOLDER = "new_holder"  # no line for the holder on last month's payroll
    ABOVE_LAST_MONTH = "above_last_month"  # paid more than last month
    FULL_PAY_WITH_LEAVE = "full_pay_with_leave"  # the whole subsidy although on leave or absent some day
    ZERO_DAYS = "zero_days"  # not one duty day


def line_flags(amount: Decimal, subsidy: Decimal, duty_days: Decimal, leave_days: int, absent_days: int,
               last_amount: Decimal | None, compared: bool) -> list[LineFlag]:
    """The flags of a duty line. `compared`: last month has a payroll to compare with (without one, nobody is
    new and nothing is above it); `last_amount`: the holder's duty pay on it, None when the holder has no line.
    Full pay is the whole subsidy S (the rule never pays more); "above" is strictly more than last month."""
    flags = []
    if compared and last_amount is None:
        flags.append(LineFlag.NEW_HOLDER)
    if compared and last_amount is not None and amount > last_amount:
        flags.append(LineFlag.ABOVE_LAST_MONTH)
    if amount >= subsidy and leave_days + absent_days > 0:
        flags.append(LineFlag.FULL_PAY_WITH_LEAVE)
    if duty_days <= 0:
        flags.append(LineFlag.ZERO_DAYS)
    return flags
