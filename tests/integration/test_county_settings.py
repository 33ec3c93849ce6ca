"""Dated county settings are one kernel piece: every feature registers its keys with core.settings, a key is one
feature's only, and a setting set through the kernel is checked and audited by the feature that owns it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from portal.accounts import settings as account_settings
from portal.audit import settings as audit_settings
from portal.core import settings as county_settings
from portal.core.auditlog import AuditEntry
from portal.core.errors import RuleViolation
from portal.extensions import db
from portal.posts import settings as posts_settings
from portal.workshops import settings as workshop_settings
from tests.workshop_factories import TODAY, user


@pytest.mark.parametrize("feature, keys", [
    ("posts", posts_settings.SETTING_KEYS),
    ("workshops", workshop_settings.SETTING_KEYS),
    ("audit", audit_settings.SETTING_KEYS + audit_settings.BUDGET_KEYS),
    ("accounts", (account_settings.TOKEN_DAYS,)),
])
def test_every_feature_registers_its_keys(feature, keys):
    owners = county_settings.registered()
    assert keys
    assert {key: owners[key].feature for key in keys} == dict.fromkeys(keys, feature)


def test_a_key_belongs_to_one_feature_only():
    with pytest.raises(ValueError, match="already registered by workshops"):
        county_settings.register("posts", ("workshop_halt_months",), posts_settings.set_setting)
    assert county_settings.registered()["workshop_halt_months"].feature == "workshops"


@pytest.mark.parametrize("key, value, action", [
    ("workshop_halt_months", "2", "workshop.set_setting"),
    ("audit_late_mark_days", "9", "audit.set_setting"),
    ("audit_budget_linkage_fund", "120000.50", "audit.set_budget"),
    ("security_token_days", "30", "accounts.set_setting"),
])
def test_the_kernel_sets_a_key_through_the_feature_that_owns_it(world, ctx, key, value, action):
    row = county_settings.set_setting(user("admin"), key, value, date(2026, 12, 1), today=TODAY)
    assert (row.key, row.county_id) == (key, world.ids["ca"])
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.entity_type == "county_setting", AuditEntry.entity_id == str(row.id))).all()
    assert actions == [action]


def test_the_owner_checks_the_value_and_an_unknown_key_is_refused(world, ctx):
    with pytest.raises(RuleViolation) as refused:
        county_settings.set_setting(user("admin"), "workshop_halt_months", "0", date(2026, 12, 1), today=TODAY)
    assert refused.value.field == "value"
    with pytest.raises(RuleViolation) as unknown:
        county_settings.set_setting(user("admin"), "no_such_setting", "1", date(2026, 12, 1), today=TODAY)
    assert unknown.value.field == "key"
    assert db.session.scalars(select(county_settings.CountySetting)).all() == []
