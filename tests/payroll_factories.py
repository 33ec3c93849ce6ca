"""Factories for the payroll tests: a village with N holders, their marks for a month, a payroll in any state.

Shared by the payroll and payroll-output tests; call inside an app context. Holders and marks are made
directly with the models (marks bypass attendance.service.save_marks, so any past month can be filled);
payrolls are made and moved only through portal.payroll.service, as a user would.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

START, END = date(2026, 1, 1), date(2026, 12, 31)
TODAY = date(2026, 11, 22)  # the county clock of the issue: October 2026 has ended
CLERKS = {"a1a": "clerk", "a1b": "clerk_b"}  # the world's villages that have a clerk (township A1)
REVIEWER = "reviewer"


def user(username: str):
    from portal.accounts.models import User
    from portal.extensions import db

    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def make_holders(world, village_key: str = "a1a", n: int = 3, *, subsidy: Decimal = Decimal("600.00"),
                 schedule: str = "full_time", required_days: int | None = None, start: date = START,
                 end: date = END, exited_on: date | None = None, title: str = "村庄保洁员") -> list[int]:
    """One approved post of the village with `n` new people active on it (each of their own household);
    returns the appointment ids in the order made. People are named 持岗人<k> with bank accounts."""
    from portal.extensions import db
    from portal.posts.models import Appointment, Post
    from portal.registry.models import Household, Person
    from portal.registry.rules import with_check_digit

    village_id = world.ids[village_key]
    clerk = user(CLERKS.get(village_key, "clerk"))
    post = Post(village_id=village_id, category="cleaning", title=title, duties="清扫主干道",
                workload_amount=Decimal("5"), workload_unit="km", headcount=n, schedule=schedule,
                required_days=required_days if schedule == "part_time" else None, subsidy=Decimal(subsidy),
                funding_source="linkage_fund", start_date=START, end_date=END, need_reason="村道保洁",
                state="approved", created_by=clerk.id)
    db.session.add(post)
    db.session.flush()
    first = db.session.scalar(select(func.count(Person.id))) or 0
    ids = []
    for k in range(first, first + n):
        birth = date(1960, 1, 1) + timedelta(days=k)
        household = Household(village_id=village_id, number=f"PF-{k:05d}", category="lifted")
        db.session.add(household)
        db.session.flush()
        person = Person(household_id=household.id, village_id=village_id, name=f"持岗人{k}",
                        id_number=with_check_digit(f"422825{birth:%Y%m%d}{k % 1000:03d}"), birth_date=birth,
                        sex="F", relation_to_head="head", labour_capacity="full", employment_status="welfare_post",
                        bank_name="农村商业银行", bank_account=f"6228480000{k:06d}")
        db.session.add(person)
        db.session.flush()
        appointment = Appointment(post_id=post.id, village_id=village_id, person_id=person.id,
                                  household_id=household.id, state="exited" if exited_on else "active", rank=1,
                                  nominated_by=clerk.id, start_date=start, end_date=end, exited_on=exited_on)
        db.session.add(appointment)
        db.session.flush()
        ids.append(appointment.id)
    db.session.commit()
    return ids


def mark_month(appointment_ids: Iterable[int], year: int, month: int, mark: str = "present", *,
               days: Iterable[date] | None = None, saved_after: int | None = None) -> int:
    """Set `mark` for each holder on `days` (default: the county's working days of the month inside the
    holder's window), written directly, with the holder-month summaries the audit reads; returns how many
    marks were written. Each mark is saved `saved_after` days after its day (at 18:00 county time), or now
    (None: long after the day, a late change the grid shows — and the 补录 detector flags)."""
    from portal.attendance import service as attendance
    from portal.attendance.models import AttendanceMark
    from portal.attendance.summary import refresh_months
    from portal.core.types import utcnow
    from portal.extensions import db
    from portal.posts.models import Appointment

    chosen = list(days) if days is not None else None
    rows, now = [], utcnow()

    def stamp(day: date):
        if saved_after is None:
            return now
        return datetime.combine(day + timedelta(days=saved_after), time(10), UTC)  # 18:00 in the county

    for appointment_id in appointment_ids:
        appointment = db.session.get(Appointment, appointment_id)
        window = attendance.window_of(appointment)
        if chosen is not None:
            for_holder = chosen
        else:
            calendar = attendance.county_calendar(attendance.county_of_village(appointment.village_id))
            for_holder = [d for d in calendar.month_working_days(year, month) if window and d in window]
        rows += [{"appointment_id": appointment_id, "village_id": appointment.village_id, "day": d, "mark": mark,
                  "set_by": None, "set_at": stamp(d)} for d in for_holder]
    if rows:
        db.session.execute(insert(AttendanceMark.__table__), rows)
        refresh_months({(r["appointment_id"], r["day"].year, r["day"].month) for r in rows})
    db.session.commit()
    return len(rows)


def make_payroll(world, village_key: str = "a1a", year: int = 2026, month: int = 10, *, holders: int = 2,
                 state: str = "draft", today: date = TODAY) -> int:
    """A payroll of the village and month in `state` (draft, submitted, returned, approved or paid), made
    through the service: `holders` new holders with a full month of `present` marks; returns its id.
    Approved and paid on `today`, bank reference BANK-<id>."""
    from portal.payroll import service

    if holders:
        mark_month(make_holders(world, village_key, holders), year, month)
    clerk, reviewer = user(CLERKS[village_key]), user(REVIEWER)
    payroll = service.generate(clerk, world.ids[village_key], year, month, today)
    payroll_id = payroll.id
    if state in ("submitted", "returned", "approved", "paid"):
        service.submit(clerk, get_payroll(payroll_id))
    if state == "returned":
        service.return_(reviewer, get_payroll(payroll_id), "考勤有误，请核对")
    if state in ("approved", "paid"):
        service.approve(reviewer, get_payroll(payroll_id), today)
    if state == "paid":
        service.record_payment(reviewer, get_payroll(payroll_id), today, f"BANK-{payroll_id}", today)
    return payroll_id


def get_payroll(payroll_id: int):
    """The payroll as the database has it now (the session's copy refreshed)."""
    from portal.extensions import db
    from portal.payroll.models import Payroll

    db.session.expire_all()
    return db.session.get(Payroll, payroll_id)
