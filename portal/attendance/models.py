"""Attendance: one mark per holder per day, and its summary per holder and month (month locks and working-day
overrides are the kernel's: core.workdays)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.access import register_scope
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db


class AttendanceMark(db.Model):
    """A holder's duty on one day (出勤/半天/请假/旷工); who set it last and when (late changes show).

    About five million rows a year: only the appointment is a foreign key. The village is the appointment's
    (copied for the scope and the month queries) and `set_by` is the signed-in clerk, both set by the
    service alone; a foreign-key check per mark would double the cost of every save and load.
    """

    __tablename__ = "attendance_marks"
    __table_args__ = (
        UniqueConstraint("appointment_id", "day"),
        # Covers the payroll's count of a month's marks per holder (village, day range → holder, mark).
        Index("ix_attendance_marks_village_id_day", "village_id", "day", "appointment_id", "mark"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    village_id: Mapped[int] = mapped_column(Integer)
    day: Mapped[date] = mapped_column(Date)
    mark: Mapped[str] = mapped_column(String(8))
    set_by: Mapped[int | None] = mapped_column(Integer)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AttendanceMonth(db.Model):
    """One holder's month of marks in brief, rewritten by every save that touches it: the counts by mark,
    a fingerprint of the day-by-day pattern, and how long after its day each mark was saved.

    The audit reads these (a county year is ~240 000 rows) instead of the five million marks: identical
    patterns across a village (福利化) and marks saved long after their day (补录).
    `delays` is a histogram "days:count,…" of (save day − marked day) over the month's marks.
    """

    __tablename__ = "attendance_months"
    __table_args__ = (
        UniqueConstraint("appointment_id", "year", "month"),
        Index("ix_attendance_months_village_month", "village_id", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(Integer)
    village_id: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    present: Mapped[int] = mapped_column(Integer, default=0)
    half: Mapped[int] = mapped_column(Integer, default=0)
    leave: Mapped[int] = mapped_column(Integer, default=0)
    absent: Mapped[int] = mapped_column(Integer, default=0)
    pattern: Mapped[str] = mapped_column(String(40), default="")  # hash of the (day, mark) sequence
    delays: Mapped[str] = mapped_column(String(400), default="")
    max_delay: Mapped[int] = mapped_column(Integer, default=0)


register_scope(AttendanceMark, village=AttendanceMark.village_id)
register_scope(AttendanceMonth, village=AttendanceMonth.village_id)
