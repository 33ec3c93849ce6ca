"""County settings for posts: subsidy standards per category, village quotas, policy parameters.

Every value has a history: a new value applies from its `effective_from` date on, and the value in force
on a day is the one with the latest `effective_from` not after that day. Setting a value again for the
same date replaces it (both values are in the audit log).

Effective dates may not lie before the first day of the current month (county time): a change never
reaches back into closed months, whose payrolls and plans were decided under the old value.
Only the county admin changes settings; every change is audited with the value in force before it.
"""

from __future__ import annotations

from dataclasses import fields as dc_fields
from dataclasses import replace
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core import auditlog
from portal.core.access import Role, get_scoped
from portal.core.clock import county_today
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.money import is_money
from portal.core.settings import CountySetting, ensure_open, register, store_setting
from portal.extensions import db
from portal.places.models import Township, Village
from portal.posts.labels import SETTINGS
from portal.posts.models import Post, SubsidyStandard, VillageQuota
from portal.posts.rules import DEFAULT_POLICY, SETTING_MINIMUM, Policy, PostCategory, PostState
from portal.registry.ledger.format import CATEGORY_ZH, UnknownWords, category_names, read_categories
from portal.registry.rules import HouseholdCategory

SETTING_KEYS = tuple(f.name for f in dc_fields(Policy))
MAX_QUOTA = 10_000


def _ensure_admin(user) -> None:
    if getattr(user, "role", None) != Role.COUNTY_ADMIN:
        raise NotAllowed(_("Only the county admin sets standards, quotas and policy parameters."))


# ---- reading -------------------------------------------------------------------------------------


def standard_on(county_id: int, category: str, day: date) -> Decimal | None:
    """The county's monthly subsidy standard of a post category in force on `day` (None: not set)."""
    return db.session.scalar(
        select(SubsidyStandard.monthly_amount).where(
            SubsidyStandard.county_id == county_id, SubsidyStandard.category == category,
            SubsidyStandard.effective_from <= day).order_by(SubsidyStandard.effective_from.desc()).limit(1))


def quota_on(village_id: int, day: date) -> int | None:
    """The village's headcount quota of posts in force on `day` (None: not set)."""
    return db.session.scalar(
        select(VillageQuota.headcount).where(VillageQuota.village_id == village_id, VillageQuota.effective_from <= day)
        .order_by(VillageQuota.effective_from.desc()).limit(1))


def parse_setting(key: str, value: str):
    """A stored setting's text as the Policy field's type; ValueError when it is not one."""
    if key not in SETTING_KEYS:
        raise ValueError(key)
    if key == "eligible_categories":  # typed as 脱贫户,监测户 or as codes; stored as codes
        return frozenset(HouseholdCategory(c) for c in read_categories(value))
    return int(str(value).strip())


def refusal(key: str, value) -> RuleViolation:
    """The refusal of a value a setting does not accept, naming the values it does (household categories by their
    Chinese names, whatever the language: the words the county writes)."""
    name = SETTINGS.get(key, key)
    if key == "eligible_categories":
        try:
            read_categories(value)
        except UnknownWords as unknown:
            return RuleViolation(_("%(setting)s: “%(words)s” is not accepted. Accepted: %(choices)s (one or more).",
                                   setting=name, words="、".join(unknown.words), choices=category_names(CATEGORY_ZH)),
                                 field="value")
        except ValueError:
            pass
        return RuleViolation(_("%(setting)s: tick or write at least one of %(choices)s.", setting=name,
                               choices=category_names(CATEGORY_ZH)), field="value")
    return RuleViolation(_("%(setting)s is a whole number of at least %(least)d; “%(value)s” is not accepted.",
                           setting=name, least=SETTING_MINIMUM.get(key, 1), value=str(value).strip()),
                         field="value")


def format_setting(key: str, value) -> str:
    """The stored text of a Policy value (categories sorted, comma-separated)."""
    if key == "eligible_categories":
        return ",".join(sorted(str(c) for c in value))
    return str(value)


def settings_on(county_id: int, day: date) -> dict[str, str]:
    """The county's stored settings in force on `day`, by key (keys never set are missing)."""
    rows = db.session.execute(select(CountySetting.key, CountySetting.value).where(
        CountySetting.county_id == county_id, CountySetting.effective_from <= day)
        .order_by(CountySetting.effective_from)).all()
    return {key: value for key, value in rows}


def policy_for(county_id: int, day: date) -> Policy:
    """The posts policy of a county on `day`: DEFAULT_POLICY with the settings in force that day laid over it."""
    overrides = {}
    for key, value in settings_on(county_id, day).items():
        try:
            overrides[key] = parse_setting(key, value)
        except ValueError:  # a value no longer understood keeps the default rather than stopping the county
            continue
    try:
        return replace(DEFAULT_POLICY, **overrides)
    except ValueError:
        return DEFAULT_POLICY


def county_of_village(village_id: int) -> int:
    return db.session.scalar(select(Township.county_id).join(Village, Village.township_id == Township.id)
                             .where(Village.id == village_id))


# ---- changing ------------------------------------------------------------------------------------


def set_standard(admin, category: str, amount: Decimal, effective_from: date) -> SubsidyStandard:
    """The county admin sets a category's monthly subsidy standard (元/月, whole fen, above 0) from a date on;
    the date may not lie before the first day of the current month."""
    _ensure_admin(admin)
    if category not in set(PostCategory):
        raise RuleViolation(_("Unknown post category."), field="category")
    if not is_money(amount) or amount <= 0:
        raise RuleViolation(_("The standard is an amount above 0 with at most two decimals."), field="amount")
    ensure_open(effective_from, county_today())
    county_id = admin.county_id
    before = standard_on(county_id, category, effective_from)
    row = db.session.execute(select(SubsidyStandard).where(
        SubsidyStandard.county_id == county_id, SubsidyStandard.category == category,
        SubsidyStandard.effective_from == effective_from)).scalar_one_or_none()
    if row is None:
        row = SubsidyStandard(county_id=county_id, category=category, effective_from=effective_from,
                              monthly_amount=amount, created_by=admin.id)
        db.session.add(row)
    else:
        row.monthly_amount, row.created_by = amount, admin.id
    db.session.flush()
    auditlog.record(admin, "set_standard", "subsidy_standard", row.id,
                    {"category": category, "monthly_amount": before, "effective_from": effective_from},
                    {"category": category, "monthly_amount": amount, "effective_from": effective_from})
    db.session.commit()
    return row


def _check_quota(admin, village_id: int, headcount) -> None:
    if get_scoped(Village, village_id, admin) is None:
        raise NotAllowed(_("This village is outside your area."))
    if isinstance(headcount, bool) or not isinstance(headcount, int) or not 0 <= headcount <= MAX_QUOTA:
        raise RuleViolation(_("A quota is a whole number from 0 to %(max)s.", max=MAX_QUOTA), field="headcount")


def _put_quota(admin, village_id: int, headcount: int, effective_from: date) -> VillageQuota:
    """Write one village's quota from a date on (the same date again replaces it) with its audit row; no commit."""
    before = quota_on(village_id, effective_from)
    row = db.session.execute(select(VillageQuota).where(
        VillageQuota.village_id == village_id, VillageQuota.effective_from == effective_from)).scalar_one_or_none()
    if row is None:
        row = VillageQuota(village_id=village_id, headcount=headcount, effective_from=effective_from,
                           created_by=admin.id)
        db.session.add(row)
    else:
        row.headcount, row.created_by = headcount, admin.id
    db.session.flush()
    auditlog.record(admin, "set_quota", "village_quota", row.id,
                    {"village_id": village_id, "headcount": before, "effective_from": effective_from},
                    {"village_id": village_id, "headcount": headcount, "effective_from": effective_from})
    return row


def set_quota(admin, village_id: int, headcount: int, effective_from: date) -> VillageQuota:
    """The county admin sets a village's headcount quota (0 or more) from a date on (not before this month)."""
    _ensure_admin(admin)
    _check_quota(admin, village_id, headcount)
    ensure_open(effective_from, county_today())
    row = _put_quota(admin, village_id, headcount, effective_from)
    db.session.commit()
    return row


def set_quotas(admin, quotas: dict[int, int], effective_from: date) -> list[VillageQuota]:
    """The county admin sets several villages' quotas from one date on, all or none (a township's page); a
    village whose quota in force that day is already the value asked is left alone."""
    _ensure_admin(admin)
    for village_id, headcount in quotas.items():
        _check_quota(admin, village_id, headcount)
    ensure_open(effective_from, county_today())
    rows = [_put_quota(admin, village_id, headcount, effective_from) for village_id, headcount in quotas.items()
            if quota_on(village_id, effective_from) != headcount]
    db.session.commit()
    return rows


def quota_use(village_ids, day: date) -> dict[int, tuple[int | None, int]]:
    """Each village's quota in force on `day` and the headcount of its submitted and approved posts (what counts
    against the quota)."""
    used = dict(db.session.execute(
        select(Post.village_id, func.coalesce(func.sum(Post.headcount), 0))
        .where(Post.village_id.in_(list(village_ids)),
               Post.state.in_([PostState.SUBMITTED.value, PostState.APPROVED.value]))
        .group_by(Post.village_id)).tuples().all())
    return {v: (quota_on(v, day), int(used.get(v, 0))) for v in village_ids}


def set_setting(admin, key: str, value, effective_from: date) -> CountySetting:
    """The county admin sets a policy parameter (a field of posts.rules.Policy) from a date on (not before
    this month); the value must make a valid Policy (numbers at least 1, categories known)."""
    _ensure_admin(admin)
    if key not in SETTING_KEYS:
        raise RuleViolation(_("Unknown setting."), field="key")
    text = ",".join(str(v) for v in value) if isinstance(value, (set, frozenset, list, tuple)) else str(value)
    try:
        parsed = parse_setting(key, text)
        replace(DEFAULT_POLICY, **{key: parsed})
    except ValueError:
        raise refusal(key, text) from None
    ensure_open(effective_from, county_today())
    before = settings_on(admin.county_id, effective_from).get(key)
    if before is None:
        before = format_setting(key, getattr(DEFAULT_POLICY, key))
    return store_setting(admin, key, format_setting(key, parsed), effective_from, before, "set_setting")


register("posts", SETTING_KEYS, set_setting)
