"""Users bound to one place, their login sessions and their API tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.access import Role
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db
from portal.places.models import County, Township, Village


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'village_clerk' AND village_id IS NOT NULL AND township_id IS NULL AND county_id IS NULL)"
            " OR (role = 'township_reviewer' AND township_id IS NOT NULL AND village_id IS NULL"
            " AND county_id IS NULL)"
            " OR (role IN ('county_admin', 'county_auditor') AND county_id IS NOT NULL"
            " AND village_id IS NULL AND township_id IS NULL)",
            name="bound_to_one_place",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    county_id: Mapped[int | None] = mapped_column(ForeignKey("counties.id"))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("townships.id"))
    village_id: Mapped[int | None] = mapped_column(ForeignKey("villages.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    locale: Mapped[str] = mapped_column(String(10), default="zh_CN")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    county: Mapped[County | None] = relationship()
    township: Mapped[Township | None] = relationship()
    village: Mapped[Village | None] = relationship()
    person = relationship("Person", foreign_keys=[person_id])

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def scope_township_id(self) -> int | None:
        """The township the user's place lies in (for clerks, their village's township)."""
        if self.township_id is not None:
            return self.township_id
        return self.village.township_id if self.village is not None else None

    @property
    def scope_county_id(self) -> int:
        """The county the user's place lies in."""
        if self.county_id is not None:
            return self.county_id
        if self.township is not None:
            return self.township.county_id
        return self.village.township.county_id

    @property
    def place_name(self) -> str:
        """The name of the user's place, e.g. 青山县 / 白石镇 / 柳树村."""
        place = self.village or self.township or self.county
        return place.name if place is not None else ""


class LoginSession(db.Model):
    """A server-side session: the cookie carries only `id`; logout or 30 idle minutes end it."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class ApiToken(db.Model):
    """A personal API token; only its SHA-256 is kept, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A token made before expiry existed has none and is treated as expiring 90 days after it was made.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
