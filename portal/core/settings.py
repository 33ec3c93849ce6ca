"""Dated county settings: one table of values by county, key and day; every feature registers its keys here.

A value applies from its `effective_from` day on; the value in force on a day is the one with the latest
`effective_from` not after that day; setting a key again for the same day replaces the value (both are in the
audit log). No value reaches back before the first day of the current month (county time): closed months keep
the values they were decided under. Only the county admin changes settings.

Each feature owns its keys and their checks (posts.settings, workshops.settings, audit.settings,
accounts.settings) and registers them with `register()`: a key belongs to one feature only, and
`set_setting()` sets any registered key through the feature that owns it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import Date, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import auditlog
from portal.core.access import register_scope
from portal.core.clock import county_today
from portal.core.errors import RuleViolation
from portal.core.i18n import date_label
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db


class CountySetting(db.Model):
    """A policy parameter of the county (notice days, posts per household...) from a date on."""

    __tablename__ = "county_settings"
    __table_args__ = (UniqueConstraint("county_id", "key", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))
    effective_from: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register_scope(CountySetting, county=CountySetting.county_id)


# ---- the features' parameters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameters:
    """The keys one feature owns, and its setter: setter(admin, key, value, effective_from) checks and stores."""

    feature: str
    keys: tuple[str, ...]
    setter: Callable


_OWNERS: dict[str, Parameters] = {}


def register(feature: str, keys: Iterable[str], setter: Callable) -> Parameters:
    """A feature claims its setting keys (called next to its settings); a key already another feature's is an
    error of the code, raised at import."""
    params = Parameters(feature, tuple(keys), setter)
    for key in params.keys:
        owner = _OWNERS.get(key)
        if owner is not None and owner.feature != feature:
            raise ValueError(f"county setting {key!r} is already registered by {owner.feature}")
    for key in params.keys:
        _OWNERS[key] = params
    return params


def registered() -> dict[str, Parameters]:
    """Every registered key with the feature that owns it."""
    return dict(_OWNERS)


def set_setting(admin, key: str, value, effective_from: date, **kwargs) -> CountySetting:
    """Set any registered county setting through the feature that owns it (its checks, its audit action)."""
    owner = _OWNERS.get(key)
    if owner is None:
        raise RuleViolation(_("Unknown setting."), field="key")
    return owner.setter(admin, key, value, effective_from, **kwargs)


# ---- reading and writing ---------------------------------------------------------------------------------


def first_open_day(today: date | None = None) -> date:
    """The earliest date a new setting may take effect: the first day of the current month."""
    return (today or county_today()).replace(day=1)


def ensure_open(effective_from: date, today: date | None = None) -> None:
    """A setting never reaches back into a closed month (before the first day of the current month)."""
    earliest = first_open_day(today)
    if not isinstance(effective_from, date) or effective_from < earliest:
        raise RuleViolation(_("A setting cannot apply before %(day)s: earlier months are closed.",
                              day=date_label(earliest)), code="closed_month", field="effective_from")


def values_on(county_id: int, keys: Iterable[str], day: date) -> dict[str, str]:
    """The county's stored values of `keys` in force on `day` (keys never set are missing)."""
    rows = db.session.execute(select(CountySetting.key, CountySetting.value).where(
        CountySetting.county_id == county_id, CountySetting.key.in_(tuple(keys)),
        CountySetting.effective_from <= day).order_by(CountySetting.effective_from)).all()
    return {key: value for key, value in rows}


def store_setting(admin, key: str, text: str, effective_from: date, before: str, action: str) -> CountySetting:
    """Write a checked county setting from its date on (the same date again replaces the value), audit the
    value it replaces, commit. Shared by every feature's settings."""
    county_id = admin.county_id
    row = db.session.execute(select(CountySetting).where(
        CountySetting.county_id == county_id, CountySetting.key == key,
        CountySetting.effective_from == effective_from)).scalar_one_or_none()
    if row is None:
        row = CountySetting(county_id=county_id, key=key, value=text, effective_from=effective_from,
                            created_by=admin.id)
        db.session.add(row)
    else:
        row.value, row.created_by = text, admin.id
    db.session.flush()
    auditlog.record(admin, action, "county_setting", row.id,
                    {"key": key, "value": before, "effective_from": effective_from},
                    {"key": key, "value": text, "effective_from": effective_from})
    db.session.commit()
    return row


def history(model, *where) -> list:
    """Rows of a dated setting table, newest first (for the settings pages)."""
    return list(db.session.execute(select(model).where(*where).order_by(model.effective_from.desc())).scalars())
