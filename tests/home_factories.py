"""A busy county for the home-page tests: something of every kind waiting for the clerk of 青竹村 (a1a), the
reviewer of 白石镇 (A1) and the county admin of 云溪县, dated from the county's real today (the home pages and
their lists read the real clock). Made with the services where a use case exists, else with the models.

Call inside an app context; returns the ids the tests look at.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import update

from tests.hiring_factory import make_person, make_post
from tests.payroll_factories import make_holders, mark_month, user
from tests.posts_plans_support import new_plan, setup_county
from tests.workshop_factories import make_workshop

CATEGORIES = ("lifted", "monitored")


def months_back(today: date, n: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 - n
    return index // 12, index % 12 + 1


def _appointment(world, post, *, notice_end: date, conflicts: str = "", state: str = "in_notice") -> int:
    from portal.extensions import db
    from portal.posts.models import Appointment

    person = make_person(world, "a1a")
    appointment = Appointment(post_id=post.id, village_id=post.village_id, person_id=person.id,
                              household_id=person.household_id, state=state, rank=1, conflicts=conflicts,
                              conflict_person_ids="", nominated_by=user("clerk").id,
                              notice_start=notice_end - timedelta(days=7), notice_end=notice_end,
                              start_date=notice_end + timedelta(days=1), end_date=post.end_date)
    db.session.add(appointment)
    db.session.commit()
    return appointment.id


def _exit(appointment_id: int, state: str, reason: str, today: date, *, by_portal: bool = False,
          proposed_days: int = 1, notified_days: int | None = None, appealed_days: int | None = None) -> int:
    from portal.extensions import db
    from portal.posts.models import Appointment, Exit

    appointment = db.session.get(Appointment, appointment_id)
    row = Exit(appointment_id=appointment_id, village_id=appointment.village_id, reason=reason, evidence="见考勤",
               proposed_by=None if by_portal else user("clerk").id, proposed_on=today - timedelta(days=proposed_days),
               effective_on=today + timedelta(days=20), state=state,
               notified_on=None if notified_days is None else today - timedelta(days=notified_days),
               appeal_recorded_on=None if appealed_days is None else today - timedelta(days=appealed_days),
               appeal_text="本人不同意" if appealed_days is not None else "")
    db.session.add(row)
    db.session.commit()
    return row.id


def _payrolls(world, today: date) -> dict:
    """a1a: two months ago returned, last month none (missing); a1b: two months ago approved, last month
    submitted; every holder on duty from the first day of two months ago."""
    from portal.payroll import service

    two_ago, last = months_back(today, 2), months_back(today, 1)
    start = date(*two_ago, 1)
    ids = {}
    a1a = make_holders(world, "a1a", 2, start=start, end=today + timedelta(days=200))
    mark_month(a1a, *two_ago)
    returned = service.generate(user("clerk"), world.ids["a1a"], *two_ago, today)
    ids["returned_payroll"] = returned.id
    service.submit(user("clerk"), returned)
    service.return_(user("reviewer"), returned, "考勤有误，请核对")
    a1b = make_holders(world, "a1b", 2, start=start, end=today + timedelta(days=200))
    mark_month(a1b, *two_ago)
    mark_month(a1b, *last)
    approved = service.generate(user("clerk_b"), world.ids["a1b"], *two_ago, today)
    service.submit(user("clerk_b"), approved)
    service.approve(user("reviewer"), approved, today)
    submitted = service.generate(user("clerk_b"), world.ids["a1b"], *last, today)
    service.submit(user("clerk_b"), submitted)
    ids.update(approved_payroll=approved.id, submitted_payroll=submitted.id, a1a_holders=a1a)
    return ids


def _workshops(world, today: date) -> dict:
    from portal.extensions import db
    from portal.workshops.models import Assessment, Workshop, WorkshopExit

    certified = today - timedelta(days=150)
    quiet = make_workshop(world, "a1a", certified_on=certified, today=today)
    watched = make_workshop(world, "a1a", certified_on=certified, today=today)
    delisting = make_workshop(world, "a1a", certified_on=certified, today=today)
    db.session.execute(update(Workshop).where(Workshop.id == watched).values(state="watch"))
    db.session.execute(update(Workshop).where(Workshop.id == delisting).values(state="exiting"))
    admin = user("admin")
    village = world.ids["a1a"]
    db.session.add_all([
        WorkshopExit(workshop_id=delisting, village_id=village, condition="violation", reason="违法违规",
                     proposed_on=today - timedelta(days=12), state="in_notice", notice_start=today - timedelta(days=9),
                     notice_end=today - timedelta(days=1), published_by=user("reviewer").id),
        WorkshopExit(workshop_id=quiet, village_id=village, condition="halted", reason="连续停产",
                     proposed_on=today - timedelta(days=2), state="proposed"),
    ])
    for workshop_id, state, reward in ((quiet, "computed", "10000.00"), (watched, "approved", "20000.00")):
        db.session.add(Assessment(workshop_id=workshop_id, village_id=village, year=today.year - 1, stable_aided=8,
                                  level=1, reward=Decimal(reward), classification="steady",
                                  tier_table="5:10000,10:20000,20:30000,30:50000", state=state,
                                  computed_by=admin.id, approved_by=admin.id if state == "approved" else None,
                                  approved_on=today - timedelta(days=3) if state == "approved" else None))
    db.session.commit()
    return {"workshops": [quiet, watched, delisting]}


def busy_county(world) -> dict:
    """Everything the three home pages count, at least once; returns the ids of what was made."""
    from portal.accounts.models import User
    from portal.core.clock import county_today
    from portal.core.types import utcnow
    from portal.extensions import db
    from portal.posts.models import Objection
    from portal.posts.plans import service as plans

    today = county_today()
    setup_county(quota=20)  # a standard and the quotas of a1a and a1b: settings changed today
    returned = new_plan(title="返工的保洁员")
    plans.submit(user("clerk"), returned)
    plans.return_plan(user("reviewer"), returned, "请补充设岗理由")
    waiting = new_plan(title="待审的保洁员")
    plans.submit(user("clerk"), waiting)
    ids = {"returned_plan": returned.id, "waiting_plan": waiting.id}

    post = make_post(world, "a1a", headcount=6, start=today - timedelta(days=30), title="有空缺的保洁员")
    ids["vacant_post"] = post.id
    ids["in_notice"] = _appointment(world, post, notice_end=today + timedelta(days=3))
    ids["ready"] = _appointment(world, post, notice_end=today - timedelta(days=2))
    ids["conflict"] = _appointment(world, post, notice_end=today + timedelta(days=3), conflicts="cadre")
    ids["objected"] = _appointment(world, post, notice_end=today - timedelta(days=1))
    db.session.add(Objection(appointment_id=ids["objected"], village_id=post.village_id,
                             received_on=today - timedelta(days=4), objector="村民", content="不符合条件",
                             recorded_by=user("clerk").id))
    db.session.commit()

    ids.update(_payrolls(world, today))
    first, second = ids["a1a_holders"]
    from tests.exit_factories import make_holder

    third = make_holder(world, "p_a1a", start=today - timedelta(days=60), end=today + timedelta(days=200))
    ids["exits"] = [
        _exit(first, "proposed", "term_ended", today, by_portal=True, proposed_days=6),
        _exit(second, "proposed", "employed_elsewhere", today, proposed_days=2),
        _exit(third, "appealed", "absenteeism", today, notified_days=4, appealed_days=3),
        _exit(first, "approved", "absenteeism", today, notified_days=1),
    ]
    ids.update(_workshops(world, today))
    db.session.execute(update(User).where(User.username == "reviewer2").values(
        locked_until=utcnow() + timedelta(hours=1)))
    db.session.commit()
    ids["today"] = today
    return ids
