"""The county audit's policy as pure rules: the audit settings and their defaults, the period a run may
cover, the finding workflow, severities, and the small predicates the detectors share.
No flask, no database."""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from portal.core.money import CENT
from portal.core.states import actions, move
from portal.payroll.rules import pay_for_month

MAX_RUN_MONTHS = 36


class Severity(enum.StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


class SubjectType(enum.StrEnum):
    PERSON = "person"
    HOUSEHOLD = "household"
    POST = "post"
    APPOINTMENT = "appointment"
    PAYROLL = "payroll"
    PAYROLL_LINE = "payroll_line"
    VILLAGE = "village"
    WORKSHOP = "workshop"
    ACCOUNT = "account"
    COUNTY = "county"


class FindingState(enum.StrEnum):
    OPEN = "open"
    RESPONDED = "responded"
    CLOSED = "closed"


class FindingAction(enum.StrEnum):
    RESPOND = "respond"  # the township explains and says what it did
    CLOSE = "close"  # the county auditor confirms or dismisses


class Decision(enum.StrEnum):
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


FINDING_MOVES = {
    (FindingState.OPEN, FindingAction.RESPOND): FindingState.RESPONDED,
    (FindingState.RESPONDED, FindingAction.RESPOND): FindingState.RESPONDED,  # a better answer replaces it
    (FindingState.OPEN, FindingAction.CLOSE): FindingState.CLOSED,  # the auditor may close without waiting
    (FindingState.RESPONDED, FindingAction.CLOSE): FindingState.CLOSED,
}


def next_finding_state(state: str, action: str) -> FindingState:
    """The finding's state after `action`, or IllegalMove (a closed finding never moves again)."""
    return move("finding", FINDING_MOVES, state, action)


def finding_actions(state: str) -> frozenset[str]:
    return actions(FINDING_MOVES, state)


# ---- the period of a run -------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2026-03` → Month(2026, 3); ValueError on anything else."""
        parts = str(text).strip().split("-")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise ValueError(text)
        year, month = int(parts[0]), int(parts[1])
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            raise ValueError(text)
        return cls(year, month)

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        nxt = self.next()
        return date.fromordinal(nxt.first.toordinal() - 1)

    def next(self) -> Month:
        return Month(self.year + (self.month == 12), self.month % 12 + 1)

    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(first: Month, last: Month) -> list[Month]:
    """Every month from first to last, both included."""
    out, m = [], first
    while m <= last:
        out.append(m)
        m = m.next()
    return out


def period_problem(first: Month, last: Month, today: date) -> str | None:
    """Why a run may not cover first..last (None: it may). A run covers whole months that have begun,
    at most 36 of them, the end not before the start."""
    if last < first:
        return "period_reversed"
    if last > Month.of(today):
        return "period_future"
    if last.index() - first.index() + 1 > MAX_RUN_MONTHS:
        return "period_too_long"
    return None


def period_key(first: date, last: date) -> str:
    """The period part of a finding's key: `2026-03` for one month, `2026-01..2026-06` for several,
    `2026-03-04..2026-03-20` for a stretch that is not whole months."""
    if first.day == 1 and Month.of(first).last == last:
        return str(Month.of(first))
    if first.day == 1 and Month.of(last).last == last:
        return f"{Month.of(first)}..{Month.of(last)}"
    return f"{first.isoformat()}..{last.isoformat()}"


# ---- the audit settings ------------------------------------------------------------------------------


# The values each threshold accepts: (least, most), most None when unbounded.
AUDIT_RANGES = {"late_mark_days": (1, None), "near_full_percent": (1, 100), "rotation_people": (2, None),
                "rotation_months": (1, None), "batch_months": (1, None), "ineligible_grace_days": (0, None),
                "response_days": (1, None), "sample_percent": (1, 100)}


@dataclass(frozen=True)
class AuditPolicy:
    """The county's audit thresholds (domain.md "Policy parameters"), with their defaults."""

    late_mark_days: int = 7  # 补录: a mark saved more than this many days after its day is late
    near_full_percent: int = 90  # 岗在人不在: duty days at least this share of required days is (near-)full
    rotation_people: int = 3  # 轮流坐庄: this many people on one post within rotation_months
    rotation_months: int = 12
    batch_months: int = 3  # 福利化: identical full attendance of every holder for this many months in a row
    ineligible_grace_days: int = 30  # pay this long after the household became ineligible, with no exit
    response_days: int = 15  # a township answers a finding within this many days
    sample_percent: int = 5  # 抽查: share of payroll lines drawn per township

    def __post_init__(self):
        for name, (least, most) in AUDIT_RANGES.items():
            value = getattr(self, name)
            if value < least or (most is not None and value > most):
                raise ValueError(f"{name} must lie from {least} to {most or 'any'}")


DEFAULT_AUDIT_POLICY = AuditPolicy()


def is_money(value) -> bool:
    """A finite Decimal in whole fen (an amount too large to quantise is not money either)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    try:
        return value == value.quantize(CENT)
    except InvalidOperation:
        return False


def recovered_problem(recovered: Decimal, at_stake: Decimal) -> str | None:
    """Why an amount recovered is not allowed (None: it is): whole fen, not negative, never above the
    amount at stake."""
    if not is_money(recovered) or recovered < 0:
        return "recovered_not_money"
    if recovered > at_stake:
        return "recovered_above_stake"
    return None


def near_full(duty_days: Decimal, required: int, percent: int) -> bool:
    """Duty days make at least `percent` % of the required days (a month of (near-)full attendance)."""
    if required <= 0:
        return False
    return Decimal(duty_days) * 100 >= Decimal(required) * percent


# ---- people on posts: pay recomputed, windows, overlaps, rotation ---------------------------------------
# (吃空饷 ghost_pay, 岗在人不在 absent_holder, 一人多岗/一户多岗 multiple_posts, 轮流坐庄 rotation)

NO_MONEY = Decimal("0.00")


class GhostReason(enum.StrEnum):
    OVER_RULE = "over_rule"  # the line pays more than the pay rule gives for the marks it records
    OUTSIDE_WINDOW = "outside_window"  # it pays for days outside the appointment's active window
    EXITED = "exited"  # the appointment had ended (exited) before the month began
    DECEASED = "deceased"  # the person was recorded deceased before the month began


@dataclass(frozen=True)
class LinePay:
    """A payroll line's own figures: what it paid, and the subsidy, marks and days it records."""

    amount: Decimal
    subsidy: Decimal
    duty_days: Decimal
    required_days: int
    window_days: int
    month_days: int


@dataclass(frozen=True)
class GhostVerdict:
    reasons: tuple[GhostReason, ...]  # empty: the line adds up
    rule_pay: Decimal  # the pay rule for the line's own marks and days
    window_pay: Decimal  # the pay rule inside the appointment's real window
    at_stake: Decimal


def ghost_verdict(line: LinePay, window_working_days: int | None, window_calendar_days: int | None,
                  exited: bool = False, deceased: bool = False) -> GhostVerdict:
    """吃空饷 for one payroll line.

    `window_working_days` and `window_calendar_days`: the month's working days and days inside the
    appointment's active window (None: no day of the month is inside it); `exited`: the appointment ended
    before the month began; `deceased`: the person was recorded deceased before the month began.
    The line is ghost pay when it pays more than the pay rule gives for its own marks (over_rule), more than
    the rule gives inside the real window with its duty days capped at the window's days (outside_window:
    weekend marks inside the window are allowed, days beyond the window's are not), or anything at all after
    an exit or a death. At stake: all of it after an exit or a death, else what it paid above the lower
    recomputation."""
    amount = Decimal(line.amount)
    rule_pay = pay_for_month(line.subsidy, line.duty_days, line.required_days, line.window_days, line.month_days)
    if window_working_days is None or window_calendar_days is None:
        window_pay = NO_MONEY
    else:
        window_pay = pay_for_month(line.subsidy, min(Decimal(line.duty_days), Decimal(window_calendar_days)),
                                   line.required_days, window_working_days, line.month_days)
    reasons = []
    if amount > rule_pay:
        reasons.append(GhostReason.OVER_RULE)
    if exited and amount > 0:
        reasons.append(GhostReason.EXITED)
    elif amount > window_pay and window_pay < rule_pay:  # the line's days reach beyond the real window
        reasons.append(GhostReason.OUTSIDE_WINDOW)
    if deceased and amount > 0:
        reasons.append(GhostReason.DECEASED)
    if amount > 0 and (exited or deceased):
        at_stake = amount
    else:
        at_stake = max(amount - min(rule_pay, window_pay), NO_MONEY)
    return GhostVerdict(tuple(reasons), rule_pay, window_pay, at_stake)


def value_at(field: str, changes: Sequence[tuple[date, dict | None, dict | None]], day: date, current,
             created_on: date | None):
    """A register field's value at the end of `day`, from the record's recorded changes ((county date,
    before, after) in the order they were made; before/after name only some fields): the value the latest
    change on or before the day set; else the value the first later change that names the field found (its
    `before`; a later change that only sets it created the record: not known); else, with no change naming
    the field, the current value when the record existed by that day. None: not known."""
    for on, _before, after in reversed(changes):
        if on <= day and after and field in after:
            return after[field]
    for on, before, after in changes:
        if on <= day:
            continue
        if before and field in before:
            return before[field]
        if after and field in after:
            return None
    if created_on is not None and created_on <= day:
        return current
    return None


def windows_overlap(a: tuple[date, date], b: tuple[date, date]) -> tuple[date, date] | None:
    """The days two windows (first and last day, both included) share, or None."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo <= hi else None


def overlapping_pairs(windows: Sequence[tuple[date, date]]) -> list[tuple[int, int, tuple[date, date]]]:
    """一人多岗: every pair (i < j) of windows that share a day, with the days they share."""
    pairs = []
    for j in range(len(windows)):
        for i in range(j):
            shared = windows_overlap(windows[i], windows[j])
            if shared is not None:
                pairs.append((i, j, shared))
    return pairs


def check_days(windows: Iterable[tuple[date, date]], first: date, last: date) -> list[date]:
    """The days from first to last on which a count of open windows can first exceed a dated limit: the first
    day, each day a window opens, and the first day of each month (limits are county settings in force from
    a date, read per month)."""
    days = {first} | {start for start, _ in windows if first <= start <= last}
    days |= {m.first for m in months_between(Month.of(first), Month.of(last)) if first <= m.first <= last}
    return sorted(days)


def crowded_days(windows: Sequence[tuple[date, date]], days: Iterable[date],
                 limit_on: Callable[[date], int]) -> list[tuple[date, list[int]]]:
    """一户多岗: the days among `days` on which more windows are open than that day's limit, each with the
    indices of the open windows."""
    crowded = []
    for day in days:
        open_now = [i for i, (start, end) in enumerate(windows) if start <= day <= end]
        if len(open_now) > limit_on(day):
            crowded.append((day, open_now))
    return crowded


def add_months(day: date, months: int) -> date:
    """The same day `months` months later (earlier when negative); the month's last day when it is shorter."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, Month(year, month0 + 1).last.day))


def rotation_threshold(people: int, headcount: int) -> int:
    """How many different people must start on a post within the window to make a rotation: the county's
    `rotation_people` on a one-holder post, and as many more as the post has further places (a post for
    three holders filled by three people at once is not a rotation)."""
    return people + max(headcount, 1) - 1


def rotation_groups(starts: Sequence[tuple[date, Hashable]], people: int, months: int) -> list[list[int]]:
    """轮流坐庄: groups of `people` or more different people who started on one post within `months` months.

    `starts` are (first day, person) in date order. For each start, the group is the starts after the day
    `months` months before it up to it (two starts exactly `months` months apart are not within); it is
    listed (as indices) when it holds `people` different people."""
    groups = []
    for k, (day, _person) in enumerate(starts):
        since = add_months(day, -months)
        members = [i for i in range(k + 1) if starts[i][0] > since]
        if len({starts[i][1] for i in members}) >= people:
            groups.append(members)
    return groups


def back_and_forth(tenures: Sequence[tuple[Hashable, date, date]]) -> list[tuple[int, int, int]]:
    """轮流坐庄: a post passed from one household to another and back (A → B → A).

    `tenures` are (household, first day, last day) in start order. For each tenure k that returns the post to
    a household, the indices (i, j, k): j began after i ended and k after j ended, i and k of one household,
    j of another (the latest such j and i). Holders side by side on a post for several people are not a
    hand-over."""
    found = []
    for k, (home, start_k, _end_k) in enumerate(tenures):
        triple = None
        for j in range(k - 1, -1, -1):
            other, start_j, end_j = tenures[j]
            if other == home or end_j >= start_k:
                continue
            for i in range(j - 1, -1, -1):
                if tenures[i][0] == home and tenures[i][2] < start_j:
                    triple = (i, j, k)
                    break
            if triple:
                break
        if triple:
            found.append(triple)
    return found


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
