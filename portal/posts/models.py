"""Posts: the county's standards and quotas, post plans, appointments (nomination to exit),
objections during the public notice, and exits."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.access import register_scope
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db
from portal.places.models import Village
from portal.registry.models import Person

MONEY = Numeric(12, 2)


class SubsidyStandard(db.Model):
    """The county's monthly subsidy ceiling for a post category, from a date on (history kept)."""

    __tablename__ = "subsidy_standards"
    __table_args__ = (UniqueConstraint("county_id", "category", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    monthly_amount: Mapped[Decimal] = mapped_column(MONEY)
    effective_from: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VillageQuota(db.Model):
    """The headcount of public-welfare posts a village may have, from a date on (history kept)."""

    __tablename__ = "village_quotas"
    __table_args__ = (UniqueConstraint("village_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    headcount: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Post(db.Model):
    """A public-welfare post (公益性岗位) of a village: set by need, approved by the township."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(60))
    duties: Mapped[str] = mapped_column(Text)
    workload_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    workload_unit: Mapped[str] = mapped_column(String(20))
    headcount: Mapped[int] = mapped_column(Integer)
    schedule: Mapped[str] = mapped_column(String(10))
    required_days: Mapped[int | None] = mapped_column(Integer)
    subsidy: Mapped[Decimal] = mapped_column(MONEY)
    funding_source: Mapped[str] = mapped_column(String(30))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    need_reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(12), index=True, default="draft")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    village: Mapped[Village] = relationship()
    appointments: Mapped[list[Appointment]] = relationship(back_populates="post", order_by="Appointment.id")


class Appointment(db.Model):
    """One person on one post, from nomination through notice and approval to active duty and exit."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    state: Mapped[str] = mapped_column(String(12), index=True, default="nominated")
    rank: Mapped[int] = mapped_column(Integer)  # the candidate's priority rank when nominated
    rank_reasons: Mapped[str] = mapped_column(Text, default="")
    choice_reason: Mapped[str] = mapped_column(Text, default="")  # why not the top-ranked candidate
    conflicts: Mapped[str] = mapped_column(Text, default="")  # conflict-of-interest codes, comma-separated
    justification: Mapped[str] = mapped_column(Text, default="")  # why a flagged nomination is still right
    conflict_person_ids: Mapped[str] = mapped_column(Text, default="")  # people who must not approve it
    nominated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notice_start: Mapped[date | None] = mapped_column(Date)
    notice_end: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    exited_on: Mapped[date | None] = mapped_column(Date)  # first day off the post
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    post: Mapped[Post] = relationship(back_populates="appointments")
    person: Mapped[Person] = relationship()
    objections: Mapped[list[Objection]] = relationship(back_populates="appointment", order_by="Objection.id")
    exits: Mapped[list[Exit]] = relationship(back_populates="appointment", order_by="Exit.id")


class Objection(db.Model):
    """An objection (异议) raised during the public notice, recorded by the clerk, decided by the township."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    objector: Mapped[str] = mapped_column(String(60), default="")  # may be anonymous
    content: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="open")
    recorded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    appointment: Mapped[Appointment] = relationship(back_populates="objections")


class Exit(db.Model):
    """An orderly exit (有序退岗): proposed with reason and evidence, approved, appealable, effective."""

    __tablename__ = "exits"
    # One open exit per appointment and reason, held by the database (a proposal racing another is refused).
    __table_args__ = (
        Index("uq_exits_open_reason", "appointment_id", "reason", unique=True,
              sqlite_where=text("state IN ('proposed', 'approved', 'appealed')"),
              postgresql_where=text("state IN ('proposed', 'approved', 'appealed')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24))
    evidence: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: proposed by the portal
    proposed_on: Mapped[date] = mapped_column(Date)
    effective_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), index=True, default="proposed")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    notified_on: Mapped[date | None] = mapped_column(Date)
    appeal_text: Mapped[str] = mapped_column(Text, default="")
    appeal_recorded_on: Mapped[date | None] = mapped_column(Date)
    appeal_decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    appeal_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    appointment: Mapped[Appointment] = relationship(back_populates="exits")


register_scope(SubsidyStandard, county=SubsidyStandard.county_id)
register_scope(VillageQuota, village=VillageQuota.village_id)
register_scope(Post, village=Post.village_id)
register_scope(Appointment, village=Appointment.village_id)
register_scope(Objection, village=Objection.village_id)
register_scope(Exit, village=Exit.village_id)
