"""The predicates the money and records detectors share, as pure rules: batches of identical marks (福利化), late
marks (补录), quotas and standards (超编超标), arrears, double benefits, eligibility, budgets. No flask, no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from portal.audit.detectors.people_rules import value_at
from portal.audit.rules import Month

# ---- money and records: 福利化 batch_filled, 补录 late_marks, 超编超标 over_limit, 拖欠 arrears,
# ---- 重复享受 double_benefit, ineligible_paid, 挤占挪用 funds_overspent ------------------------------------------
# Amounts returned here are unrounded: the audit service rounds a finding's amount half-up once.

BATCH_MIN_HOLDERS = 2  # 福利化: a village with a single holder has nobody to be identical with
INACTIVE_EXIT_STATES = frozenset({"rejected", "withdrawn"})  # an exit in any other state has been proposed


def month_runs(months: Iterable[Month]) -> list[tuple[Month, Month]]:
    """The runs of consecutive months among `months` as (first, last), in order (duplicates ignored)."""
    runs: list[list[Month]] = []
    for month in sorted(set(months)):
        if runs and runs[-1][1].next() == month:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    return [(first, last) for first, last in runs]


def run_length(first: Month, last: Month) -> int:
    return last.index() - first.index() + 1


def full_attendance(schedule: str, present_mask: int, present: int, other_marks: int, working_mask: int,
                    required: int) -> bool:
    """福利化: a holder's month of full attendance, nothing but 出勤: full-time, present on every working day of
    the month (the day masks: bit d-1 for day d); part-time, present on at least the post's required days."""
    if other_marks:
        return False
    if schedule == "part_time":
        return required > 0 and present >= required
    return working_mask != 0 and present_mask & working_mask == working_mask


def batch_month(holders: int, patterns: int, all_full: bool, unmarked_holders: int = 0) -> bool:
    """福利化 in one village and month: every holder on duty (at least BATCH_MIN_HOLDERS, none without marks)
    has the same full attendance day by day."""
    return holders >= BATCH_MIN_HOLDERS and unmarked_holders == 0 and patterns == 1 and all_full


def is_late(delay_days: int, late_mark_days: int) -> bool:
    """补录: a mark saved more than `late_mark_days` days after the day it records (exactly that many is not)."""
    return delay_days > late_mark_days


def timely_count(delays: str, late_mark_days: int) -> int:
    """How many marks of a save-delay histogram "days:count,…" (ascending days, attendance_months.delays) were
    saved in time: its entries up to the first late one (the rest of a long histogram is not read)."""
    n = 0
    for part in (delays or "").split(",", late_mark_days + 1):  # at most that many entries are in time
        days, _sep, count = part.partition(":")
        if not days or int(days) > late_mark_days:  # is_late, inlined: this runs for every mixed summary row
            break
        n += int(count)
    return n


def mostly_late(late: int, total: int) -> bool:
    """More than half of the month's marks were saved late: the village was not keeping attendance."""
    return total > 0 and late * 2 > total


def late_share(pay: Decimal, late: int, total: int) -> Decimal:
    """The part of a month's pay that rests on marks saved late (pay × late / all marks; unrounded)."""
    if total <= 0 or late <= 0:
        return Decimal(0)
    return Decimal(pay) * late / total


def quota_excess(quota: int | None, posts_headcount: int, on_duty: int) -> int:
    """超编: places above the village quota, counting the approved posts' headcount and the holders on duty
    (whichever is larger); 0 within the quota or with no quota set."""
    if quota is None:
        return 0
    return max(0, max(posts_headcount, on_duty) - quota)


def excess_pay(amount: Decimal, subsidy: Decimal, standard: Decimal | None) -> Decimal:
    """超标: the part of a line's pay above the category standard. Pay is proportional to the subsidy, so the
    excess is amount × (subsidy − standard) / subsidy: a full month pays exactly subsidy − standard."""
    if standard is None or subsidy <= 0 or subsidy <= standard or amount <= 0:
        return Decimal(0)
    return Decimal(amount) * (Decimal(subsidy) - Decimal(standard)) / Decimal(subsidy)


def payment_overdue_days(approved_on: date, paid_on: date | None, today: date, deadline_days: int) -> int:
    """拖欠: days past the payment deadline (approval + deadline_days) until payment, or until today while
    unpaid; 0 when paid or still within it (the deadline day itself is on time)."""
    end = paid_on if paid_on is not None else today
    return max(0, (end - approved_on).days - deadline_days)


def employed_at_month_end(month: Month, hire_date: date, leave_date: date | None, certified_on: date,
                          exited_on: date | None) -> bool:
    """重复享受: a workshop counts a person as an aided employee of a month when employed on its last day while
    the workshop is one (certified, not exited): workshops.rules 月末在岗."""
    day = month.last
    return (hire_date <= day and (leave_date is None or day <= leave_date) and certified_on <= day
            and (exited_on is None or day < exited_on))


def category_eligible(category, eligible_categories: Iterable) -> bool:
    """Rule 2's eligibility of a household: its category is among the county's eligible ones (a monitored
    household stays eligible when its risk is eliminated, as hiring and the exit triggers have it)."""
    return category is not None and str(category) in {str(c) for c in eligible_categories}


def ineligible_since(changes: Sequence[tuple[date, dict | None, dict | None]], current, created_on: date | None,
                     day: date, eligible_categories: Iterable) -> date | None:
    """The first day of the stretch, ending on `day`, through which the household's category was outside the
    eligible ones (value_at over its recorded changes); None when it was eligible on `day` or is not known.
    A household registered ineligible has been so since it was created."""
    eligible = {str(c) for c in eligible_categories}

    def ineligible_on(d: date) -> bool:
        value = value_at("category", changes, d, current, created_on)
        return value is not None and str(value) not in eligible

    if not ineligible_on(day):
        return None
    since = created_on
    for on, _before, after in reversed(changes):
        if on > day or not (after and "category" in after):
            continue
        if not ineligible_on(date.fromordinal(on.toordinal() - 1)):  # eligible (or unknown) the day before
            since = on
            break
    return since


def beyond_grace(since: date, month: Month, grace_days: int) -> bool:
    """Pay for `month` comes more than `grace_days` after the household became ineligible (counted to the
    month's first day): time enough to have proposed the exit."""
    return (month.first - since).days > grace_days


def exit_proposed(state: str, proposed_on: date, month: Month) -> bool:
    """An exit of the appointment, proposed by the month's last day and not rejected or withdrawn."""
    return state not in INACTIVE_EXIT_STATES and proposed_on <= month.last


def overrun(budget: Decimal, spent: Decimal) -> Decimal:
    """挤占挪用: what a funding source's payrolls spent above its yearly budget (0 within it)."""
    return max(Decimal(spent) - Decimal(budget), Decimal(0))


def budget_crossing(budget: Decimal, monthly: Iterable[tuple[Month, Decimal]]) -> Month | None:
    """The month in which the year's spending, added up month by month, first went above the budget."""
    spent = Decimal(0)
    for month, amount in sorted(monthly):
        spent += Decimal(amount)
        if spent > budget:
            return month
    return None
