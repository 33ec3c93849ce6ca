"""The county's workshop settings (tier table, exit conditions): dated, audited, the county admin's alone,
never reaching back before this month; monitoring and assessment read the value in force."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.core.auditlog import AuditEntry, verify_chain
from portal.core.errors import NotAllowed, RuleViolation
from portal.extensions import db
from portal.posts import settings as posts_settings
from portal.workshops import settings
from portal.workshops.assessments import service as assessments
from portal.workshops.monitoring import service as monitoring
from portal.workshops.rules import DEFAULT_POLICY, Tier
from tests.workshop_factories import TODAY, file_reports, make_workshop, user, workshop


def test_defaults_until_a_value_is_set_then_from_its_day_on(world, ctx):
    county = world.ids["ca"]
    assert settings.policy_for(county, TODAY) == DEFAULT_POLICY
    settings.set_setting(user("admin"), "workshop_halt_months", "2", date(2026, 11, 1), today=TODAY)
    assert settings.policy_for(county, date(2026, 10, 31)).halt_months == 3
    assert settings.policy_for(county, date(2026, 11, 1)).halt_months == 2
    assert settings.policy_for(world.ids["cb"], TODAY).halt_months == 3  # another county keeps its own
    assert posts_settings.policy_for(county, TODAY) == posts_settings.DEFAULT_POLICY  # posts ignore these keys
    assert settings.current_values(county, TODAY)["workshop_tiers"] == "5:10000,10:20000,20:30000,30:50000"


def test_setting_the_same_day_again_replaces_it_and_both_are_audited(world, ctx):
    admin = user("admin")
    settings.set_setting(admin, "workshop_low_aided_threshold", "6", date(2026, 12, 1), today=TODAY)
    settings.set_setting(admin, "workshop_low_aided_threshold", "4", date(2026, 12, 1), today=TODAY)
    (row,) = settings.history(world.ids["ca"], "workshop_low_aided_threshold")
    assert row.value == "4"
    rows = db.session.execute(select(AuditEntry).where(AuditEntry.action == "workshop.set_setting")
                              .order_by(AuditEntry.seq)).scalars().all()
    assert ['"value":"5"' in rows[0].before, '"value":"6"' in rows[1].before] == [True, True]
    assert verify_chain().ok


@pytest.mark.parametrize("key, value", [
    ("workshop_halt_months", "0"), ("workshop_halt_months", "三"), ("workshop_stable_months", "13"),
    ("workshop_tiers", "5:20000,10:10000"), ("workshop_tiers", ""), ("workshop_nothing", "1"),
])
def test_unusable_values_are_refused(world, ctx, key, value):
    with pytest.raises(RuleViolation):
        settings.set_setting(user("admin"), key, value, TODAY, today=TODAY)


def test_only_the_county_admin_and_never_before_this_month(world, ctx):
    for who in ("clerk", "reviewer", "auditor"):
        with pytest.raises(NotAllowed):
            settings.set_setting(user(who), "workshop_halt_months", "4", TODAY, today=TODAY)
    with pytest.raises(RuleViolation) as err:
        settings.set_setting(user("admin"), "workshop_halt_months", "4", date(2026, 10, 31), today=TODAY)
    assert err.value.code == "closed_month"
    row = settings.set_setting(user("admin"), "workshop_tiers", [Tier(5, Decimal("12000")), Tier(15, Decimal("40000"))],
                               date(2026, 11, 1), today=TODAY)
    assert row.value == "5:12000,15:40000"


def test_monitoring_reads_the_exit_conditions_in_force(world, ctx):
    ws_id = make_workshop(world, aided=6)
    file_reports(ws_id, (2026, 9), (2026, 10), operating=False)
    assert workshop(ws_id).state == "watch"
    settings.set_setting(user("admin"), "workshop_halt_months", "2", date(2026, 11, 1), today=TODAY)
    assert monitoring.monitor_all(TODAY)["proposed"] == 1
    assert workshop(ws_id).state == "exiting"


def test_the_assessment_uses_the_tier_table_of_the_years_last_day(world, ctx):
    ws_id = make_workshop(world, aided=5)
    settings.set_setting(user("admin"), "workshop_tiers", "5:12000,10:24000", date(2026, 12, 1), today=TODAY)
    (y2025,) = assessments.compute_year(user("admin"), 2025, today=TODAY)
    (y2026,) = assessments.compute_year(user("admin"), 2026, today=date(2027, 1, 10))
    assert (y2025.workshop_id, y2025.reward, y2025.tier_table) == (ws_id, Decimal("10000.00"),
                                                                   "5:10000,10:20000,20:30000,30:50000")
    assert (y2026.reward, y2026.tier_table, y2026.classification) == (Decimal("12000.00"), "5:12000,10:24000",
                                                                      "steady")
