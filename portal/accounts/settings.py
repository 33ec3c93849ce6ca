"""County settings for accounts: how long a new API token lives, dated and audited.

A dated county setting (core.settings) under the key `security_token_days` (whole days, 1 to
3650; 90 when never set). As for every county setting, the value in force on a day is the one with the latest
`effective_from` not after it; only the county admin sets it, never from before the current month. A token
takes the lifetime in force on the day it is made; changing the setting does not shorten tokens already made
(revoke them instead).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from portal.core.access import Role
from portal.core.clock import county_today
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.settings import CountySetting, ensure_open, register, store_setting
from portal.extensions import db

TOKEN_DAYS = "security_token_days"  # noqa: S105 (a setting key)
DEFAULT_TOKEN_DAYS = 90
TOKEN_DAYS_RANGE = range(1, 3651)


def token_days(county_id: int, day: date) -> int:
    """The lifetime in days of a token made on `day` in the county."""
    value = db.session.execute(select(CountySetting.value).where(
        CountySetting.county_id == county_id, CountySetting.key == TOKEN_DAYS, CountySetting.effective_from <= day)
        .order_by(CountySetting.effective_from.desc()).limit(1)).scalar_one_or_none()
    return int(value) if value is not None and value.isdigit() and int(value) in TOKEN_DAYS_RANGE \
        else DEFAULT_TOKEN_DAYS


def set_setting(admin, key: str, value, effective_from: date, today: date | None = None):
    """The county admin sets the token lifetime (whole days, 1 to 3650) from a day on."""
    if getattr(admin, "role", None) != Role.COUNTY_ADMIN:
        raise NotAllowed(_("Only the county admin sets how long API tokens live."))
    if key != TOKEN_DAYS:
        raise RuleViolation(_("Unknown setting."), field="key")
    text = str(value).strip()
    if not text.isdigit() or int(text) not in TOKEN_DAYS_RANGE:
        raise RuleViolation(_("A token lives 1 to 3650 days."), field="value")
    ensure_open(effective_from, today or county_today())
    before = str(token_days(admin.county_id, effective_from))
    return store_setting(admin, key, str(int(text)), effective_from, before, "accounts.set_setting")


register("accounts", (TOKEN_DAYS,), set_setting)
