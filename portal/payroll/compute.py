"""Payroll lines from the facts: who was on duty in the month, their marks, the county's working days.

Set-based: one query for the appointments of all the villages asked for (with person and post columns),
one counting their marks of the month (GROUP BY appointment and mark: the county's 440 000 marks of a
month stay in the database; holders whose window starts or ends inside the month have their few marks
read and counted by attendance.rules.tally), the calendar once per county; no ORM objects. Each line is
then Rule 3 applied by the pure rules (Tally.duty_days, payroll.rules.required_days and pay_for_month):

  S = the post's subsidy, R = required days, D = duty days credited inside the active window,
  W = working days of the month inside the window, M = working days of the month,
  amount = min(S×D/R, S×W/M), half-up to the fen once.

A holder on duty at some day of the month gets a line even when it pays nothing (all leave, no marks):
the sheet shows that they held the post and earned nothing. The single-village generation and the
county batch use this same code, so they cannot disagree.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from portal.attendance.models import AttendanceMark
from portal.attendance.rules import Mark, Tally, Window, active_window, tally
from portal.attendance.service import ON_DUTY, county_calendar, month_bounds
from portal.core.calendar import WorkCalendar
from portal.extensions import db
from portal.payroll.models import PayrollLine
from portal.payroll.rules import ZERO, pay_for_month, required_days
from portal.places.models import Township, Village
from portal.posts.models import Appointment, Post
from portal.registry.models import Person

NO_MARKS = Tally()
_HOLDER_COLUMNS = (
    Appointment.id, Appointment.village_id, Appointment.person_id, Appointment.post_id, Appointment.state,
    Appointment.start_date, Appointment.end_date, Appointment.exited_on, Person.name, Person.id_number,
    Person.bank_name, Person.bank_account, Post.title, Post.schedule, Post.required_days, Post.subsidy,
)


@dataclass(frozen=True)
class Holder:
    """One appointment's facts for the month (a row of the holders query)."""

    appointment_id: int
    village_id: int
    person_id: int
    post_id: int
    state: str
    start: date
    end: date
    exited_on: date | None
    name: str
    id_number: str
    bank_name: str
    bank_account: str
    title: str
    schedule: str
    part_time_days: int | None
    subsidy: Decimal

    @property
    def window(self) -> Window | None:
        return active_window(self.state, self.start, self.end, self.exited_on)


@dataclass
class Computed:
    """A village's month: the full-time required days (the month's working days) and its duty lines."""

    village_id: int
    month_days: int
    lines: list[dict] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line["amount"] for line in self.lines), ZERO)


# ---- the facts --------------------------------------------------------------------------------------


def holders_of(village_ids: Iterable[int] | None, start: date, end: date) -> dict[int, list[Holder]]:
    """The appointments of the villages (all, with None) in an on-duty state whose term meets start..end,
    by village, ordered by post, name and appointment (the order of the attendance grid)."""
    stmt = (select(*_HOLDER_COLUMNS).join(Person, Person.id == Appointment.person_id)
            .join(Post, Post.id == Appointment.post_id)
            .where(Appointment.state.in_(ON_DUTY), Appointment.start_date <= end, Appointment.end_date >= start)
            .order_by(Appointment.village_id, Appointment.post_id, Person.name, Appointment.id))
    if village_ids is not None:
        stmt = stmt.where(Appointment.village_id.in_(list(village_ids)))
    result: dict[int, list[Holder]] = {}
    for row in db.session.execute(stmt):
        result.setdefault(row[1], []).append(Holder(*row))
    return result


def tallies_of(village_ids: Iterable[int] | None, start: date, end: date,
               partial: dict[int, Window]) -> dict[int, Tally]:
    """Each appointment's marks from start to end, counted inside its active window.

    Holders on duty for the whole period are counted by the database (GROUP BY appointment and mark: all
    their marks lie inside the window, and the county's 440 000 marks of a month stay where they are).
    The few whose window starts or ends inside the period (`partial`: appointment id → window) have their
    marks read and counted by attendance.rules.tally.
    """
    stmt = (select(AttendanceMark.appointment_id, AttendanceMark.mark, func.count())
            .where(AttendanceMark.day >= start, AttendanceMark.day <= end)
            .group_by(AttendanceMark.appointment_id, AttendanceMark.mark))
    if village_ids is not None:
        stmt = stmt.where(AttendanceMark.village_id.in_(list(village_ids)))
    counts: dict[int, dict[str, int]] = {}
    for appointment_id, mark, n in db.session.execute(stmt):
        counts.setdefault(appointment_id, {})[mark] = n
    result = {appointment_id: Tally(*(c.get(m, 0) for m in (Mark.PRESENT, Mark.HALF, Mark.LEAVE, Mark.ABSENT)))
              for appointment_id, c in counts.items() if appointment_id not in partial}
    if partial:
        marks: dict[int, dict[date, str]] = {}
        rows = db.session.execute(select(AttendanceMark.appointment_id, AttendanceMark.day, AttendanceMark.mark)
                                  .where(AttendanceMark.appointment_id.in_(list(partial)),
                                         AttendanceMark.day >= start, AttendanceMark.day <= end))
        for appointment_id, day, mark in rows:
            marks.setdefault(appointment_id, {})[day] = mark
        for appointment_id, window in partial.items():
            result[appointment_id] = tally(marks.get(appointment_id, {}), window)
    return result


def calendars_of(village_ids: Iterable[int]) -> dict[int, WorkCalendar]:
    """Each village's county calendar (read once per county)."""
    rows = db.session.execute(select(Village.id, Township.county_id).join(Township, Village.township_id == Township.id)
                              .where(Village.id.in_(list(village_ids)))).all()
    by_county = {county_id: county_calendar(county_id) for county_id in {c for _, c in rows}}
    return {village_id: by_county[county_id] for village_id, county_id in rows}


# ---- the lines --------------------------------------------------------------------------------------


def duty_line(holder: Holder, inside: Window, counted: Tally, working: list[date]) -> dict:
    """The holder's duty line for the month: `inside` their window within the month, `counted` their marks
    there, `working` the month's working days (sorted)."""
    month_days = len(working)
    window_days = bisect_right(working, inside.end) - bisect_left(working, inside.start)
    required = required_days(holder.schedule, month_days, holder.part_time_days)
    subsidy = Decimal(holder.subsidy)
    return {
        "village_id": holder.village_id, "kind": "duty", "appointment_id": holder.appointment_id,
        "person_id": holder.person_id, "post_id": holder.post_id, "person_name": holder.name,
        "id_number": holder.id_number, "post_title": holder.title, "bank_name": holder.bank_name or "",
        "bank_account": holder.bank_account or "", "schedule": holder.schedule, "subsidy": subsidy,
        "required_days": required, "duty_days": counted.duty_days, "window_days": window_days,
        "month_days": month_days, "present_days": counted.present, "half_days": counted.half,
        "leave_days": counted.leave, "absent_days": counted.absent,
        "amount": pay_for_month(subsidy, counted.duty_days, required, window_days, month_days),
        "adjusts_year": None, "adjusts_month": None, "reason": "",
    }


def compute_many(village_ids: list[int] | None, year: int, month: int) -> dict[int, Computed]:
    """Every asked village's duty lines for the month (villages without holders get no lines)."""
    first, last = month_bounds(year, month)
    holders = holders_of(village_ids, first, last)
    inside: dict[int, Window] = {}
    for holder in (h for rows in holders.values() for h in rows):
        window = holder.window
        clipped = window.clip(first, last) if window is not None else None
        if clipped is not None:
            inside[holder.appointment_id] = clipped
    tallies = tallies_of(village_ids, first, last,
                         {a: w for a, w in inside.items() if (w.start, w.end) != (first, last)})
    wanted = list(village_ids) if village_ids is not None else list(holders)
    calendars = calendars_of(wanted)
    working_by_calendar: dict[int, list[date]] = {}
    result = {}
    for village_id in wanted:
        calendar = calendars.get(village_id)
        if calendar is None:
            continue
        working = working_by_calendar.get(id(calendar))
        if working is None:
            working = working_by_calendar[id(calendar)] = calendar.month_working_days(year, month)
        computed = Computed(village_id, len(working))
        for holder in holders.get(village_id, ()):
            if holder.appointment_id in inside:
                computed.lines.append(duty_line(holder, inside[holder.appointment_id],
                                                tallies.get(holder.appointment_id, NO_MARKS), working))
        result[village_id] = computed
    return result


def compute(village_id: int, year: int, month: int) -> Computed:
    """One village's duty lines for the month."""
    return compute_many([village_id], year, month)[village_id]


def insert_lines(payroll_id: int | None, lines: list[dict], created_by: int | None) -> None:
    """Store lines in one trip (payroll_id None: each line carries its own).

    The county's batch writes 20 000 lines: SQLAlchemy's Core executemany spent longer building each
    row's parameters than the database took to store them, so the rows go to the driver as they are
    bound (COPY on PostgreSQL, one executemany on SQLite), inside the session's transaction.
    """
    if not lines:
        return
    table = PayrollLine.__table__
    names = [c for c in lines[0] if c != "payroll_id"] + ["payroll_id", "created_by"]
    conn = db.session.connection()
    dialect = conn.dialect
    rows = ([line[c] for c in names[:-2]] + [payroll_id if payroll_id is not None else line["payroll_id"], created_by]
            for line in lines)
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(c) for c in names)
    if dialect.name == "postgresql":
        with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(
                f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    processors = [(i, p) for i, c in enumerate(names)
                  if (p := table.c[c].type.dialect_impl(dialect).bind_processor(dialect)) is not None]
    bound = []
    for row in rows:
        for i, process in processors:
            row[i] = process(row[i])
        bound.append(tuple(row))
    marks = ", ".join(["?" if dialect.paramstyle == "qmark" else "%s"] * len(names))
    conn.exec_driver_sql(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})",  # noqa: S608 (our names)
                         bound)
