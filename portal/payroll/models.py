"""Payroll: one subsidy sheet (补贴发放表) per village and month, and its lines (duty pay and adjustments)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.access import register_scope
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db
from portal.places.models import Village

MONEY = Numeric(12, 2)
DAYS = Numeric(5, 1)


class Payroll(db.Model):
    """A village's payroll for one month: draft → submitted → approved | returned → paid."""

    __tablename__ = "payrolls"
    __table_args__ = (UniqueConstraint("village_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), index=True, default="draft")
    line_count: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal("0.00"))
    required_days: Mapped[int] = mapped_column(Integer, default=0)  # full-time R: the month's working days
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_on: Mapped[date | None] = mapped_column(Date)  # county date of approval: the payment deadline runs from it
    return_reason: Mapped[str] = mapped_column(Text, default="")
    paid_on: Mapped[date | None] = mapped_column(Date)
    bank_reference: Mapped[str] = mapped_column(String(60), default="")
    paid_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    village: Mapped[Village] = relationship()
    lines: Mapped[list[PayrollLine]] = relationship(back_populates="payroll", order_by="PayrollLine.id",
                                                    cascade="all, delete-orphan")


class PayrollLine(db.Model):
    """One holder's pay for the month (kind `duty`), or a correction of an earlier month (kind `adjustment`).

    Name, post title and bank details are copied when the line is computed, so a submitted sheet
    does not change when the register does. Only the payroll is a foreign key: the appointment (which holds
    the village's, person's and post's keys), those copies and the creator are written by the payroll service
    from rows it has just read, and no query needs the database to check them; a county batch writes 20 000
    lines, and each foreign key is a lookup and a row lock per line (migration 0008).
    """

    __tablename__ = "payroll_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    payroll_id: Mapped[int] = mapped_column(ForeignKey("payrolls.id"), index=True)
    village_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10), default="duty")
    appointment_id: Mapped[int] = mapped_column(Integer, index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    post_id: Mapped[int] = mapped_column(Integer)
    person_name: Mapped[str] = mapped_column(String(40))
    id_number: Mapped[str] = mapped_column(String(18))
    post_title: Mapped[str] = mapped_column(String(60))
    bank_name: Mapped[str] = mapped_column(String(60), default="")
    bank_account: Mapped[str] = mapped_column(String(32), default="")
    schedule: Mapped[str] = mapped_column(String(10))
    subsidy: Mapped[Decimal] = mapped_column(MONEY)  # S
    required_days: Mapped[int] = mapped_column(Integer)  # R
    duty_days: Mapped[Decimal] = mapped_column(DAYS)  # D
    window_days: Mapped[int] = mapped_column(Integer)  # W
    month_days: Mapped[int] = mapped_column(Integer)  # M
    present_days: Mapped[int] = mapped_column(Integer, default=0)
    half_days: Mapped[int] = mapped_column(Integer, default=0)
    leave_days: Mapped[int] = mapped_column(Integer, default=0)
    absent_days: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    adjusts_year: Mapped[int | None] = mapped_column(Integer)
    adjusts_month: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(Integer)

    payroll: Mapped[Payroll] = relationship(back_populates="lines")


register_scope(Payroll, village=Payroll.village_id)
register_scope(PayrollLine, village=PayrollLine.village_id)
