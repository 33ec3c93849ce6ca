"""County settings take the words the county writes (脱贫户,监测户), and every refused value names what is accepted."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.audit import settings as audit_settings
from portal.core import settings as county_settings
from portal.core.errors import RuleViolation
from portal.posts import settings as post_settings
from portal.workshops import settings as ws_settings
from portal.workshops.rules import Tier
from tests.workshop_factories import TODAY, user

DAY = date(2026, 11, 1)  # the first open day for the county clock of TODAY
ALL_CATEGORIES = "脱贫户、监测户、低保/特困/低收入户、一般户"


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(post_settings, "county_today", lambda: TODAY)


@pytest.mark.parametrize("typed", ["脱贫户,监测户", "脱贫户，监测户", "脱贫户、监测户", " 监测户 ,lifted ",
                                   "脱贫,监测"])
def test_eligible_categories_typed_in_chinese_are_accepted(world, ctx, typed):
    post_settings.set_setting(user("admin"), "eligible_categories", typed, DAY)
    policy = post_settings.policy_for(world.ids["ca"], TODAY)
    assert {str(c) for c in policy.eligible_categories} == {"lifted", "monitored"}
    (row, *_older) = county_settings.history(county_settings.CountySetting,
                                           county_settings.CountySetting.key == "eligible_categories")
    assert row.value == "lifted,monitored"  # stored as codes, whatever was typed


def test_aided_categories_typed_in_chinese_are_accepted(world, ctx):
    ws_settings.set_setting(user("admin"), "workshop_aided_categories", "脱贫户,监测户,低保/特困/低收入户", DAY,
                            today=TODAY)
    assert ws_settings.policy_for(world.ids["ca"], TODAY).aided_categories == {"lifted", "monitored", "low_income"}


def test_an_unknown_category_is_refused_naming_it_and_the_accepted_names(world, ctx):
    with pytest.raises(RuleViolation) as refused:
        post_settings.set_setting(user("admin"), "eligible_categories", "脱贫户,贫困户", DAY)
    message = refused.value.message
    assert "该参数不接受此值" not in message
    assert "贫困户" in message and ALL_CATEGORIES in message


def test_a_general_household_is_refused_for_aided_employees_naming_the_three_accepted(world, ctx):
    with pytest.raises(RuleViolation) as refused:
        ws_settings.set_setting(user("admin"), "workshop_aided_categories", ["脱贫户", "一般户"], DAY, today=TODAY)
    message = refused.value.message
    assert "一般户" in message and "脱贫户、监测户、低保/特困/低收入户" in message


@pytest.mark.parametrize("module, key, value, accepted", [
    (post_settings, "notice_working_days", "0", "1"),
    (post_settings, "term_warning_days", "-3", "0"),
    (post_settings, "appeal_days", "五", "1"),
    (ws_settings, "workshop_halt_months", "121", "1 到 120"),
    (ws_settings, "workshop_stable_months", "13", "1 到 12"),
    (audit_settings, "audit_near_full_percent", "101", "1 到 100"),
    (audit_settings, "audit_rotation_people", "1", "2"),
])
def test_a_refused_number_names_the_numbers_accepted(world, ctx, module, key, value, accepted):
    kwargs = {} if module is post_settings else {"today": TODAY}
    with pytest.raises(RuleViolation) as refused:
        module.set_setting(user("admin"), key, value, DAY, **kwargs)
    message = refused.value.message
    assert "该参数不接受此值" not in message
    assert f"“{value}”" in message and accepted in message and "整数" in message


def test_a_refused_tier_table_says_what_a_tier_table_needs(world, ctx):
    with pytest.raises(RuleViolation) as refused:
        ws_settings.set_setting(user("admin"), "workshop_tiers", [Tier(5, Decimal(10000)), Tier(10, Decimal(5000))],
                                DAY, today=TODAY)
    assert "更多" in refused.value.message and "更高" in refused.value.message
    with pytest.raises(RuleViolation) as typed:
        ws_settings.set_setting(user("admin"), "workshop_tiers", "5=10000", DAY, today=TODAY)
    assert "5:10000,10:20000" in typed.value.message
