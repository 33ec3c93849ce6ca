"""Attendance use cases: the county calendar, a village's holders and marks, saving marks, month locks.

Saving is all-or-nothing: every change is checked against Rule 3 (attendance.rules.mark_refusal) and
one refused cell refuses the save, naming each cell and its reason. A save takes the village's row lock
first (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers anyway), and so does a payroll
submission, so a mark can never slip into a month while its payroll is being submitted.
One audit row per save lists every cell changed, before and after, and the changed holder-months' summaries
(attendance.summary, read by the county audit) are rewritten in the same transaction.
"""

from __future__ import annotations

import calendar as _cal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from portal.attendance.models import AttendanceMark
from portal.attendance.rules import Mark, Refusal, Window, active_window, mark_refusal
from portal.attendance.summary import refresh_months
from portal.core import auditlog
from portal.core.access import Role
from portal.core.clock import county_today
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.types import utcnow
from portal.core.workdays import MonthLock, county_calendar, locked_months  # noqa: F401  (read here by the pages)
from portal.extensions import db
from portal.places.models import Township, Village
from portal.posts.models import Appointment
from portal.registry.models import Person

ON_DUTY = ("approved", "active", "exiting", "exited")


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


def marks_between(village_id: int, start: date, end: date) -> dict[int, dict[date, AttendanceMark]]:
    """The village's marks from start to end, by appointment id then day."""
    result: dict[int, dict[date, AttendanceMark]] = {}
    stmt = select(AttendanceMark).where(AttendanceMark.village_id == village_id,
                                        AttendanceMark.day >= start, AttendanceMark.day <= end)
    for mark in db.session.execute(stmt).scalars():
        result.setdefault(mark.appointment_id, {})[mark.day] = mark
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
        return _("%(day)s has not come yet: a mark is set on the day or after it.", day=day.isoformat())
    if code == Refusal.LOCKED:
        return _("%(year)d-%(month)02d is locked: its payroll has been submitted. The township must return it "
                 "before a mark changes.", year=day.year, month=day.month)
    if code == Refusal.OUTSIDE_WINDOW:
        if window is None:
            return _("This person is not on duty (the appointment is not approved or has ended).")
        return _("%(day)s is outside this person's time on the post (%(start)s to %(end)s).",
                 day=day.isoformat(), start=window.start.isoformat(), end=window.end.isoformat())
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


def save_marks(user, village_id: int, changes: Iterable[Change], today: date | None = None) -> SaveResult:
    """Set or clear marks of the village's holders; all or nothing, audited in one row, committed."""
    _ensure_clerk(user, village_id)
    changes = list({(c.appointment_id, c.day): c for c in changes}.values())  # the last word per cell
    result = SaveResult()
    if not changes:
        return result
    today = today or county_today()
    hold_village(village_id)
    locked = locked_months(village_id)
    ids = {c.appointment_id for c in changes}
    appointments = {a.id: a for a in db.session.execute(
        select(Appointment).where(Appointment.id.in_(ids), Appointment.village_id == village_id)).scalars()}
    problems = []
    for c in changes:
        appointment = appointments.get(c.appointment_id)
        if appointment is None:
            problems.append(CellProblem(c.appointment_id, c.day, "unknown_holder",
                                        refusal_text("unknown_holder", c.day)))
            continue
        window = window_of(appointment)
        refusal = mark_refusal(c.day, today, window, locked)
        if refusal is not None:
            problems.append(CellProblem(c.appointment_id, c.day, str(refusal), refusal_text(refusal, c.day, window)))
    if problems:
        db.session.rollback()
        raise MarksRefused(problems)
    days = [c.day for c in changes]
    existing = {(m.appointment_id, m.day): m.mark for m in db.session.execute(
        select(AttendanceMark).where(AttendanceMark.appointment_id.in_(ids),
                                     AttendanceMark.day >= min(days), AttendanceMark.day <= max(days))).scalars()}
    upserts, clears, before, after = [], [], {}, {}
    now = utcnow()
    for c in changes:
        key = (c.appointment_id, c.day)
        old, new = existing.get(key), (str(c.mark) if c.mark is not None else None)
        result.cells[key] = new
        if old == new:
            result.unchanged += 1
            continue
        label = f"{c.appointment_id}/{c.day.isoformat()}"
        before[label], after[label] = old, new
        if new is None:
            clears.append(key)
        else:
            upserts.append({"appointment_id": c.appointment_id, "village_id": village_id, "day": c.day,
                            "mark": new, "set_by": user.id, "set_at": now})
    if upserts:
        _upsert(upserts)
    for appointment_id, day in clears:
        db.session.execute(delete(AttendanceMark).where(and_(AttendanceMark.appointment_id == appointment_id,
                                                             AttendanceMark.day == day)))
    # the holder-months changed get their summary rewritten in this transaction (the audit reads those)
    refresh_months({(r["appointment_id"], r["day"].year, r["day"].month) for r in upserts}
                   | {(appointment_id, day.year, day.month) for appointment_id, day in clears})
    result.changed = len(before)
    if before:
        auditlog.record(user, "attendance.set", "village_attendance", village_id, before, after)
    db.session.commit()
    return result


def _upsert(rows: list[dict]) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(AttendanceMark.__table__)
    stmt = stmt.on_conflict_do_update(index_elements=["appointment_id", "day"],
                                      set_={"mark": stmt.excluded.mark, "set_by": stmt.excluded.set_by,
                                            "set_at": stmt.excluded.set_at})
    db.session.execute(stmt, rows)
