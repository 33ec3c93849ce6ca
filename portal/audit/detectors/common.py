"""What the detectors share: the county's villages, years covered by a run, fact formatting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.audit.detectors import Scope
from portal.audit.rules import Month
from portal.core.i18n import date_label, money, month_label
from portal.extensions import db
from portal.places.models import Township, Village


def county_villages(county_id: int):
    """SELECT of the ids of the county's villages (for IN clauses)."""
    return select(Village.id).join(Township, Township.id == Village.township_id).where(
        Township.county_id == county_id)


def village_names(county_id: int) -> dict[int, str]:
    return dict(db.session.execute(select(Village.id, Village.name).join(
        Township, Township.id == Village.township_id).where(Township.county_id == county_id)).all())


def years_of(scope: Scope) -> list[tuple[date, date]]:
    """The calendar years a run's period touches, each as (1 Jan, 31 Dec): the period of findings about a
    state of affairs (a shared account, a relative on a post), so that runs over parts of a year agree."""
    return [(date(y, 1, 1), date(y, 12, 31)) for y in range(scope.first.year, scope.last.year + 1)]


def month_text(value: str | date) -> str:
    """A stored month (`2026-03` or a date) as the reader writes it (2026年3月)."""
    if isinstance(value, str):
        value = Month.parse(value[:7]).first
    return month_label(value)


def day_text(value: str | date) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return date_label(value)


def money_text(value) -> str:
    return money(Decimal(str(value)))
