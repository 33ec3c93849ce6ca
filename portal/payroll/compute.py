"""Payroll lines from the facts: who was on duty in the month, their marks, the county's working days.

Set-based: one query for the appointments of all the villages asked for, with person columns and their
marks of the month counted by the database (GROUP BY appointment, joined: one row per holder with its four
counts; the county's 440 000 marks of a month stay in the database; holders whose window starts or ends
inside the month have their few marks read and counted by attendance.rules.tally), one for their posts'
terms, the calendar once per county; no ORM objects. Each line is
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
from dataclasses import astuple, dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import String, case, func, select, type_coerce

from portal.attendance.models import AttendanceMark
from portal.attendance.rules import Mark, Tally, Window, active_window, tally
from portal.attendance.service import ON_DUTY, county_calendar, month_bounds
from portal.core.auditlog import insert_rows
from portal.core.calendar import WorkCalendar
from portal.extensions import db
from portal.payroll.models import PayrollLine
from portal.payroll.rules import ZERO, pay_for_month, required_days
from portal.places.models import Township, Village
from portal.posts.models import Appointment, Post
from portal.registry.models import Person

_MARKS = (Mark.PRESENT, Mark.HALF, Mark.LEAVE, Mark.ABSENT)
# The dates come as the driver gives them (SQLite: ISO text) and are read once per distinct window (_inside).
_HOLDER_COLUMNS = (
    Appointment.id, Appointment.village_id, Appointment.person_id, Appointment.post_id, Appointment.state,
    type_coerce(Appointment.start_date, String), type_coerce(Appointment.end_date, String),
    type_coerce(Appointment.exited_on, String), Person.name, Person.id_number, Person.bank_name,
    Person.bank_account,
)


class PostTerms(NamedTuple):
    """What a line copies from its post (read once per post, not once per holder)."""

    title: str
    schedule: str
    part_time_days: int | None
    subsidy: Decimal


# A holder row (the holders query), by position: the appointment's facts, the person's, and the marks of the
# month as the database counted them. Its dates are as the driver gives them: `_day()` reads them.
HOLDER_FIELDS = ("appointment_id", "village_id", "person_id", "post_id", "state", "start", "end", "exited_on",
                 "name", "id_number", "bank_name", "bank_account", "present", "half", "leave", "absent")
(APPOINTMENT, VILLAGE, PERSON, POST, STATE, START, END, EXITED, NAME, ID_NUMBER, BANK, ACCOUNT) = range(12)
COUNTS = slice(12, 16)
Holder = tuple  # a row of HOLDER_FIELDS: 20 000 plain rows, no object each


def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


# A duty line's values, in this order (payroll_lines columns; the payroll, its creator and the empty reason
# are added when stored).
LINE_COLUMNS = ("village_id", "kind", "appointment_id", "person_id", "post_id", "person_name", "id_number",
                "post_title", "bank_name", "bank_account", "schedule", "subsidy", "required_days", "duty_days",
                "window_days", "month_days", "present_days", "half_days", "leave_days", "absent_days", "amount")
AMOUNT = LINE_COLUMNS.index("amount")


@dataclass
class Computed:
    """A village's month: the full-time required days (the month's working days), its duty lines, their total."""

    village_id: int
    month_days: int
    lines: list[tuple] = field(default_factory=list)
    total: Decimal = ZERO


# ---- the facts --------------------------------------------------------------------------------------


def holders_of(village_ids: Iterable[int] | None, start: date, end: date
               ) -> tuple[dict[int, list[Holder]], dict[int, PostTerms]]:
    """The appointments of the villages (all, with None) in an on-duty state whose term meets start..end,
    by village, ordered by post, name and appointment (the order of the attendance grid), each with its marks
    from start to end counted by the database (GROUP BY appointment: one row per holder, joined); and their
    posts' terms, read in a query of their own (a county has a tenth as many posts as holders)."""
    on_duty = [Appointment.state.in_(ON_DUTY), Appointment.start_date <= end, Appointment.end_date >= start]
    marks = [AttendanceMark.day >= start, AttendanceMark.day <= end]
    if village_ids is not None:
        wanted = list(village_ids)
        on_duty.append(Appointment.village_id.in_(wanted))
        marks.append(AttendanceMark.village_id.in_(wanted))
    counts = (select(AttendanceMark.appointment_id.label("appointment_id"),
                     *(func.sum(case((AttendanceMark.mark == m.value, 1), else_=0)).label(m.value) for m in _MARKS))
              .where(*marks).group_by(AttendanceMark.appointment_id).subquery("counts"))
    stmt = (select(*_HOLDER_COLUMNS, *(func.coalesce(counts.c[m.value], 0) for m in _MARKS))
            .join(Person, Person.id == Appointment.person_id)
            .outerjoin(counts, counts.c.appointment_id == Appointment.id).where(*on_duty)
            .order_by(Appointment.village_id, Appointment.post_id, Person.name, Appointment.id))
    posts = select(Post.id, Post.title, Post.schedule, Post.required_days, Post.subsidy).where(
        Post.id.in_(select(Appointment.post_id).where(*on_duty)))
    conn = db.session.connection()  # Core rows: no ORM result layer over 20 000 plain tuples
    terms = {post_id: PostTerms(*rest) for post_id, *rest in conn.execute(posts)}
    result: dict[int, list[Holder]] = {}
    for row in conn.execute(stmt).all():
        village = result.get(row[VILLAGE])
        if village is None:
            village = result[row[VILLAGE]] = []
        village.append(row)
    return result, terms


def recount(partial: dict[int, Window], start: date, end: date) -> dict[int, tuple[int, int, int, int]]:
    """The marks from start to end of holders whose window starts or ends inside the period (`partial`:
    appointment id → window), counted inside their window by attendance.rules.tally (they are few)."""
    if not partial:
        return {}
    marks: dict[int, dict[date, str]] = {}
    rows = db.session.execute(select(AttendanceMark.appointment_id, AttendanceMark.day, AttendanceMark.mark)
                              .where(AttendanceMark.appointment_id.in_(list(partial)),
                                     AttendanceMark.day >= start, AttendanceMark.day <= end))
    for appointment_id, day, mark in rows:
        marks.setdefault(appointment_id, {})[day] = mark
    return {appointment_id: astuple(tally(marks.get(appointment_id, {}), window))
            for appointment_id, window in partial.items()}


# Rule 3 per distinct case: a county month of 20 000 holders repeats a few dozen windows and a few hundred
# (post, marks, days) cases, so each is worked out once by the pure rules and then looked up.


@lru_cache(maxsize=4096)
def _inside(state: str, start: date | str, end: date | str, exited_on: date | str | None, first: date, last: date
            ) -> Window | None:
    window = active_window(state, _day(start), _day(end), _day(exited_on))
    return window.clip(first, last) if window is not None else None


@lru_cache(maxsize=8192)
def _pay_case(post: PostTerms, present: int, half: int, window_days: int, month_days: int
              ) -> tuple[int, Decimal, Decimal]:
    """(R, D, amount) of a holder of the post with these marks and days."""
    required = required_days(post.schedule, month_days, post.part_time_days)
    duty_days = Tally(present, half).duty_days
    return required, duty_days, pay_for_month(post.subsidy, duty_days, required, window_days, month_days)


# ---- the lines --------------------------------------------------------------------------------------


def calendars_of(village_ids: Iterable[int]) -> dict[int, WorkCalendar]:
    """Each village's county calendar (read once per county)."""
    rows = db.session.execute(select(Village.id, Township.county_id).join(Township, Village.township_id == Township.id)
                              .where(Village.id.in_(list(village_ids)))).all()
    by_county = {county_id: county_calendar(county_id) for county_id in {c for _, c in rows}}
    return {village_id: by_county[county_id] for village_id, county_id in rows}


# ---- the lines --------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _duty_days(counted: Tally) -> Decimal:
    return counted.duty_days


@lru_cache(maxsize=4096)
def _pay(subsidy: Decimal, duty_days: Decimal, required: int, window_days: int, month_days: int) -> Decimal:
    """pay_for_month, once per distinct case: a county month repeats a few hundred of them across 20 000 lines."""
    return pay_for_month(subsidy, duty_days, required, window_days, month_days)


def duty_line(holder: Holder, post: PostTerms, inside: Window, counted: tuple[int, int, int, int],
              working: list[date]) -> tuple:
    """The holder's duty line for the month (LINE_COLUMNS): `inside` their window within the month, `counted`
    their marks there (present, half, leave, absent), `working` the month's working days (sorted)."""
    month_days = len(working)
    if not working or (inside.start <= working[0] and inside.end >= working[-1]):
        window_days = month_days
    else:
        window_days = bisect_right(working, inside.end) - bisect_left(working, inside.start)
    present, half, leave, absent = counted
    required, duty_days, amount = _pay_case(post, present, half, window_days, month_days)
    return (holder[VILLAGE], "duty", holder[APPOINTMENT], holder[PERSON], holder[POST], holder[NAME],
            holder[ID_NUMBER], post.title, holder[BANK] or "", holder[ACCOUNT] or "", post.schedule,
            post.subsidy, required, duty_days, window_days, month_days, present, half, leave, absent, amount)


def compute_many(village_ids: list[int] | None, year: int, month: int) -> dict[int, Computed]:
    """Every asked village's duty lines for the month (villages without holders get no lines)."""
    first, last = month_bounds(year, month)
    holders, terms = holders_of(village_ids, first, last)
    inside: dict[int, Window] = {}
    partial: dict[int, Window] = {}
    for rows in holders.values():
        for h in rows:
            clipped = _inside(h[STATE], h[START], h[END], h[EXITED], first, last)
            if clipped is not None:
                inside[h[APPOINTMENT]] = clipped
                if clipped.start != first or clipped.end != last:
                    partial[h[APPOINTMENT]] = clipped
    recounted = recount(partial, first, last)
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
        lines = computed.lines
        for holder in holders.get(village_id, ()):
            window = inside.get(holder[APPOINTMENT])
            if window is not None:
                counted = recounted.get(holder[APPOINTMENT]) or holder[COUNTS]
                lines.append(duty_line(holder, terms[holder[POST]], window, counted, working))
        computed.total = sum((line[AMOUNT] for line in lines), ZERO)
        result[village_id] = computed
    return result


def compute(village_id: int, year: int, month: int) -> Computed:
    """One village's duty lines for the month."""
    return compute_many([village_id], year, month)[village_id]


def insert_lines(batches: Iterable[tuple[int, list[tuple]]], created_by: int | None) -> None:
    """Store the lines of each (payroll id, lines) in one trip, inside the session's transaction.

    The county's batch writes 20 000 lines: they go to the driver as they are bound (COPY on PostgreSQL,
    one executemany on SQLite; core.auditlog.insert_rows), not through SQLAlchemy's per-row parameters.
    """
    rows = [(*line, payroll_id) for payroll_id, lines in batches for line in lines]
    insert_rows(PayrollLine.__table__, (*LINE_COLUMNS, "payroll_id"), rows, created_by=created_by, reason="")
