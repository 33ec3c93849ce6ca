"""Attendance use cases: the county calendar, a village's holders and marks, saving marks, month locks.

Saving is all-or-nothing: every cell asked for (for a posted grid, every cell that differs from the stored
mark) is checked against Rule 3 (attendance.rules.mark_refusal) and one refused cell refuses the save, naming
each cell and its reason. A save takes the village's row lock
first (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), and so does a payroll
submission, so a mark can never slip into a month while its payroll is being submitted.
Only cells whose mark changes are written, in one bulk upsert. One audit row per save holds every cell changed,
before and after, compactly (audit_cells), and the changed holder-months' summaries (attendance.summary, read by
the county audit) are rewritten in the same transaction.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import String, delete, select, tuple_, type_coerce, update
from sqlalchemy.orm import joinedload

from portal.attendance.audit_cells import audit_cells, cells_of_audit  # noqa: F401  (cells_of_audit: readers)
from portal.attendance.models import AttendanceMark
from portal.attendance.rules import Mark, Refusal, Window, active_window, mark_refusal
from portal.attendance.summary import refresh_months
from portal.core import auditlog
from portal.core.access import Role
from portal.core.clock import county_today
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.i18n import date_label, month_label
from portal.core.types import utcnow
from portal.core.workdays import MonthLock, county_calendar, locked_months  # noqa: F401  (read here by the pages)
from portal.extensions import db
from portal.places.models import Township, Village
from portal.posts.models import Appointment
from portal.registry.models import Person

ON_DUTY = ("approved", "active", "exiting", "exited")
CHUNK = 500  # cells per IN list


# ---- calendar and locks -----------------------------------------------------------------------------


def county_of_village(village_id: int) -> int:
    return db.session.execute(select(Township.county_id).join(Village, Village.township_id == Township.id)
                              .where(Village.id == village_id)).scalar_one()


def hold_village(village_id: int) -> None:
    """Take the village's row lock for this transaction (mark saves and payroll submissions queue on it).

    PostgreSQL: SELECT … FOR UPDATE. SQLite has no row locks and its driver begins a transaction only at the
    first write, so a no-op UPDATE takes the database's write lock here, before anything is read."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(Village.__table__).where(Village.__table__.c.id == village_id)
                           .values(id=Village.__table__.c.id))
    else:
        db.session.execute(select(Village.id).where(Village.id == village_id).with_for_update())


def lock_month(actor, village_id: int, year: int, month: int) -> None:
    """Lock the village's month (the payroll was submitted). The caller holds the village and commits."""
    db.session.add(MonthLock(village_id=village_id, year=year, month=month, locked_by=getattr(actor, "id", None)))
    db.session.flush()


def unlock_month(village_id: int, year: int, month: int) -> None:
    """Unlock the village's month (the payroll was returned). The caller commits."""
    db.session.execute(delete(MonthLock).where(MonthLock.village_id == village_id, MonthLock.year == year,
                                               MonthLock.month == month))


# ---- reading ----------------------------------------------------------------------------------------


def window_of(appointment: Appointment) -> Window | None:
    return active_window(appointment.state, appointment.start_date, appointment.end_date, appointment.exited_on)


def holders(village_id: int, start: date, end: date) -> list[Appointment]:
    """The village's appointments on duty at some day from start to end, by post then name."""
    stmt = (select(Appointment).join(Person, Person.id == Appointment.person_id)
            .where(Appointment.village_id == village_id, Appointment.state.in_(ON_DUTY),
                   Appointment.start_date <= end, Appointment.end_date >= start)
            .options(joinedload(Appointment.person), joinedload(Appointment.post))
            .order_by(Appointment.post_id, Person.name, Appointment.id))
    rows = db.session.execute(stmt).scalars().all()
    return [a for a in rows if (w := window_of(a)) is not None and w.clip(start, end) is not None]


class StoredMark(NamedTuple):
    """A stored mark as the pages read it: what, who set it last and when."""

    mark: str
    set_by: int | None
    set_at: datetime


def marks_between(village_id: int, start: date, end: date) -> dict[int, dict[date, StoredMark]]:
    """The village's marks from start to end, by appointment id then day (plain rows: a month grid reads 2 400;
    the few distinct save times among them are converted once each)."""
    result: dict[int, dict[date, StoredMark]] = {}
    conn = db.session.connection()
    stamp = AttendanceMark.__table__.c.set_at.type.dialect_impl(conn.dialect).result_processor(conn.dialect, None)
    stamps: dict = {}
    stmt = select(AttendanceMark.appointment_id, AttendanceMark.day, AttendanceMark.mark, AttendanceMark.set_by,
                  type_coerce(AttendanceMark.set_at, String)).where(
        AttendanceMark.village_id == village_id, AttendanceMark.day >= start, AttendanceMark.day <= end)
    for appointment_id, day, mark, set_by, raw in conn.execute(stmt).all():
        set_at = stamps.get(raw)
        if set_at is None:
            set_at = stamps[raw] = stamp(raw) if stamp else raw
        days = result.get(appointment_id)
        if days is None:
            days = result[appointment_id] = {}
        days[day] = StoredMark(mark, set_by, set_at)
    return result


def marks_for(appointment_id: int, start: date, end: date) -> dict[date, str]:
    """One holder's marks from start to end (day → mark)."""
    rows = db.session.execute(select(AttendanceMark.day, AttendanceMark.mark).where(
        AttendanceMark.appointment_id == appointment_id, AttendanceMark.day >= start, AttendanceMark.day <= end))
    return {day: mark for day, mark in rows}


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, _cal.monthrange(year, month)[1])


# ---- writing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """Set (or, with mark None, clear) one holder's mark on one day."""

    appointment_id: int
    day: date
    mark: Mark | None


@dataclass(frozen=True)
class CellProblem:
    appointment_id: int
    day: date
    code: str
    message: str


class MarksRefused(RuleViolation):
    """A save broke Rule 3 on one or more cells; nothing was written. `cells` names each one."""

    code = "marks_refused"

    def __init__(self, cells: Sequence[CellProblem]):
        super().__init__(cells[0].message, field="marks")
        self.cells = list(cells)


def refusal_text(code: str, day: date, window: Window | None = None) -> str:
    """The sentence a clerk reads on a refused cell."""
    if code == Refusal.FUTURE:
        return _("%(day)s has not come yet: a mark is set on the day or after it.", day=date_label(day))
    if code == Refusal.LOCKED:
        return _("%(month)s is locked: its payroll has been submitted. The township must return it "
                 "before a mark changes.", month=month_label(day))
    if code == Refusal.OUTSIDE_WINDOW:
        if window is None:
            return _("This person is not on duty (the appointment is not approved or has ended).")
        return _("%(day)s is outside this person's time on the post (%(start)s to %(end)s).",
                 day=date_label(day), start=date_label(window.start), end=date_label(window.end))
    if code == "unknown_holder":
        return _("This person holds no post in this village.")
    return _("This mark cannot be set.")


@dataclass
class SaveResult:
    changed: int = 0
    unchanged: int = 0
    cells: dict[tuple[int, date], str | None] = field(default_factory=dict)


def _ensure_clerk(user, village_id: int) -> None:
    if getattr(user, "role", None) != Role.VILLAGE_CLERK or user.village_id != village_id:
        raise NotAllowed(_("Only the village's clerk logs its attendance."))


def save_marks(user, village_id: int, changes: Iterable[Change], today: date | None = None,
               only_changes: bool = False) -> SaveResult:
    """Set or clear marks of the village's holders; all or nothing, audited in one row, committed. Only cells
    whose mark differs from the stored one are written (and audited); the rest are counted unchanged. With
    `only_changes` (a whole grid posted back) an unchanged cell is not checked either, so read-only cells
    sent as they are pass; otherwise every cell asked for must be one the clerk may set."""
    _ensure_clerk(user, village_id)
    user_id = user.id  # once: `user` is often flask_login's current_user, a proxy
    changes = list({(c.appointment_id, c.day): c for c in changes}.values())  # the last word per cell
    result = SaveResult()
    if not changes:
        return result
    today = today or county_today()
    hold_village(village_id)
    ids = {c.appointment_id for c in changes}
    existing = stored_marks(village_id, ids, min(c.day for c in changes), max(c.day for c in changes))
    cells = []
    for c in changes:
        key = (c.appointment_id, c.day)
        old, new = existing.get(key), (c.mark.value if c.mark is not None else None)
        result.cells[key] = new
        if old != new:
            cells.append((c.appointment_id, c.day, old, new))
    result.changed, result.unchanged = len(cells), len(changes) - len(cells)
    _refuse(village_id, cells if only_changes else [(c.appointment_id, c.day) for c in changes], today)
    if not cells:
        db.session.rollback()
        return result
    _upsert(village_id, user_id, [(a, day, new) for a, day, _old, new in cells if new is not None])
    clears = [(a, day) for a, day, _old, new in cells if new is None]
    for i in range(0, len(clears), CHUNK):
        db.session.execute(delete(AttendanceMark).where(
            tuple_(AttendanceMark.appointment_id, AttendanceMark.day).in_(clears[i:i + CHUNK])))
    # the holder-months changed get their summary rewritten in this transaction (the audit reads those)
    refresh_months({(a, day.year, day.month) for a, day, _old, _new in cells})
    before, after = audit_cells(cells)
    auditlog.record(user, "attendance.set", "village_attendance", village_id, before, after)
    db.session.commit()
    return result


def _refuse(village_id: int, cells: Sequence[tuple], today: date) -> None:
    """Rule 3 on every (appointment id, day, …) cell: a refused one refuses the save, naming each cell."""
    if not cells:
        return
    locked = locked_months(village_id)
    windows = {row[0]: active_window(*row[1:]) for row in db.session.execute(
        select(Appointment.id, Appointment.state, Appointment.start_date, Appointment.end_date, Appointment.exited_on)
        .where(Appointment.id.in_({c[0] for c in cells}), Appointment.village_id == village_id))}
    problems = []
    for appointment_id, day, *_marks in cells:
        if appointment_id not in windows:
            problems.append(CellProblem(appointment_id, day, "unknown_holder", refusal_text("unknown_holder", day)))
            continue
        window = windows[appointment_id]
        refusal = mark_refusal(day, today, window, locked)
        if refusal is not None:
            problems.append(CellProblem(appointment_id, day, str(refusal), refusal_text(refusal, day, window)))
    if problems:
        db.session.rollback()
        raise MarksRefused(problems)


def stored_marks(village_id: int, appointment_ids: Iterable[int], first: date, last: date
                 ) -> dict[tuple[int, date], str]:
    """(appointment id, day) → mark of these holders of the village from first to last, as plain rows."""
    rows = db.session.execute(select(AttendanceMark.appointment_id, AttendanceMark.day, AttendanceMark.mark).where(
        AttendanceMark.appointment_id.in_(list(appointment_ids)), AttendanceMark.village_id == village_id,
        AttendanceMark.day >= first, AttendanceMark.day <= last))
    return {(a, day): mark for a, day, mark in rows}


_UPSERT_POSTGRES = (
    "INSERT INTO attendance_marks (appointment_id, village_id, day, mark, set_by, set_at) "
    "SELECT a, %(village)s, d, m, %(user)s, %(at)s FROM unnest(%(a)s::integer[], %(d)s::date[], %(m)s::varchar[]) "
    "AS cell (a, d, m) ON CONFLICT (appointment_id, day) DO UPDATE SET mark = excluded.mark, "
    "set_by = excluded.set_by, set_at = excluded.set_at")
_UPSERT_SQLITE = (
    "INSERT INTO attendance_marks (appointment_id, village_id, day, mark, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (appointment_id, day) DO UPDATE SET mark = excluded.mark, set_by = excluded.set_by, "
    "set_at = excluded.set_at")


def _upsert(village_id: int, user_id: int, cells: list[tuple[int, date, str]]) -> None:
    """Set the (appointment id, day, mark) cells in one INSERT … ON CONFLICT DO UPDATE. PostgreSQL: one statement
    over the cells as arrays (unnest); SQLite: one executemany of values bound once, as core.auditlog.insert_rows
    binds them (SQLAlchemy's per-row parameter handling cost more than the writes)."""
    if not cells:
        return
    table = AttendanceMark.__table__
    conn = db.session.connection()
    dialect = conn.dialect
    stamp = table.c.set_at.type.dialect_impl(dialect).bind_processor(dialect)
    set_at = stamp(utcnow()) if stamp else utcnow()
    if dialect.name == "postgresql":
        conn.exec_driver_sql(_UPSERT_POSTGRES, {
            "village": village_id, "user": user_id, "at": set_at, "a": [c[0] for c in cells],
            "d": [c[1] for c in cells], "m": [c[2] for c in cells]})
        return
    day = table.c.day.type.dialect_impl(dialect).bind_processor(dialect) or (lambda d: d)
    conn.exec_driver_sql(_UPSERT_SQLITE, [(a, village_id, day(d), mark, user_id, set_at) for a, d, mark in cells])
