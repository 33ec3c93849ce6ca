"""Aided workshop employees are 脱贫劳动力: only employees from the county's eligible households (default
lifted and monitored; low_income when the county chooses it) count as aided for the monthly count, the
low-aided exit condition and the stable employees of the year's reward; the others are other employees."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.registry.models import Household, Person
from portal.workshops import queries, settings
from portal.workshops.assessments import service as assessments
from portal.workshops.models import Assessment
from tests.workshop_factories import TODAY, employ, make_people, make_workshop, user, workshop


def _categorise(person_ids, category: str) -> None:
    households = select(Person.household_id).where(Person.id.in_(person_ids))
    db.session.execute(update(Household).where(Household.id.in_(households)).values(category=category))
    db.session.commit()


def _workshop_with(world, lifted: int, general: int, low_income: int = 0) -> int:
    ws_id = make_workshop(world, aided=lifted)
    for n, category in ((general, "general"), (low_income, "low_income")):
        if n:
            people = make_people(world, "a1a", n)
            _categorise(people, category)
            employ(ws_id, people, date(2025, 1, 1))
    return ws_id


def test_general_households_do_not_count_toward_the_reward_tier(world, ctx):
    ws_id = _workshop_with(world, lifted=4, general=5)  # 9 employees, 4 of them 脱贫劳动力
    (found,) = [a for a in assessments.compute_year(user("admin"), 2025, today=TODAY) if a.workshop_id == ws_id]
    assert (found.stable_aided, found.level, str(found.reward)) == (4, 0, "0.00")
    assert len(assessments.stable_employees(workshop(ws_id), 2025)) == 4


def test_general_households_do_not_count_for_the_monthly_aided_employees(world, ctx):
    ws_id = _workshop_with(world, lifted=4, general=3)
    assert queries.aided_counts(workshop(ws_id), [(2025, 6)]) == {(2025, 6): 4}
    assert len(queries.aided_employees(workshop(ws_id), 2025, 6)) == 4
    assert queries.monitoring_of(workshop(ws_id), TODAY).state in ("watch", "exiting")  # fewer than 5 aided


@pytest.mark.parametrize("setting, aided", [("lifted,monitored", 5), ("lifted,monitored,low_income", 7)])
def test_low_income_households_count_when_the_county_says_so(world, ctx, setting, aided):
    ws_id = _workshop_with(world, lifted=5, general=1, low_income=2)
    if setting != "lifted,monitored":
        settings.set_setting(user("admin"), "workshop_aided_categories", setting, date(2026, 11, 1), today=TODAY)
    (found,) = [a for a in assessments.compute_year(user("admin"), 2026, today=date(2027, 1, 5))
                if a.workshop_id == ws_id]
    assert found.stable_aided == aided
    assert db.session.get(Assessment, found.id).stable_person_ids.count(",") == aided - 1


@pytest.mark.parametrize("value", ["", "general", "lifted,nobody"])
def test_the_aided_categories_setting_accepts_only_eligible_categories(world, ctx, value):
    from portal.core.errors import RuleViolation

    with pytest.raises(RuleViolation):
        settings.set_setting(user("admin"), "workshop_aided_categories", value, date(2026, 11, 1), today=TODAY)


def test_an_exited_workshop_is_not_under_watch_at_the_years_end(world, ctx):
    from portal.workshops.models import Workshop

    ws_id = make_workshop(world, aided=3)  # too few aided employees: a run goes on until the exit
    db.session.execute(update(Workshop).where(Workshop.id == ws_id).values(state="exited",
                                                                           exited_on=date(2026, 12, 1)))
    db.session.commit()
    (found,) = [a for a in assessments.compute_year(user("admin"), 2026, today=date(2027, 1, 5))
                if a.workshop_id == ws_id]
    assert (found.in_watch, found.classification, found.withheld) == (False, "adjusted", True)
