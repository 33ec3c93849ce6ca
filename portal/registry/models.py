"""Households, people and declared relationships between people."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.access import register_scope
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db
from portal.places.models import Village


class Household(db.Model):
    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("village_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))
    category: Mapped[str] = mapped_column(String(20), index=True)
    monitored_subtype: Mapped[str | None] = mapped_column(String(20))
    risk_eliminated: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    village: Mapped[Village] = relationship()
    members: Mapped[list[Person]] = relationship(back_populates="household", order_by="Person.id")


class Person(db.Model):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    # Denormalised from the household so every scoped query is one indexed comparison.
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    name: Mapped[str] = mapped_column(String(40), index=True)
    id_number: Mapped[str] = mapped_column(String(18), unique=True)
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    relation_to_head: Mapped[str] = mapped_column(String(20))
    labour_capacity: Mapped[str] = mapped_column(String(10), index=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disability_grade: Mapped[int | None] = mapped_column(Integer)
    phone: Mapped[str] = mapped_column(String(20), default="")
    bank_name: Mapped[str] = mapped_column(String(60), default="")
    bank_account: Mapped[str] = mapped_column(String(32), default="")
    employment_status: Mapped[str] = mapped_column(String(30), index=True)
    monthly_income: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0.00"))
    training_wish: Mapped[str] = mapped_column(String(120), default="")
    willing_to_migrate: Mapped[bool] = mapped_column(Boolean, default=False)
    deceased: Mapped[bool] = mapped_column(Boolean, default=False)
    is_cadre: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    household: Mapped[Household] = relationship(back_populates="members")


class Relationship(db.Model):
    """A declared relationship (亲属关系) between two registered people, for conflict checks."""

    __tablename__ = "relationships"
    __table_args__ = (UniqueConstraint("person_id", "relative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    relative_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register_scope(Household, village=Household.village_id)
register_scope(Person, village=Person.village_id)
register_scope(Relationship, village=Relationship.village_id)
