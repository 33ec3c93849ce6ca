"""The auditor's home page figures and the report's sums on a real database: findings by detector and
township, money at stake / confirmed / recovered by the month raised with the recovery rate, villages
ranked by risk per post holder, findings past the township's response deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import update

from tests.payroll_factories import make_holders, make_payroll, user

TODAY = date(2026, 11, 22)


@pytest.fixture
def findings(world, ctx):
    """A shared account in 柳岸村 (A2) and a failed field check in 青竹村 (A1), closed as confirmed with ¥250
    recovered; the shared-account finding raised 20 days ago, the field check 3 days ago."""
    from portal.audit import findings as service
    from portal.audit import runs
    from portal.audit.models import Finding
    from portal.audit.rules import Month
    from portal.audit.sampling import service as sampling
    from portal.extensions import db
    from portal.posts.models import Appointment
    from portal.registry.models import Person

    make_payroll(world, "a1a", 2026, 10, holders=2, state="paid")
    ids = make_holders(world, "a2a", 2)
    people = [db.session.get(Person, db.session.get(Appointment, a).person_id) for a in ids]
    people[1].bank_account = people[0].bank_account
    db.session.commit()
    auditor = user("auditor")
    runs.run_audit(auditor, Month(2026, 1), Month(2026, 10), ["shared_account"], today=TODAY)
    sample = sampling.draw_sample(auditor, "2026-10", "percent", percent=50, seed=3, today=TODAY)
    sampling.record_check(auditor, sample.lines[0], False, True, True, "不在岗")
    field = db.session.get(Finding, sample.lines[0].finding_id)
    service.close(auditor, field, "confirmed", Decimal("250.00"), "已追回部分")
    db.session.execute(update(Finding).where(Finding.detector == "shared_account")
                       .values(created_at=datetime(2026, 11, 2, 4, tzinfo=UTC)))
    db.session.execute(update(Finding).where(Finding.detector == "field_check")
                       .values(created_at=datetime(2026, 11, 19, 4, tzinfo=UTC)))
    db.session.commit()
    return world


def test_heat_table_counts_by_detector_and_township(findings):
    from portal.audit.desk import queries as desk_queries

    heat = desk_queries.heat(user("auditor").county_id, 2026)
    names = [n for _i, n in heat.townships]
    assert names == ["白石镇", "柳河乡"]
    rows = {code: cells for code, _name, cells, _total in heat.rows}
    assert rows == {"shared_account": [0, 1], "field_check": [1, 0]}
    assert heat.totals == [1, 1] and heat.peak == 1 and heat.level(1) == 5 and heat.level(0) == 0
    assert desk_queries.heat(user("auditor").county_id, 2025).rows == []


def test_money_by_month_raised_with_the_recovery_rate(findings):
    from portal.audit.desk import queries as desk_queries

    money = desk_queries.money_by_month(user("auditor").county_id, 2026)
    november = money.months[10]
    assert (november.findings, november.at_stake, november.confirmed, november.recovered) == (
        2, Decimal("600.00"), Decimal("600.00"), Decimal("250.00"))
    assert november.rate == Decimal("41.7") and money.months[9].rate is None
    assert money.total.findings == 2


def test_villages_ranked_by_amount_per_holder(findings):
    from portal.audit.desk import queries as desk_queries

    ranked = desk_queries.villages_at_risk(user("auditor").county_id, 2026)
    assert [(r.village, r.findings, r.holders) for r in ranked] == [("青竹村", 1, 2), ("柳岸村", 1, 2)]
    assert ranked[0].per_holder == Decimal("300.00") and ranked[1].findings_per_holder == Decimal("0.50")


def test_findings_past_the_response_deadline_by_township(findings):
    from portal.audit.desk import queries as desk_queries

    county = user("auditor").county_id
    days, late = desk_queries.overdue(county, TODAY)
    assert days == 15
    assert [(r.township, r.count, r.oldest_days) for r in late] == [("柳河乡", 1, 20)]
    assert desk_queries.overdue(county, date(2026, 11, 10))[1] == []  # 8 days: within the deadline


def test_report_sums(findings):
    from portal.audit.desk import report_data
    from portal.audit.rules import Month

    r = report_data.build(user("auditor").county_id, Month(2026, 1), Month(2026, 12))
    assert r.total.findings == 2 and r.total.closed == 1 and r.total.recovered == Decimal("250.00")
    assert r.total.rate == "41.7%"
    assert [f.detector for f in r.largest] == ["field_check", "shared_account"]
    assert len(r.samples) == 1 and r.samples[0][1].failed == 1
    assert report_data.build(user("auditor").county_id, Month(2025, 1), Month(2025, 12)).total.findings == 0
