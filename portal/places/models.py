"""Places: the county, its townships and their administrative villages."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.access import register_places, register_scope
from portal.extensions import db


class County(db.Model):
    __tablename__ = "counties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(60))

    townships: Mapped[list[Township]] = relationship(back_populates="county", order_by="Township.code")


class Township(db.Model):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(60))

    county: Mapped[County] = relationship(back_populates="townships")
    villages: Mapped[list[Village]] = relationship(back_populates="township", order_by="Village.code")


class Village(db.Model):
    __tablename__ = "villages"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(60))

    township: Mapped[Township] = relationship(back_populates="villages")


register_scope(County, county=County.id)
register_scope(Township, township=Township.id, county=Township.county_id)
register_scope(Village, village=Village.id, township=Village.township_id)
register_places(village=Village, township=Township)
