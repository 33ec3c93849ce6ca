"""The demo county's employment-aid workshops (就业帮扶车间), made through the workshop service.

Three workshops, one per township, certified last year or this year, employing registered 脱贫劳动力 of their
village (lifted or monitored households, no cadre) who hold no post, with a monthly report for every ended
month:
- 青竹村 服饰车间: up to eight aided employees (the village's free 脱贫劳动力 of working age: seven in the
  demo), operating — normal;
- 柳岸村 竹编车间: three aided employees for months — under 5 for 6 months, so the portal has put it on
  watch and proposed its exit (the county sees it in 退出处置);
- 松坪村 茶叶车间: six aided employees; last month's report not yet filed (shown on the township's home page).
Last year's assessment is computed and waits for the county admin's approval. Idempotent: a county that
already has workshops is left as it is.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from stdnum.cn import uscc

from portal.accounts.models import User
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


def build_workshops(county_id: int, today: date) -> int:
    """The demo workshops with employees, reports and last year's assessment; returns how many were made."""
    if db.session.scalar(select(func.count(Workshop.id)).join(Village, Village.id == Workshop.village_id)
                         .join(Township, Township.id == Village.township_id).where(Township.county_id == county_id)):
        return 0
    admin = db.session.execute(select(User).where(User.county_id == county_id, User.role == "county_admin")
                               .order_by(User.id)).scalars().first()
    townships = db.session.execute(select(Township).where(Township.county_id == county_id)
                                   .order_by(Township.code)).scalars().all()
    last_month = (today.replace(day=1) - timedelta(days=1))
    for n, (t, v, name, enterprise, industry, back, aided, file_last) in enumerate(WORKSHOPS, start=1):
        village = townships[t].villages[v]
        certified = _months_before(today.year, back)
        data = WorkshopData(name=name, enterprise=enterprise, credit_code=_credit_code(n),
                            address=f"{village.name}工业小区{n}号", industry=industry, certified_on=certified,
                            accident_insurance=True, other_employees=4 + n)
        workshop = service.certify(admin, village.id, data, today=certified)
        for person in _workers(village, aided):
            person.employment_status = "workshop"
            service.add_employee(admin, db.session.get(Workshop, workshop.id), person.id, certified,
                                 Decimal("2200.00"), today=certified)
        clerk = db.session.execute(select(User).where(User.village_id == village.id)).scalars().first()
        last = (last_month.year, last_month.month)
        if not file_last:
            last = ((last_month.replace(day=1) - timedelta(days=1)).year,
                    (last_month.replace(day=1) - timedelta(days=1)).month)
        for year, month in months_from((certified.year, certified.month), last):
            report = ReportData(operating=True, total_employees=aided + 4 + n,
                                wages_paid=Decimal(2200 * (aided + 4 + n)), output_value=Decimal(38000 * (aided + n)))
            reports.file_report(clerk, db.session.get(Workshop, workshop.id), year, month, report,
                                today=min(month_end((year, month)) + timedelta(days=3), today))
    monitoring.monitor_all(today=today, county_id=county_id)
    assessments.compute_year(admin, today.year - 1, today=today)
    return len(WORKSHOPS)
