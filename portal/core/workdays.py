"""The county's working days and a village's locked months: the two calendar facts every feature reads.

The county admin overrides single days of the national calendar (attendance.overrides writes them); a
village's month is locked while its payroll is submitted, approved or paid (attendance.service.lock_month
writes the lock when payroll submits). Hiring and workshop notices count working days, exits and settings
keep out of locked months: they read both here, below every feature.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.access import register_scope
from portal.core.calendar import WorkCalendar
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db


class MonthLock(db.Model):
    """A village month whose attendance may not change: its payroll is submitted, approved or paid."""

    __tablename__ = "attendance_locks"
    __table_args__ = (UniqueConstraint("village_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    locked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WorkdayOverride(db.Model):
    """A county's local change to the national calendar: a day made a working day or a day off."""

    __tablename__ = "workday_overrides"
    __table_args__ = (UniqueConstraint("county_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(120), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register_scope(MonthLock, village=MonthLock.village_id)
register_scope(WorkdayOverride, county=WorkdayOverride.county_id)


def county_calendar(county_id: int) -> WorkCalendar:
    """The national working-day calendar with the county's overrides (local holidays, make-up days)."""
    rows = db.session.execute(select(WorkdayOverride.day, WorkdayOverride.working)
                              .where(WorkdayOverride.county_id == county_id)).all()
    return WorkCalendar({day: working for day, working in rows})


def locked_months(village_id: int) -> set[tuple[int, int]]:
    """(year, month) of the village's months whose payroll is submitted, approved or paid."""
    rows = db.session.execute(select(MonthLock.year, MonthLock.month).where(MonthLock.village_id == village_id))
    return {(y, m) for y, m in rows}
