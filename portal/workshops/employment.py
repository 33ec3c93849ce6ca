"""Employment records as spans of days, and the months they cover: pure, no flask, no database.

A `Month` is (year, month). A `Span` runs from `start` to `end`, both included (`end` None: still running);
an employment's `end` is the leave date, the employee's last day at work. Aided employees of a month are
counted on its last day (月末在岗): see `workshops.rules` for why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

Month = tuple[int, int]


def month_end(month: Month) -> date:
    """The month's last day."""
    year, m = month
    return date(year + m // 12, m % 12 + 1, 1) - timedelta(days=1)


def month_of(day: date) -> Month:
    return (day.year, day.month)


def next_month(month: Month) -> Month:
    year, m = month
    return (year + m // 12, m % 12 + 1)


def previous_month(month: Month) -> Month:
    year, m = month
    return (year, m - 1) if m > 1 else (year - 1, 12)


def months_from(first: Month, last: Month) -> list[Month]:
    """Every month from first to last, both included (empty when last is before first)."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


@dataclass(frozen=True)
class Span:
    """Days from `start` to `end`, both included; `end` None runs on without end."""

    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Span) -> bool:
        return self.start <= (other.end or date.max) and other.start <= (self.end or date.max)


def active_span(certified_on: date, exited_on: date | None) -> Span:
    """The days a workshop is one: from certification to the day before its exit date."""
    return Span(certified_on, exited_on - timedelta(days=1) if exited_on else None)


def first_overlap(new: Span, others: Sequence[Span]) -> int | None:
    """The index of the first span in `others` sharing a day with `new` (None: none does): a person works
    in one workshop at a time, so leaving on day X and being hired elsewhere on X overlap; on X+1 not."""
    for i, other in enumerate(others):
        if new.overlaps(other):
            return i
    return None


@dataclass(frozen=True)
class Employment:
    """One employment record of a registered person in a workshop."""

    person_id: int
    span: Span


def aided_people(employments: Iterable[Employment], month: Month, active: Span | None = None) -> frozenset[int]:
    """The aided employees of a month (月末在岗): the people employed on its last day, while the workshop is one."""
    day = month_end(month)
    if active is not None and not active.covers(day):
        return frozenset()
    return frozenset(e.person_id for e in employments if e.span.covers(day))


def months_employed(spans: Iterable[Span], year: int, active: Span | None = None) -> int:
    """The month-ends of `year` on which any of the spans (one person's records in one workshop) is employed,
    counting only days the workshop is one."""
    spans = list(spans)
    count = 0
    for m in range(1, 13):
        day = month_end((year, m))
        if (active is None or active.covers(day)) and any(s.covers(day) for s in spans):
            count += 1
    return count
