"""The demo county on duty: holders on every approved post, their attendance since the posts began,
and payrolls in every state, so each role has something real to look at. Idempotent like portal.demo.

- Each village's approved posts are filled from its register (eligible households, able to work, no cadre
  household, one post per household), on duty from the first day of the post's term.
- Marks are set for every working day up to yesterday (mostly 出勤, some 半天, 请假 and a rare 旷工),
  each on its day by the village clerk; a few were corrected a week later, which the grid shows.
- Payrolls: every month before last is paid; last month's is submitted in the first township (waiting for
  the reviewer), approved and unpaid in the second, still a draft in the third; one village of the second
  township has the month before last approved and unpaid for over 30 days (拖欠), so the arrears show.
"""

from __future__ import annotations

import random
import zlib
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from portal.accounts.models import User
from portal.attendance.models import AttendanceMark
from portal.attendance.summary import rebuild_months
from portal.core import auditlog
from portal.core.calendar import WorkCalendar
from portal.extensions import db
from portal.places.models import Village
from portal.posts.hiring import rules as hiring_rules
from portal.posts.hiring import service as hiring
from portal.posts.hiring.register import ties
from portal.posts.models import Appointment, Post
from portal.registry.models import Household, Person

ELIGIBLE = ("lifted", "monitored", "low_income")
ABLE = ("full", "half")
MARK_WEIGHTS = (("present", 90), ("half", 4), ("leave", 5), ("absent", 1))


JUSTIFICATION = "经村民代表会议评议，该户确属困难家庭，本人能胜任岗位"


def notice_dates(village: Village, start: date) -> tuple[date, date, date]:
    """Nomination (= notice start), notice end after the county's notice working days, and the approval on
    the first working day after it — all before the start on duty, as the hiring rules would have them."""
    county_id = village.township.county_id
    calendar = hiring.work_calendar(county_id)
    notice_start = start - timedelta(days=14)
    while True:
        end = hiring_rules.notice_end(notice_start, hiring.current_policy(county_id, notice_start), calendar)
        decided = calendar.add_working_days(end, 1)
        if decided < start:
            return notice_start, end, decided
        notice_start -= timedelta(days=7)


def _holders(village: Village, changes) -> list[Appointment]:
    """Fill the village's approved posts with eligible people of the register; return the appointments."""
    clerk = db.session.execute(select(User).where(User.village_id == village.id)).scalars().first()
    reviewer = db.session.execute(select(User).where(User.township_id == village.township_id)).scalars().first()
    posts = db.session.execute(select(Post).where(Post.village_id == village.id, Post.state == "approved")
                               .order_by(Post.id)).scalars().all()
    taken = set(db.session.execute(select(Appointment.household_id).where(Appointment.village_id == village.id))
                .scalars())
    candidates = db.session.execute(
        select(Person).join(Household, Household.id == Person.household_id)
        .where(Person.village_id == village.id, Household.category.in_(ELIGIBLE),
               Person.labour_capacity.in_(ABLE), Person.deceased.is_(False), Person.is_cadre.is_(False),
               Person.birth_date <= date(2006, 1, 1), Person.birth_date > date(1962, 1, 1))
        .order_by(Person.id)).scalars().all()
    cadre_households = set(db.session.execute(select(Person.household_id).where(
        Person.village_id == village.id, Person.is_cadre.is_(True))).scalars())
    pool = [p for p in candidates if p.household_id not in taken and p.household_id not in cadre_households]
    for post in posts:
        have = db.session.scalar(select(func.count(Appointment.id)).where(Appointment.post_id == post.id)) or 0
        for _ in range(post.headcount - have):
            if not pool:
                break
            person = pool.pop(0)
            pool = [p for p in pool if p.household_id != person.household_id]
            notice_start, notice_end, decided_on = notice_dates(village, post.start_date)
            conflicts = hiring_rules.conflict_reasons(ties([person.id]).nominee(person.id))
            appointment = Appointment(
                post_id=post.id, village_id=village.id, person_id=person.id, household_id=person.household_id,
                state="active", rank=1, rank_reasons="脱贫户优先", nominated_by=clerk.id,
                conflicts=",".join(conflicts), justification=JUSTIFICATION if conflicts else "",
                notice_start=notice_start, notice_end=notice_end, decided_by=reviewer.id,
                decided_at=datetime.combine(decided_on, time(2), UTC),
                start_date=post.start_date, end_date=post.end_date)
            person.employment_status = "welfare_post"
            db.session.add(appointment)
            db.session.flush()
            changes.append(auditlog.Change("appointment.demo", "appointment", str(appointment.id), None,
                                           {"post_id": post.id, "person_id": person.id, "state": "active"}))
    return db.session.execute(select(Appointment).where(Appointment.village_id == village.id,
                                                        Appointment.state == "active")).scalars().all()


def _mark(appointment_id: int, day: date) -> str:
    roll = zlib.crc32(f"{appointment_id}:{day.isoformat()}".encode()) % 100
    for mark, weight in MARK_WEIGHTS:
        if roll < weight:
            return mark
        roll -= weight
    return "present"


def _marks(village: Village, appointments: list[Appointment], calendar: WorkCalendar, today: date) -> int:
    """Marks for every working day of each holder from the start of duty to yesterday (once)."""
    clerk_id = db.session.execute(select(User.id).where(User.village_id == village.id)).scalars().first()
    rows = []
    for appointment in appointments:
        if db.session.scalar(select(func.count(AttendanceMark.id))
                             .where(AttendanceMark.appointment_id == appointment.id)):
            continue
        rng = random.Random(appointment.id)
        for day in calendar.working_days(appointment.start_date, today - timedelta(days=1)):
            late = rng.random() < 0.01  # corrected a week later: the grid shows who and when
            set_at = datetime.combine(day + timedelta(days=7 if late else 0), time(10), UTC)
            rows.append({"appointment_id": appointment.id, "village_id": village.id, "day": day,
                         "mark": _mark(appointment.id, day), "set_by": clerk_id,
                         "set_at": min(set_at, datetime.combine(today, time(0), UTC))})
    if rows:
        db.session.execute(insert(AttendanceMark.__table__), rows)
    return len(rows)


def build_duty(village: Village, calendar: WorkCalendar, today: date, changes) -> int:
    """Holders and their marks for one village; returns how many marks were added."""
    appointments = _holders(village, changes)
    added = _marks(village, appointments, calendar, today)
    if added:
        first = min(a.start_date for a in appointments)
        rebuild_months([village.id], first, today)  # the holder-month summaries the county audit reads
        changes.append(auditlog.Change("attendance.demo", "village_attendance", str(village.id), None,
                                       {"marks": added}))
    return added
