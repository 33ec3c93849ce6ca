"""The predicates the people detectors share, as pure rules: pay recomputed from the marks (吃空饷), appointment
windows and their overlaps (一人多岗), rotation (轮流坐庄), a field's value on a day. No flask, no database."""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.audit.rules import Month, months_between
from portal.payroll.rules import pay_for_month

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
