"""A clean county for the audit tests: ten months of honest work in the test world's county A.

Three villages' holders on approved posts (subsidy below the category standard, headcount within the quota),
each person in a household of their own with an account of their own, on the welfare-post status; their
marks set on the day they record (a leave day on a different day for each holder, so no two holders share a
month's pattern); every month's payroll generated, submitted, approved by the township reviewer and paid on
time; a yearly budget for the funding source with room to spare; a workshop whose aided employees hold no
post. A full audit run over it must find nothing: every detector's near misses live in its own tests.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from tests.payroll_factories import CLERKS, REVIEWER, get_payroll, make_holders, user

FIRST_MONTH, LAST_MONTH = 1, 10
YEAR = 2026
TODAY = date(2026, 11, 22)
VILLAGES = {"a1a": 3, "a1b": 2}  # villages with a clerk and a reviewer in the test world, and their holders


def marks_on_the_day(appointment_ids, year: int, month: int, *, leave_shift: int = 0) -> None:
    """Every working day of the month inside each holder's window: present, but one leave day per holder
    (a different day for each), each saved at 18:00 county time on its day."""
    from portal.attendance import service as attendance
    from portal.attendance.models import AttendanceMark
    from portal.attendance.summary import rebuild_months
    from portal.extensions import db
    from portal.posts.models import Appointment

    rows = []
    for k, appointment_id in enumerate(appointment_ids):
        appointment = db.session.get(Appointment, appointment_id)
        window = attendance.window_of(appointment)
        calendar = attendance.county_calendar(attendance.county_of_village(appointment.village_id))
        days = [d for d in calendar.month_working_days(year, month) if window and d in window]
        leave_day = days[(k + leave_shift) % len(days)] if days else None
        for d in days:
            rows.append({"appointment_id": appointment_id, "village_id": appointment.village_id, "day": d,
                         "mark": "leave" if d == leave_day else "present", "set_by": None,
                         "set_at": datetime.combine(d, time(10), UTC)})  # 18:00 in the county
    if rows:
        db.session.execute(insert(AttendanceMark.__table__), rows)
        first, last = attendance.month_bounds(year, month)
        rebuild_months(None, first, last)
    db.session.commit()


def pay_month(world, village_key: str, year: int, month: int) -> int:
    """Generate, submit, approve and pay the village's payroll of the month, the payment five days after the
    month ends."""
    from portal.payroll import service

    paid_on = date(year + (month == 12), month % 12 + 1, 5)
    clerk, reviewer = user(CLERKS[village_key]), user(REVIEWER)
    payroll_id = service.generate(clerk, world.ids[village_key], year, month, paid_on).id
    service.submit(clerk, get_payroll(payroll_id))
    service.approve(reviewer, get_payroll(payroll_id), paid_on)
    service.record_payment(reviewer, get_payroll(payroll_id), paid_on, f"BANK-{payroll_id}", paid_on)
    return payroll_id


def build_clean_county(world) -> dict[str, list[int]]:
    """The clean county; returns the appointment ids by village key."""
    from portal.accounts.models import User
    from portal.audit.settings import set_budget
    from portal.extensions import db
    from portal.posts.models import SubsidyStandard, VillageQuota
    from portal.registry.models import Household, Person
    from portal.registry.rules import with_check_digit
    from portal.workshops.models import Workshop, WorkshopEmployee

    admin = user("admin")
    start = date(YEAR, 1, 1)
    db.session.add(SubsidyStandard(county_id=world.ids["ca"], category="cleaning", monthly_amount=Decimal("800.00"),
                                   effective_from=start, created_by=admin.id))
    for key in ("a1a", "a1b", "a2a"):
        db.session.add(VillageQuota(village_id=world.ids[key], headcount=6, effective_from=start, created_by=admin.id))
    db.session.commit()
    holders = {key: make_holders(world, key, n) for key, n in VILLAGES.items()}
    clerk = user("clerk")
    reviewer_id = user(REVIEWER).id
    from portal.posts.models import Appointment

    for ids in holders.values():
        for appointment_id in ids:
            db.session.get(Appointment, appointment_id).decided_by = reviewer_id
    db.session.commit()
    for shift, (key, ids) in enumerate(holders.items()):
        for month in range(FIRST_MONTH, LAST_MONTH + 1):
            marks_on_the_day(ids, YEAR, month, leave_shift=shift * 7 + month)
            pay_month(world, key, YEAR, month)
    set_budget(admin, "linkage_fund", Decimal("100000.00"), date(TODAY.year, TODAY.month, 1), today=TODAY)
    # a workshop in the village with aided employees from eligible households who hold no post
    workshop = Workshop(village_id=world.ids["a1a"], name="青竹村竹编车间", enterprise="云溪竹艺有限公司",
                        credit_code="91422825MA4F00000J", address="青竹村一组", industry="竹编",
                        certified_on=date(2025, 3, 1), entered_on=date(2025, 3, 1), accident_insurance=True,
                        other_employees=3, state="normal", created_by=admin.id)
    db.session.add(workshop)
    db.session.flush()
    for k in range(2):
        household = Household(village_id=world.ids["a1a"], number=f"WS-{k}", category="lifted")
        db.session.add(household)
        db.session.flush()
        birth = date(1975, 3, 1) + timedelta(days=k)
        person = Person(household_id=household.id, village_id=world.ids["a1a"], name=f"车间工{k}",
                        id_number=with_check_digit(f"422825{birth:%Y%m%d}{500 + k:03d}"), birth_date=birth,
                        sex="F", relation_to_head="head", labour_capacity="full", employment_status="workshop",
                        bank_name="农村商业银行", bank_account=f"62170000000{k:05d}")
        db.session.add(person)
        db.session.flush()
        db.session.add(WorkshopEmployee(workshop_id=workshop.id, village_id=world.ids["a1a"], person_id=person.id,
                                        hire_date=date(2025, 4, 1), monthly_wage=Decimal("2200.00"),
                                        created_by=clerk.id))
    db.session.commit()
    assert db.session.execute(select(User).where(User.username == "auditor")).scalar_one()
    return holders
