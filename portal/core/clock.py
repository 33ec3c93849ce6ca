"""The county's clock: dates are the county's (Asia/Shanghai by default), whatever zone the server runs in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"

# A moment the clock was told to read (a loader replaying a dated story through the services: the demo county).
# No page, API call or command sets it; unset, the clock reads the machine's time.
_told: ContextVar[datetime | None] = ContextVar("portal_clock_told", default=None)


def zone() -> ZoneInfo:
    """The county's time zone (BABEL_DEFAULT_TIMEZONE)."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context()
                    else DEFAULT_ZONE)


def now_utc() -> datetime:
    """Now, UTC-aware: the told moment inside `told(...)`, else the machine's time."""
    return _told.get() or datetime.now(UTC)


def county_today() -> date:
    """Today in the county's time zone."""
    return now_utc().astimezone(zone()).date()


def county_date(moment: datetime | None) -> date | None:
    """A stored UTC timestamp as the county's calendar date."""
    if moment is None:
        return None
    return moment.astimezone(zone()).date()


def county_moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """`day` at `hour`:`minute` in the county, as a UTC-aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone()).astimezone(UTC)


@contextmanager
def told(moment: datetime) -> Iterator[None]:
    """Within the block the portal's clock (county_today, core.types.utcnow) reads `moment` (UTC-aware), so a
    story replayed through the services carries the dates it happened on: every check of "today", every
    timestamp and audit row. For loaders only (the demo county); the pages never use it."""
    if moment.tzinfo is None:
        raise ValueError("the told moment must be timezone-aware")
    token = _told.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _told.reset(token)
