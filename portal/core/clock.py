"""The county's clock: dates are the county's (Asia/Shanghai by default), whatever zone the server runs in."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"


def county_today() -> date:
    """Today in the county's time zone (BABEL_DEFAULT_TIMEZONE)."""
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return datetime.now(ZoneInfo(zone)).date()


def county_date(moment: datetime | None) -> date | None:
    """A stored UTC timestamp as the county's calendar date."""
    if moment is None:
        return None
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return moment.astimezone(ZoneInfo(zone)).date()
