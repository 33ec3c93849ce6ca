"""Rule 3, the attendance half (在岗领补): marks, their credit, and when a mark may be set. Pure.

- A mark is one of present 出勤 (1 day), half 半天 (0.5), leave 请假 (0, excused), absent 旷工 (0).
  A day with no mark earns nothing.
- A mark may be set only inside the appointment's active window (start date to the day before the exit,
  or the end of the term), never for a future day, and never in a locked month (its payroll is
  submitted, approved or paid).

Decisions where domain.md is silent:
- The window opens only once the township approved the appointment (approved, active, exiting or
  exited); a nomination still in notice has no duty days.
- Marks on weekends and holidays are allowed (a road cleared after a storm is duty); pay never exceeds
  the subsidy anyway (see payroll.rules).
- Clearing a mark is a change like any other, under the same limits.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType


class Mark(enum.StrEnum):
    PRESENT = "present"
    HALF = "half"
    LEAVE = "leave"
    ABSENT = "absent"

    @property
    def credit(self) -> Decimal:
        """Duty days this mark credits: present 1, half 0.5, leave and absent 0."""
        return CREDIT[self]

    @property
    def chinese(self) -> str:
        return CHINESE[self]


CREDIT: Mapping[str, Decimal] = MappingProxyType({
    Mark.PRESENT: Decimal(1), Mark.HALF: Decimal("0.5"), Mark.LEAVE: Decimal(0), Mark.ABSENT: Decimal(0)})
CHINESE: Mapping[str, str] = MappingProxyType({
    Mark.PRESENT: "出勤", Mark.HALF: "半天", Mark.LEAVE: "请假", Mark.ABSENT: "旷工"})
# One character per mark on the grid and in bank-style sheets: √ present, ½ half, 假 leave, × absent.
SYMBOL: Mapping[str, str] = MappingProxyType({
    Mark.PRESENT: "√", Mark.HALF: "½", Mark.LEAVE: "假", Mark.ABSENT: "×"})
# What a clerk may type into a grid cell (keyboard entry); an empty cell clears the mark.
KEYS: Mapping[str, Mark] = MappingProxyType({
    "1": Mark.PRESENT, "p": Mark.PRESENT, "√": Mark.PRESENT, "出": Mark.PRESENT, "present": Mark.PRESENT,
    "2": Mark.HALF, "h": Mark.HALF, "½": Mark.HALF, "半": Mark.HALF, "0.5": Mark.HALF, "half": Mark.HALF,
    "3": Mark.LEAVE, "l": Mark.LEAVE, "假": Mark.LEAVE, "请": Mark.LEAVE, "leave": Mark.LEAVE,
    "4": Mark.ABSENT, "a": Mark.ABSENT, "×": Mark.ABSENT, "x": Mark.ABSENT, "旷": Mark.ABSENT,
    "absent": Mark.ABSENT,
})


class UnknownMark(ValueError):
    """A grid cell or API value that is not a mark."""


def parse_mark(text: str | None) -> Mark | None:
    """A typed cell value as a mark; blank is None (no mark); anything else raises UnknownMark."""
    key = (text or "").strip().lower()
    if not key:
        return None
    try:
        return KEYS[key]
    except KeyError:
        raise UnknownMark(text) from None


@dataclass(frozen=True)
class Window:
    """The days an appointment is on duty, both ends included."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def clip(self, start: date, end: date) -> Window | None:
        """The part of the window inside [start, end], or None."""
        lo, hi = max(self.start, start), min(self.end, end)
        return Window(lo, hi) if lo <= hi else None


ON_DUTY_STATES = frozenset({"approved", "active", "exiting", "exited"})


def active_window(state: str, start: date, end: date, exited_on: date | None) -> Window | None:
    """The appointment's duty window: from its start to the end of term or the day before its exit."""
    if state not in ON_DUTY_STATES:
        return None
    last = end if exited_on is None else min(end, exited_on - timedelta(days=1))
    return Window(start, last) if start <= last else None


class Refusal(enum.StrEnum):
    """Why a mark may not be set on a day (Rule 3)."""

    OUTSIDE_WINDOW = "outside_window"
    FUTURE = "future"
    LOCKED = "locked"


def mark_refusal(day: date, today: date, window: Window | None,
                 locked: Collection[tuple[int, int]]) -> Refusal | None:
    """Why the holder's mark on `day` may not change, or None when it may. Future first, then lock, then window."""
    if day > today:
        return Refusal.FUTURE
    if (day.year, day.month) in locked:
        return Refusal.LOCKED
    if window is None or day not in window:
        return Refusal.OUTSIDE_WINDOW
    return None


@dataclass(frozen=True)
class Tally:
    """A holder's marks counted over some days."""

    present: int = 0
    half: int = 0
    leave: int = 0
    absent: int = 0

    @property
    def duty_days(self) -> Decimal:
        """D: present days plus half a day per half mark."""
        return Decimal(self.present) + Decimal(self.half) * Decimal("0.5")


def tally(marks: Mapping[date, str], window: Window | None) -> Tally:
    """Count the marks that fall inside the window (marks outside it earn nothing)."""
    counts = {m: 0 for m in Mark}
    if window is not None:
        for day, mark in marks.items():
            if day in window and mark in counts:
                counts[Mark(mark)] += 1
    return Tally(counts[Mark.PRESENT], counts[Mark.HALF], counts[Mark.LEAVE], counts[Mark.ABSENT])


def late_change(day: date, set_on: date) -> bool:
    """A mark set after its day has passed: the grid shows who set it and when."""
    return set_on > day


def required_days(schedule: str, month_working_days: int, part_time_days: int | None) -> int:
    """R: a full-time post requires the month's working days; a part-time post its own required days."""
    if schedule == "part_time":
        return int(part_time_days or 0)
    return month_working_days
