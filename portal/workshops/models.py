"""Workshops (就业帮扶车间): the workshop, its aided employees, monthly reports (月调度), exits (摘牌) and
annual assessments. Every row belongs to the workshop's village (its scope)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.access import register_scope
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db
from portal.places.models import Village
from portal.registry.models import Person

MONEY = Numeric(12, 2)
BIG_MONEY = Numeric(14, 2)  # output values of a whole enterprise


class Workshop(db.Model):
    """A certified employment-aid workshop: normal → watch → exiting → exited (see workshops.states)."""

    __tablename__ = "workshops"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    enterprise: Mapped[str] = mapped_column(String(100))  # the operating enterprise
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码, one workshop per code
    address: Mapped[str] = mapped_column(String(200))
    industry: Mapped[str] = mapped_column(String(60))
    certified_on: Mapped[date] = mapped_column(Date)
    entered_on: Mapped[date] = mapped_column(Date)  # county day it was entered: monitoring starts no earlier
    accident_insurance: Mapped[bool] = mapped_column(Boolean, default=False)  # 意外伤害保险 for the employees
    other_employees: Mapped[int] = mapped_column(Integer, default=0)  # employees not in the labour register
    state: Mapped[str] = mapped_column(String(10), index=True, default="normal")
    watch_condition: Mapped[str] = mapped_column(String(12), default="")  # the run that started first, if any
    watch_since: Mapped[date | None] = mapped_column(Date)  # first day of that run's first month
    exited_on: Mapped[date | None] = mapped_column(Date)  # first day no longer a workshop
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    village: Mapped[Village] = relationship()
    employees: Mapped[list[WorkshopEmployee]] = relationship(back_populates="workshop",
                                                             order_by="WorkshopEmployee.id")


class WorkshopEmployee(db.Model):
    """A registered person employed by a workshop (an aided employee) from `hire_date` to `leave_date`,
    the last day at work (None: still employed)."""

    __tablename__ = "workshop_employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)  # the workshop's village
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    hire_date: Mapped[date] = mapped_column(Date)
    leave_date: Mapped[date | None] = mapped_column(Date)
    monthly_wage: Mapped[Decimal] = mapped_column(MONEY)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    workshop: Mapped[Workshop] = relationship(back_populates="employees")
    person: Mapped[Person] = relationship()


class MonthlyReport(db.Model):
    """A workshop's monthly report (月调度): operating or halted, headcount, wages, output, violations.
    The aided employees of the month are derived from the employment records, not stored here."""

    __tablename__ = "workshop_reports"
    __table_args__ = (UniqueConstraint("workshop_id", "year", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    month: Mapped[int] = mapped_column(Integer)
    operating: Mapped[bool] = mapped_column(Boolean)  # False: halted (停工停产)
    total_employees: Mapped[int] = mapped_column(Integer)
    wages_paid: Mapped[Decimal] = mapped_column(BIG_MONEY)
    output_value: Mapped[Decimal] = mapped_column(BIG_MONEY)
    violation: Mapped[bool] = mapped_column(Boolean, default=False)  # 违法违规 found
    violation_note: Mapped[str] = mapped_column(Text, default="")
    filed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the last re-filing
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    workshop: Mapped[Workshop] = relationship()


class WorkshopExit(db.Model):
    """An exit (摘牌): proposed by the portal (`proposed_by` None), the township or the county, published on
    the village board, approved by the county admin, effective on `effective_on`.

    A monitored condition's exit names the run it comes from (`started_in`, the first day of its first
    month); the unique key keeps the portal from proposing twice for one run."""

    __tablename__ = "workshop_exits"
    __table_args__ = (UniqueConstraint("workshop_id", "condition", "started_in"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    condition: Mapped[str] = mapped_column(String(12))
    started_in: Mapped[date | None] = mapped_column(Date)
    met_in: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: proposed by the portal
    proposed_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), index=True, default="proposed")
    notice_start: Mapped[date | None] = mapped_column(Date)
    notice_end: Mapped[date | None] = mapped_column(Date)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    effective_on: Mapped[date | None] = mapped_column(Date)  # the workshop's exited_on
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    workshop: Mapped[Workshop] = relationship()


class Assessment(db.Model):
    """A workshop's annual assessment (年度考核): stable aided employees, tier level, reward, classification;
    computed → approved (county admin) → paid. The inputs are kept as computed."""

    __tablename__ = "workshop_assessments"
    __table_args__ = (UniqueConstraint("workshop_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshops.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    stable_aided: Mapped[int] = mapped_column(Integer)
    stable_person_ids: Mapped[str] = mapped_column(Text, default="")  # comma-separated, as computed
    level: Mapped[int] = mapped_column(Integer)  # tier level: 0 none, 1 the lowest tier ...
    previous_level: Mapped[int | None] = mapped_column(Integer)
    reward: Mapped[Decimal] = mapped_column(MONEY)
    classification: Mapped[str] = mapped_column(String(12))
    in_watch: Mapped[bool] = mapped_column(Boolean, default=False)
    condition_met: Mapped[bool] = mapped_column(Boolean, default=False)
    withheld: Mapped[bool] = mapped_column(Boolean, default=False)  # exited within the year: no reward
    tier_table: Mapped[str] = mapped_column(String(200))  # the county's table used, as stored text
    state: Mapped[str] = mapped_column(String(10), index=True, default="computed")
    computed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_on: Mapped[date | None] = mapped_column(Date)  # county day of approval: payment no earlier
    paid_on: Mapped[date | None] = mapped_column(Date)
    bank_reference: Mapped[str] = mapped_column(String(60), default="")
    paid_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    paid_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    workshop: Mapped[Workshop] = relationship()


register_scope(Workshop, village=Workshop.village_id)
register_scope(WorkshopEmployee, village=WorkshopEmployee.village_id)
register_scope(MonthlyReport, village=MonthlyReport.village_id)
register_scope(WorkshopExit, village=WorkshopExit.village_id)
register_scope(Assessment, village=Assessment.village_id)
