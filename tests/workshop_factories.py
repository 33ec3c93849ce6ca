"""Factories for the workshop tests: registered people, a certified workshop with N aided employees, monthly
reports for a range of months. Call inside an app context (the `ctx` fixture) with the `world` fixture.

The workshop is certified through portal.workshops.certification.service (as the county admin would); its employees are
written directly with the model (fast; no overlap check) and the monitoring is refreshed once at the end;
reports are filed through the service, each on the first day after its month (or `today`), as a clerk would.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from stdnum.cn import uscc

from portal.workshops.checks import ReportData, WorkshopData

TODAY = date(2026, 11, 22)  # the county clock of the issue
CERTIFIED = date(2025, 1, 1)
WAGE = Decimal("2600.00")
REPORTERS = {"a1a": "clerk", "a1b": "clerk_b"}  # the world's villages with a clerk (township A1)


def user(username: str):
    from portal.accounts.models import User
    from portal.extensions import db

    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def credit_code(n: int) -> str:
    """The n-th valid unified social credit code of the county (91 = enterprise, 422825 = the county)."""
    body = f"91422825{n:09d}"
    return body + uscc.calc_check_digit(body)


def workshop_data(n: int = 1, **changes) -> WorkshopData:
    values = {"name": f"青竹帮扶车间{n}号", "enterprise": f"云溪县青竹服饰有限公司{n}", "credit_code": credit_code(n),
              "address": f"青竹村{n}组", "industry": "服装加工", "certified_on": CERTIFIED,
              "accident_insurance": True, "other_employees": 3}
    values.update(changes)
    return WorkshopData(**values)


def make_people(world, village_key: str = "a1a", n: int = 1) -> list[int]:
    """`n` new registered people of the village, each of their own household; returns their ids."""
    from portal.extensions import db
    from portal.registry.models import Household, Person
    from portal.registry.rules import with_check_digit

    village_id = world.ids[village_key]
    first = db.session.scalar(select(func.count(Person.id))) or 0
    ids = []
    for k in range(first, first + n):
        birth = date(1975, 1, 1) + timedelta(days=k)
        household = Household(village_id=village_id, number=f"WS-{k:05d}", category="lifted")
        db.session.add(household)
        db.session.flush()
        person = Person(household_id=household.id, village_id=village_id, name=f"车间工{k}",
                        id_number=with_check_digit(f"422825{birth:%Y%m%d}{k % 1000:03d}"), birth_date=birth,
                        sex="F", relation_to_head="head", labour_capacity="full", employment_status="workshop")
        db.session.add(person)
        db.session.flush()
        ids.append(person.id)
    db.session.commit()
    return ids


def employ(workshop_id: int, person_ids, hire_date: date, leave_date: date | None = None, *,
           wage: Decimal = WAGE) -> list[int]:
    """Employment records written directly (no overlap check, no refresh); returns their ids."""
    from portal.extensions import db
    from portal.workshops.models import Workshop, WorkshopEmployee

    workshop = db.session.get(Workshop, workshop_id)
    rows = [WorkshopEmployee(workshop_id=workshop_id, village_id=workshop.village_id, person_id=p,
                             hire_date=hire_date, leave_date=leave_date, monthly_wage=wage,
                             created_by=user("admin").id) for p in person_ids]
    db.session.add_all(rows)
    db.session.commit()
    return [r.id for r in rows]


def make_workshop(world, village_key: str = "a1a", *, aided: int = 0, n: int | None = None,
                  certified_on: date = CERTIFIED, entered_on: date | None = None, hire_date: date | None = None,
                  leave_date: date | None = None, today: date = TODAY) -> int:
    """A workshop of the village certified by the county admin on `certified_on` (entered into the portal on
    `entered_on`, default the same day) with `aided` new people employed from `hire_date` (default the
    certification day); its monitoring refreshed as of `today`. Returns the workshop id."""
    from portal.extensions import db
    from portal.workshops.certification import service
    from portal.workshops.models import Workshop
    from portal.workshops.monitoring import service as monitoring

    if n is None:
        n = (db.session.scalar(select(func.count(Workshop.id))) or 0) + 1
    workshop = service.certify(user("admin"), world.ids[village_key],
                               workshop_data(n, certified_on=certified_on), today=entered_on or certified_on)
    if aided:
        employ(workshop.id, make_people(world, village_key, aided), hire_date or certified_on, leave_date)
    workshop = db.session.get(Workshop, workshop.id)
    monitoring.refresh(workshop, today)
    db.session.commit()
    return workshop.id


def report_data(operating: bool = True, *, total: int = 20, violation: bool = False, note: str = "") -> ReportData:
    return ReportData(operating=operating, total_employees=total if operating else 0,
                      wages_paid=Decimal("52000.00") if operating else Decimal("0.00"),
                      output_value=Decimal("260000.00") if operating else Decimal("0.00"),
                      violation=violation, violation_note=note or ("现场检查发现违规" if violation else ""))


def months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    from portal.workshops.rules import months_from

    return months_from(first, last)


def file_reports(workshop_id: int, first: tuple[int, int], last: tuple[int, int], *, operating: bool = True,
                 total: int = 20, violation: bool = False, by: str = "clerk", today: date | None = None) -> list[int]:
    """File one report per month from first to last through the service (each on the day after its month
    unless `today` is given); returns the report ids."""
    from portal.extensions import db
    from portal.workshops.models import Workshop
    from portal.workshops.reports import service as reports
    from portal.workshops.rules import month_end

    ids = []
    for year, month in months(first, last):
        workshop = db.session.get(Workshop, workshop_id)
        day = today or month_end((year, month)) + timedelta(days=1)
        ids.append(reports.file_report(user(by), workshop, year, month,
                                       report_data(operating, total=total, violation=violation), today=day).id)
    return ids


def workshop(workshop_id: int):
    from portal.extensions import db
    from portal.workshops.models import Workshop

    db.session.expire_all()
    return db.session.get(Workshop, workshop_id)


def add_admin(world, username: str = "admin2"):
    """A second county admin of county A (someone to approve what the first one proposed)."""
    from portal.accounts.models import User
    from portal.extensions import db

    first = user("admin")
    db.session.add(User(username=username, full_name=f"测试{username}", password_hash=first.password_hash,
                        role="county_admin", locale="zh_CN", active=True, failed_logins=0,
                        must_change_password=False, county_id=world.ids["ca"]))
    db.session.commit()
    return user(username)
