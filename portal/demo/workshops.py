"""The demo county's employment-aid workshops (就业帮扶车间), made through the workshop service on the days
they happened (portal.demo.story).

Three workshops, one per township, certified last year or this year, employing registered 脱贫劳动力 of their
village (lifted or monitored households, no cadre) who hold no post, with a monthly report filed three days
after every ended month:
- 青竹村 服饰车间: up to eight aided employees (the village's free 脱贫劳动力 of working age: seven in the
  demo), operating — normal;
- 柳岸村 竹编车间: three aided employees for months — under 5 for 6 months, so the portal has put it on
  watch and proposed its exit (the county sees it in 退出处置);
- 松坪村 茶叶车间: six aided employees; last month's report not yet filed (shown on the township's home page).
Last year's assessment is computed in January and waits for the county admin's approval.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from stdnum.cn import uscc

from portal.accounts.models import User
from portal.demo.story import Story, clerk_of, register_person
from portal.extensions import db
from portal.places.models import Township, Village
from portal.posts.models import Appointment
from portal.registry.models import Household, Person
from portal.workshops.assessments import service as assessments
from portal.workshops.certification import service
from portal.workshops.checks import ReportData, WorkshopData
from portal.workshops.models import Workshop
from portal.workshops.monitoring import service as monitoring
from portal.workshops.reports import service as reports
from portal.workshops.rules import DEFAULT_POLICY, month_end, months_from

# (township index, village index, name, enterprise, industry, certified months before January of this year,
#  aided employees, file last month's report)
WORKSHOPS = (
    (0, 0, "青竹服饰帮扶车间", "云溪县青竹服饰有限公司", "服装加工", 10, 8, True),
    (1, 0, "柳岸竹编帮扶车间", "云溪县柳岸竹艺专业合作社", "竹编工艺", 6, 3, True),
    (2, 0, "松坪茶叶加工车间", "云溪县松坪茶业有限公司", "茶叶加工", -1, 6, False),
)


def _credit_code(n: int) -> str:
    body = f"93422825{n:09d}"  # 93: a farmers' cooperative or company registered in the county
    return body + uscc.calc_check_digit(body)


def _months_before(year: int, back: int) -> date:
    month = 1 - back
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def _workers(village: Village, n: int) -> list[Person]:
    """Registered 脱贫劳动力 of the village (lifted or monitored households, the aided categories by default),
    able to work, of working age, holding no post, no cadre."""
    holders = select(Appointment.person_id).where(Appointment.village_id == village.id)
    aided = select(Household.id).where(Household.village_id == village.id,
                                       Household.category.in_(sorted(DEFAULT_POLICY.aided_categories)))
    return db.session.execute(select(Person).where(
        Person.village_id == village.id, Person.id.not_in(holders), Person.deceased.is_(False),
        Person.household_id.in_(aided), Person.is_cadre.is_(False),
        Person.labour_capacity.in_(("full", "half", "weak")), Person.birth_date > date(1966, 1, 1),
        Person.birth_date <= date(2006, 1, 1)).order_by(Person.id).limit(n)).scalars().all()


def open_workshops(story: Story) -> None:
    """Put the workshops' certification, hiring and monthly reports on the story's calendar (module docstring);
    the county's daily monitoring runs on the demo's day, last year's assessment in mid-January."""
    townships = db.session.execute(select(Township).where(Township.county_id == story.county_id)
                                   .order_by(Township.code)).scalars().all()
    last_month = story.today.replace(day=1) - timedelta(days=1)
    for n, (t, v, name, enterprise, industry, back, aided, file_last) in enumerate(WORKSHOPS, start=1):
        village = townships[t].villages[v]
        certified = _months_before(story.today.year, back)
        data = WorkshopData(name=name, enterprise=enterprise, credit_code=_credit_code(n),
                            address=f"{village.name}工业小区{n}号", industry=industry, certified_on=certified,
                            accident_insurance=True, other_employees=4 + n)
        story.on(certified, _certify(village.id, data, aided), hour=10)
        last = (last_month.year, last_month.month)
        if not file_last:
            before = last_month.replace(day=1) - timedelta(days=1)
            last = (before.year, before.month)
        for year, month in months_from((certified.year, certified.month), last):
            report = ReportData(operating=True, total_employees=aided + 4 + n,
                                wages_paid=Decimal(2200 * (aided + 4 + n)), output_value=Decimal(38000 * (aided + n)))
            story.on(month_end((year, month)) + timedelta(days=3), _report(village.id, name, year, month, report),
                     hour=16)
    story.on(story.working_day_from(date(story.today.year, 1, 15)),
             lambda: assessments.compute_year(_admin(story.county_id), story.today.year - 1), hour=14)
    story.on(story.today, lambda: monitoring.monitor_all(county_id=story.county_id), hour=1)


def _admin(county_id: int) -> User:
    return db.session.execute(select(User).where(User.county_id == county_id, User.role == "county_admin")
                              .order_by(User.id)).scalars().first()


def _certify(village_id: int, data: WorkshopData, aided: int):
    """The step: the county admin certifies the workshop and records its aided employees; the village's clerk
    records them as working in a workshop (帮扶车间) in the register."""

    def step():
        village = db.session.get(Village, village_id)
        admin = _admin(village.township.county_id)
        workshop = service.certify(admin, village.id, data)
        for person in _workers(village, aided):
            service.add_employee(admin, db.session.get(Workshop, workshop.id), person.id, data.certified_on,
                                 Decimal("2200.00"))
            register_person(clerk_of(village), person, employment_status="workshop")

    return step


def _report(village_id: int, name: str, year: int, month: int, report: ReportData):
    def step():
        village = db.session.get(Village, village_id)
        workshop = db.session.execute(select(Workshop).where(Workshop.village_id == village_id,
                                                             Workshop.name == name)).scalar_one()
        reports.file_report(clerk_of(village), workshop, year, month, report)

    return step
