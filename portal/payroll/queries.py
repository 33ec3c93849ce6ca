"""What the payroll pages show: the clerk's months, the township and county queue, a line's days. Read-only."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from portal.accounts.models import User
from portal.attendance.models import AttendanceMark
from portal.attendance.rules import Tally, Window, late_change, tally
from portal.attendance.service import ON_DUTY, county_calendar, county_of_village, month_bounds, window_of
from portal.core.access import scoped
from portal.extensions import db
from portal.payroll.arrears import county_date
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.rules import ZERO, month_end
from portal.places.models import Township, Village
from portal.posts.models import Appointment, Post
from portal.registry.models import Person

HISTORY_MONTHS = 12


def add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + n
    return index // 12, index % 12 + 1


# ---- the clerk's months -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthRow:
    year: int
    month: int
    payroll: Payroll | None
    ended: bool
    opens_on: date  # the first day its payroll may be generated


def clerk_months(user, today: date) -> tuple[list[MonthRow], list[Payroll]]:
    """The village's last 12 months (this month first) with their payroll or none, and older payrolls."""
    payrolls = {(p.year, p.month): p for p in db.session.execute(
        scoped(select(Payroll), Payroll, user).order_by(Payroll.year.desc(), Payroll.month.desc())).scalars()}
    rows = []
    for n in range(HISTORY_MONTHS):
        year, month = add_months(today.year, today.month, -n)
        end = month_end(year, month)
        rows.append(MonthRow(year, month, payrolls.pop((year, month), None), today > end,
                             date.fromordinal(end.toordinal() + 1)))
    return rows, list(payrolls.values())


MISSING_MONTHS = 3  # the clerk is reminded of the last three ended months


def missing_months(user, today: date) -> list[tuple[int, int]]:
    """The clerk's ended months (the last MISSING_MONTHS) without a payroll while somebody was on duty."""
    months = [add_months(today.year, today.month, -n) for n in range(1, MISSING_MONTHS + 1)]
    have = set(db.session.execute(scoped(select(Payroll.year, Payroll.month), Payroll, user)).tuples())
    return [ym for ym in months if ym not in have
            and holder_counts([user.village_id], *ym).get(user.village_id, 0) > 0]


def villages_due(user, year: int, month: int) -> list[int]:
    """Villages of the user's scope with somebody on duty in the month and no payroll for it (grouped queries)."""
    with_payroll = select(Payroll.village_id).where(Payroll.year == year, Payroll.month == month)
    ids = list(db.session.execute(scoped(select(Village.id), Village, user).where(
        Village.id.not_in(with_payroll))).scalars())
    counts = holder_counts(ids, year, month) if ids else {}
    return [v for v in ids if counts.get(v, 0) > 0]


# ---- the queue ------------------------------------------------------------------------------------------


@dataclass
class QueueRow:
    village: Village
    payroll: Payroll | None
    holders: int = 0  # appointments on duty in the month (for villages without a payroll)


@dataclass
class Queue:
    rows: list[QueueRow] = field(default_factory=list)  # villages with a payroll (the state filter applied)
    missing: list[QueueRow] = field(default_factory=list)  # villages without one
    count_by_state: Counter = field(default_factory=Counter)
    total_by_state: dict[str, Decimal] = field(default_factory=dict)
    villages: int = 0

    @property
    def payrolls(self) -> int:
        return sum(self.count_by_state.values())

    @property
    def total(self) -> Decimal:
        return sum(self.total_by_state.values(), ZERO)

    @property
    def lines(self) -> int:
        return sum(r.payroll.line_count for r in self.rows)

    @property
    def shown_total(self) -> Decimal:
        return sum((r.payroll.total for r in self.rows), ZERO)


def holder_counts(village_ids: list[int], year: int, month: int) -> dict[int, int]:
    """Appointments on duty at some day of the month, per village."""
    first, last = month_bounds(year, month)
    rows = db.session.execute(select(Appointment.village_id, func.count(Appointment.id)).where(
        Appointment.village_id.in_(village_ids), Appointment.state.in_(ON_DUTY), Appointment.start_date <= last,
        Appointment.end_date >= first, or_(Appointment.exited_on.is_(None), Appointment.exited_on > first))
        .group_by(Appointment.village_id))
    return dict(rows.all())


def queue(user, year: int, month: int, state: str = "", township_id: int | None = None) -> Queue:
    """Every village of the user's scope (or of one township) for the month: its payroll with state, lines
    and total, or none; counts and totals by state."""
    stmt = scoped(select(Village), Village, user).options(joinedload(Village.township))
    if township_id is not None:
        stmt = stmt.where(Village.township_id == township_id)
    villages = list(db.session.execute(stmt.order_by(Village.code)).scalars())
    ids = [v.id for v in villages]
    payrolls = {p.village_id: p for p in db.session.execute(select(Payroll).where(
        Payroll.village_id.in_(ids), Payroll.year == year, Payroll.month == month)).scalars()}
    result = Queue(villages=len(villages))
    for p in payrolls.values():
        result.count_by_state[p.state] += 1
        result.total_by_state[p.state] = result.total_by_state.get(p.state, ZERO) + p.total
    without = [v for v in villages if v.id not in payrolls]
    counts = holder_counts([v.id for v in without], year, month) if without else {}
    for village in villages:
        payroll = payrolls.get(village.id)
        if payroll is None:
            result.missing.append(QueueRow(village, None, counts.get(village.id, 0)))
        elif not state or payroll.state == state:
            result.rows.append(QueueRow(village, payroll))
    return result


def townships(user) -> list[Township]:
    return list(db.session.execute(scoped(select(Township), Township, user).order_by(Township.code)).scalars())


# ---- a line's days ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayRow:
    day: date
    working: bool
    holiday: bool
    in_window: bool
    mark: str | None
    set_by: str
    set_at: datetime | None
    late: bool  # set after the day had passed


@dataclass(frozen=True)
class LineDays:
    days: list[DayRow]
    window: Window | None  # the appointment's duty window today
    current: Tally  # the marks as they are now, counted inside the window
    by_duty: Decimal  # S × D / R, unrounded
    by_window: Decimal  # S × W / M, unrounded


def line_days(line: PayrollLine, payroll: Payroll) -> LineDays:
    """The holder's days of the payroll's month: working day or not, the mark and who set it, and how the
    line's amount came out of them."""
    first, last = month_bounds(payroll.year, payroll.month)
    calendar = county_calendar(county_of_village(payroll.village_id))
    marks = {m.day: (m, name) for m, name in db.session.execute(
        select(AttendanceMark, User.full_name).outerjoin(User, User.id == AttendanceMark.set_by).where(
            AttendanceMark.appointment_id == line.appointment_id, AttendanceMark.day >= first,
            AttendanceMark.day <= last))}
    window = window_of(db.session.get(Appointment, line.appointment_id))
    days = []
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        day = date.fromordinal(ordinal)
        mark, name = marks.get(day, (None, ""))
        set_on = county_date(mark.set_at) if mark is not None else None
        days.append(DayRow(day, calendar.is_working_day(day), calendar.is_holiday(day),
                           window is not None and day in window, mark.mark if mark else None, name or "",
                           mark.set_at if mark else None, bool(set_on and late_change(day, set_on))))
    inside = window.clip(first, last) if window is not None else None
    current = tally({d: m.mark for d, (m, _n) in marks.items()}, inside)
    subsidy = Decimal(line.subsidy)
    by_duty = subsidy * Decimal(line.duty_days) / line.required_days if line.required_days else ZERO
    by_window = subsidy * line.window_days / line.month_days if line.month_days else ZERO
    return LineDays(days, window, current, by_duty, by_window)


def user_names(*ids: int | None) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(wanted))).all())


# ---- one payroll's page -----------------------------------------------------------------------------

LINE_COLUMNS = (PayrollLine.id, PayrollLine.kind, PayrollLine.person_name, PayrollLine.id_number,
                PayrollLine.post_title, PayrollLine.subsidy, PayrollLine.duty_days, PayrollLine.required_days,
                PayrollLine.window_days, PayrollLine.month_days, PayrollLine.present_days, PayrollLine.half_days,
                PayrollLine.leave_days, PayrollLine.absent_days, PayrollLine.amount, PayrollLine.adjusts_year,
                PayrollLine.adjusts_month, PayrollLine.reason, PayrollLine.appointment_id, PayrollLine.person_id)


def lines_of(payroll_id: int) -> tuple[list, list]:
    """The payroll's duty lines and its adjustment lines, as rows of what the page shows (not whole objects)."""
    rows = db.session.execute(select(*LINE_COLUMNS).where(PayrollLine.payroll_id == payroll_id)
                              .order_by(PayrollLine.id)).all()
    return [r for r in rows if r.kind == "duty"], [r for r in rows if r.kind != "duty"]


def holder_choices(village_id: int) -> list[tuple[int, str]]:
    """(appointment id, "name · post") of the village's holders on duty, by name: whom an adjustment may pay."""
    rows = db.session.execute(select(Appointment.id, Person.name, Post.title)
                              .join(Person, Person.id == Appointment.person_id)
                              .join(Post, Post.id == Appointment.post_id)
                              .where(Appointment.village_id == village_id, Appointment.state.in_(ON_DUTY))
                              .order_by(Person.name, Appointment.id)).tuples()
    return [(appointment_id, f"{name} · {title}") for appointment_id, name, title in rows]
