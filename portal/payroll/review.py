"""A payroll beside last month's: each duty line with the same holder's line of the month before and the flags
that deserve the reviewer's look (rules.line_flags). Two queries, whatever the size of the village.

Where domain.md is silent: last month is the village's payroll of the previous calendar month in whatever
state it is; a holder is matched by appointment, else by person (a holder who moved to another post of the
village is not new); without a payroll last month nothing is compared, so nobody is flagged new or above.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.payroll import queries
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.rules import LineFlag, line_flags


@dataclass(frozen=True)
class ReviewLine:
    line: Any  # a duty line of this payroll (a PayrollLine or a row of queries.LINE_COLUMNS)
    last: Any | None  # the holder's duty line last month (appointment_id, person_id, amount)
    flags: tuple[LineFlag, ...]


@dataclass
class Review:
    previous: Payroll | None  # last month's payroll of the village
    lines: list[ReviewLine] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # lines per flag

    @property
    def flagged(self) -> int:
        return sum(1 for r in self.lines if r.flags)


def review(payroll: Payroll, lines: Iterable[Any] | None = None) -> Review:
    """The payroll's duty lines (read here unless given), each beside the holder's line of last month, with flags."""
    if lines is None:
        lines = queries.lines_of(payroll.id)[0]
    year, month = queries.add_months(payroll.year, payroll.month, -1)
    previous = db.session.execute(select(Payroll).where(
        Payroll.village_id == payroll.village_id, Payroll.year == year, Payroll.month == month)).scalar_one_or_none()
    by_appointment: dict[int, Any] = {}
    by_person: dict[int, Any] = {}
    if previous is not None:
        last_lines = select(PayrollLine.appointment_id, PayrollLine.person_id, PayrollLine.amount)
        for line in db.session.execute(last_lines.where(
                PayrollLine.payroll_id == previous.id, PayrollLine.kind == "duty").order_by(PayrollLine.id)):
            by_appointment.setdefault(line.appointment_id, line)
            by_person.setdefault(line.person_id, line)
    result = Review(previous)
    for line in lines:
        if line.kind != "duty":
            continue
        last = by_appointment.get(line.appointment_id) or by_person.get(line.person_id)
        flags = tuple(line_flags(line.amount, line.subsidy, line.duty_days, line.leave_days, line.absent_days,
                                 last.amount if last else None, previous is not None))
        result.lines.append(ReviewLine(line, last, flags))
        result.counts.update(flags)
    return result
