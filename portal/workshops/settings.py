"""County settings for workshops: the reward tier table and the exit conditions, dated and audited.

They are dated county settings (core.settings) under keys prefixed `workshop_`, each value a
short text (`workshop_tiers` = `5:10000,10:20000,20:30000,30:50000`, the others whole numbers). As for every
county setting, a value applies from its `effective_from` day on; the value in force on a day is the one
with the latest `effective_from` not after it; setting a key again for the same day replaces the value
(both are in the audit log). Only the county admin changes them, never from a day before the first day of
the current month (closed months keep the values they were run under).

Which day's value applies: monitoring uses the settings in force on the day it runs; the annual
assessment uses those in force on the last day of the assessed year; an exit notice those of the day it
is posted.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from portal.core.access import Role
from portal.core.clock import county_today
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.i18n import money
from portal.core.settings import CountySetting, ensure_open, register, store_setting
from portal.extensions import db
from portal.registry.ledger.format import UnknownWords, category_names
from portal.workshops.labels import SETTING
from portal.workshops.policy import (
    AIDED_CHOICES,
    MAX_EMPLOYEES,
    MAX_MONEY,
    RANGES,
    format_categories,
    parse_categories,
    tiers_problem,
)
from portal.workshops.rules import DEFAULT_POLICY, Tier, WorkshopPolicy, format_tiers, parse_tiers

PREFIX = "workshop_"
SETTING_KEYS = tuple(PREFIX + f.name for f in fields(WorkshopPolicy))  # workshop_tiers, workshop_halt_months...


def _field(key: str) -> str:
    if key not in SETTING_KEYS:
        raise ValueError(key)
    return key[len(PREFIX):]


def parse_setting(key: str, value: str):
    """A stored value's text as the policy field's type; ValueError when it is not one."""
    name = _field(key)
    if name == "tiers":
        return parse_tiers(value)
    if name == "aided_categories":
        return parse_categories(value)
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(key)
    return int(text)


def format_setting(key: str, value) -> str:
    """The stored text of a policy value."""
    if _field(key) == "tiers":
        return format_tiers(value)
    if _field(key) == "aided_categories":
        return format_categories(value)
    return str(value)


def settings_on(county_id: int, day: date) -> dict[str, str]:
    """The county's stored workshop settings in force on `day`, by key (keys never set are missing)."""
    rows = db.session.execute(select(CountySetting.key, CountySetting.value).where(
        CountySetting.county_id == county_id, CountySetting.key.in_(SETTING_KEYS),
        CountySetting.effective_from <= day).order_by(CountySetting.effective_from)).all()
    return {key: value for key, value in rows}


def policy_for(county_id: int, day: date) -> WorkshopPolicy:
    """The county's workshop policy on `day`: the defaults with the settings in force that day laid over them."""
    overrides = {}
    for key, value in settings_on(county_id, day).items():
        try:
            overrides[_field(key)] = parse_setting(key, value)
        except ValueError:  # a value no longer understood keeps the default rather than stopping the county
            continue
    try:
        return replace(DEFAULT_POLICY, **overrides)
    except ValueError:
        return DEFAULT_POLICY


def current_values(county_id: int, day: date) -> dict[str, str]:
    """Every workshop setting's text in force on `day`, defaults included (for the settings page)."""
    policy = policy_for(county_id, day)
    return {key: format_setting(key, getattr(policy, _field(key))) for key in SETTING_KEYS}


def tier_refusal(tiers) -> str | None:
    """Why a tier table is refused, in words naming what it accepts (None: it is accepted)."""
    problem = tiers_problem(sorted(tiers))
    if problem is None:
        return None
    return {
        "empty": _("The tier table needs at least one tier."),
        "minimum": _("Each tier's stable aided employees is a whole number from 1 to %(most)s.", most=MAX_EMPLOYEES),
        "reward": _("Each tier's reward is an amount above ¥0.00 and at most %(most)s, in whole fen.",
                    most=money(MAX_MONEY)),
        "order": _("Each tier needs more stable aided employees and a higher reward than the tier before it."),
    }[problem]


def refusal(key: str, value) -> RuleViolation:
    """The refusal of a value a workshop setting does not accept, naming the values it does."""
    name = SETTING.get(key, key)
    field = key[len(PREFIX):]
    if field == "tiers":
        try:
            tiers = value if isinstance(value, (list, tuple)) else parse_tiers(value)
            reason = tier_refusal(tiers)
        except ValueError:
            reason = None
        message = reason or _("Write each tier as stable aided employees:reward in yuan, tiers separated by commas, "
                              "for example 5:10000,10:20000,20:30000,30:50000.")
        return RuleViolation(_("%(setting)s: %(reason)s", setting=name, reason=message), field="value")
    if field == "aided_categories":
        choices = category_names(AIDED_CHOICES)
        try:
            parse_categories(value if isinstance(value, str) else ",".join(value))
        except UnknownWords as unknown:
            return RuleViolation(_("%(setting)s: “%(words)s” is not accepted. Accepted: %(choices)s (one or more).",
                                   setting=name, words="、".join(unknown.words), choices=choices), field="value")
        except ValueError:
            pass
        return RuleViolation(_("%(setting)s: tick or write at least one of %(choices)s.", setting=name,
                               choices=choices), field="value")
    least, most = RANGES[field]
    return RuleViolation(_("%(setting)s is a whole number from %(least)d to %(most)d; “%(value)s” is not accepted.",
                           setting=name, least=least, most=most, value=str(value).strip()), field="value")


def set_setting(admin, key: str, value, effective_from: date, today: date | None = None) -> CountySetting:
    """The county admin sets a workshop setting from a day on (not before the first day of this month);
    the value must make a valid policy (tiers rising in both columns, numbers at least 1)."""
    if getattr(admin, "role", None) != Role.COUNTY_ADMIN:
        raise NotAllowed(_("Only the county admin sets the workshop tiers and exit conditions."))
    if key not in SETTING_KEYS:
        raise RuleViolation(_("Unknown setting."), field="key")
    try:
        if isinstance(value, (list, tuple)) and all(isinstance(t, Tier) for t in value):
            raw = format_tiers(value)
        elif isinstance(value, (set, frozenset, list, tuple)):
            raw = ",".join(str(v) for v in value)
        else:
            raw = value
        parsed = parse_setting(key, raw)
        replace(DEFAULT_POLICY, **{_field(key): parsed})
    except ValueError:
        raise refusal(key, value) from None
    ensure_open(effective_from, today or county_today())
    before = current_values(admin.county_id, effective_from)[key]
    return store_setting(admin, key, format_setting(key, parsed), effective_from, before, "workshop.set_setting")


def history(county_id: int, key: str) -> list[CountySetting]:
    """A setting's dated values, newest first (for the settings page)."""
    return list(db.session.execute(select(CountySetting).where(
        CountySetting.county_id == county_id, CountySetting.key == key)
        .order_by(CountySetting.effective_from.desc())).scalars())


register("workshops", SETTING_KEYS, set_setting)
