"""County settings for the audit: the detectors' thresholds and the yearly budget of each funding source.

Rows of the shared `CountySetting` table, dated and audited like every county setting (see core.settings):
thresholds under keys `audit_<field>` (whole numbers), budgets under `audit_budget_<source>` (yuan, two
decimals). A threshold applies to a month as it stood on that month's last day. A funding source's budget
for a year is the value in force on the year's last day (or today, for the current year): a county sets the
year's budget during the year and may raise it; it never reaches back into a closed month's record.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit.finding_labels import SETTING
from portal.audit.rules import AUDIT_RANGES, DEFAULT_AUDIT_POLICY, AuditPolicy
from portal.core.access import Role
from portal.core.clock import county_today
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.money import is_money
from portal.core.settings import CountySetting, ensure_open, register, store_setting
from portal.extensions import db
from portal.posts.rules import FundingSource

PREFIX = "audit_"
BUDGET_PREFIX = "audit_budget_"
SETTING_KEYS = tuple(PREFIX + f.name for f in fields(AuditPolicy))
BUDGET_KEYS = tuple(BUDGET_PREFIX + str(s) for s in FundingSource)


def _field(key: str) -> str:
    if key not in SETTING_KEYS:
        raise ValueError(key)
    return key[len(PREFIX):]


def _stored(county_id: int, keys, day: date) -> dict[str, str]:
    rows = db.session.execute(select(CountySetting.key, CountySetting.value).where(
        CountySetting.county_id == county_id, CountySetting.key.in_(keys),
        CountySetting.effective_from <= day).order_by(CountySetting.effective_from)).all()
    return {key: value for key, value in rows}


def policy_for(county_id: int, day: date) -> AuditPolicy:
    """The county's audit thresholds on `day`: the defaults with the settings in force that day laid over."""
    overrides = {}
    for key, value in _stored(county_id, SETTING_KEYS, day).items():
        text = str(value).strip()
        if text.isdigit():
            overrides[_field(key)] = int(text)
    try:
        return replace(DEFAULT_AUDIT_POLICY, **overrides)
    except ValueError:
        return DEFAULT_AUDIT_POLICY


def budget_day(year: int, today: date | None = None) -> date:
    """The day whose settings give a year's budget: its last day, or today during the year."""
    today = today or county_today()
    return min(date(year, 12, 31), today) if year >= today.year else date(year, 12, 31)


def budgets_for(county_id: int, year: int, today: date | None = None) -> dict[str, Decimal]:
    """The yearly budget per funding source (sources without a budget are missing: not checked)."""
    result = {}
    for key, value in _stored(county_id, BUDGET_KEYS, budget_day(year, today)).items():
        try:
            result[key[len(BUDGET_PREFIX):]] = Decimal(value)
        except InvalidOperation:
            continue
    return result


def current_values(county_id: int, day: date) -> dict[str, str]:
    """Every threshold's text in force on `day`, defaults included (for the settings page)."""
    policy = policy_for(county_id, day)
    return {key: str(getattr(policy, _field(key))) for key in SETTING_KEYS}


def _ensure_admin(user) -> None:
    if getattr(user, "role", None) != Role.COUNTY_ADMIN:
        raise NotAllowed(_("Only the county admin sets the audit thresholds and budgets."))


def refusal(key: str, text: str) -> RuleViolation:
    """The refusal of a threshold the audit does not accept, naming the numbers it does."""
    least, most = AUDIT_RANGES[_field(key)]
    name = SETTING.get(key, key)
    if most is None:
        return RuleViolation(_("%(setting)s is a whole number of at least %(least)d; “%(value)s” is not accepted.",
                               setting=name, least=least, value=text), field="value")
    return RuleViolation(_("%(setting)s is a whole number from %(least)d to %(most)d; “%(value)s” is not accepted.",
                           setting=name, least=least, most=most, value=text), field="value")


def set_setting(admin, key: str, value, effective_from: date, today: date | None = None) -> CountySetting:
    """The county admin sets an audit threshold from a day on (not before the first day of this month)."""
    _ensure_admin(admin)
    if key not in SETTING_KEYS:
        raise RuleViolation(_("Unknown setting."), field="key")
    text = str(value).strip()
    try:
        if not text.isdigit():
            raise ValueError(key)
        replace(DEFAULT_AUDIT_POLICY, **{_field(key): int(text)})
    except ValueError:
        raise refusal(key, text) from None
    ensure_open(effective_from, today or county_today())
    before = current_values(admin.county_id, effective_from)[key]
    return store_setting(admin, key, str(int(text)), effective_from, before, "audit.set_setting")


def set_budget(admin, source: str, amount: Decimal, effective_from: date,
               today: date | None = None) -> CountySetting:
    """The county admin sets a funding source's yearly budget (yuan, whole fen, 0 or more) from a day on."""
    _ensure_admin(admin)
    if source not in set(FundingSource):
        raise RuleViolation(_("Unknown funding source."), field="source")
    if not is_money(amount) or amount < 0:
        raise RuleViolation(_("A budget is an amount of 0 or more with at most two decimals."), field="amount")
    ensure_open(effective_from, today or county_today())
    key = BUDGET_PREFIX + source
    before = _stored(admin.county_id, (key,), effective_from).get(key, "")
    return store_setting(admin, key, f"{amount:.2f}", effective_from, before, "audit.set_budget")


def _set_budget_setting(admin, key: str, value, effective_from: date, today: date | None = None) -> CountySetting:
    """set_budget() by the budget's setting key (`audit_budget_<source>`), as core.settings.set_setting calls it."""
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise RuleViolation(_("A budget is an amount of 0 or more with at most two decimals."),
                            field="amount") from None
    return set_budget(admin, key.removeprefix(BUDGET_PREFIX), amount, effective_from, today)


register("audit", SETTING_KEYS, set_setting)
register("audit", BUDGET_KEYS, _set_budget_setting)
