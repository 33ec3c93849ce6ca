"""The demo's workshops tell the truth about 脱贫劳动力: every employee counted as aided comes from a lifted
or monitored household and is no cadre, so last year's reward tier rests on aided employees only."""

from sqlalchemy import select

from portal.demo.county import build_demo
from portal.extensions import db
from portal.registry.models import Household, Person
from portal.workshops import queries
from portal.workshops.models import Assessment, Workshop, WorkshopEmployee


def test_demo_workshops_employ_aided_people_and_the_assessment_counts_only_them(ctx):
    build_demo()
    rows = db.session.execute(select(WorkshopEmployee.workshop_id, Household.category, Person.is_cadre)
                              .join(Person, Person.id == WorkshopEmployee.person_id)
                              .join(Household, Household.id == Person.household_id)).all()
    assert rows and {category for _w, category, _c in rows} <= {"lifted", "monitored"}
    assert not any(cadre for *_rest, cadre in rows)
    aided = {w.name: len(queries.aided_employees(w, *_last_month(w))) for w in
             db.session.execute(select(Workshop)).scalars()}
    states = {w.name: w.state for w in db.session.execute(select(Workshop)).scalars()}
    assert aided["青竹服饰帮扶车间"] >= 5 and states["青竹服饰帮扶车间"] == "normal"  # enough aided: no watch
    assert aided["柳岸竹编帮扶车间"] == 3 and states["柳岸竹编帮扶车间"] == "exiting"  # under 5 for 6 months
    for a in db.session.execute(select(Assessment)).scalars():
        stable = [int(i) for i in a.stable_person_ids.split(",") if i]
        categories = set(db.session.execute(select(Household.category).join(
            Person, Person.household_id == Household.id).where(Person.id.in_(stable))).scalars())
        assert categories <= {"lifted", "monitored"} and a.stable_aided == len(stable)


def _last_month(workshop):
    from portal.core.clock import county_today
    from portal.workshops.rules import month_of, previous_month

    return previous_month(month_of(county_today()))
