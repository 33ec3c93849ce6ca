"""Decision support on a real database (issue 14): a payroll's lines beside last month's (matched by appointment,
else by person; nothing compared without last month's payroll), a plan's quota and standard as approval checks
them, and the county's quota use by township in grouped queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from portal.core.clock import county_today
from portal.extensions import db
from portal.payroll import review
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.rules import LineFlag
from portal.posts import settings
from portal.posts.models import Appointment
from portal.posts.plans import queries as plan_queries
from portal.posts.plans import service as plans
from tests.payroll_factories import make_holders, user
from tests.posts_plans_support import approved_plan, new_plan, setup_county, start

NEW, ABOVE, FULL, ZERO = (LineFlag.NEW_HOLDER, LineFlag.ABOVE_LAST_MONTH, LineFlag.FULL_PAY_WITH_LEAVE,
                          LineFlag.ZERO_DAYS)


def _payroll(village_id: int, year: int, month: int, lines: list[tuple[Appointment, str, str, int, int]]) -> Payroll:
    """A payroll made directly with its duty lines: (appointment, amount, duty days, leave days, absent days)."""
    payroll = Payroll(village_id=village_id, year=year, month=month, state="submitted", line_count=len(lines),
                      total=sum((Decimal(a) for _x, a, _d, _l, _b in lines), Decimal("0.00")), required_days=21)
    db.session.add(payroll)
    db.session.flush()
    for appointment, amount, duty, leave, absent in lines:
        db.session.add(PayrollLine(
            payroll_id=payroll.id, village_id=village_id, kind="duty", appointment_id=appointment.id,
            person_id=appointment.person_id, post_id=appointment.post_id, person_name=appointment.person.name,
            id_number=appointment.person.id_number, post_title="保洁员", schedule="full_time",
            subsidy=Decimal("800.00"), required_days=21, duty_days=Decimal(duty), window_days=21, month_days=21,
            present_days=int(Decimal(duty)), leave_days=leave, absent_days=absent, amount=Decimal(amount)))
    db.session.commit()
    return payroll


@pytest.fixture
def holders(world, ctx):
    """Four holders of 青竹村; the first also held another post of the village last month (moved since)."""
    ids = make_holders(world, "a1a", 4)
    appointments = [db.session.get(Appointment, i) for i in ids]
    first = appointments[0]
    old_post = db.session.get(Appointment, make_holders(world, "a1a", 1)[0]).post_id
    moved = Appointment(post_id=old_post, village_id=first.village_id, person_id=first.person_id,
                        household_id=first.household_id, state="exited", rank=1, nominated_by=first.nominated_by,
                        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31), exited_on=date(2026, 10, 1))
    db.session.add(moved)
    db.session.commit()
    return world, appointments, moved


def test_each_line_beside_the_holders_line_of_last_month(holders):
    world, (moved_holder, same, raised, newcomer), moved = holders
    village = world.ids["a1a"]
    _payroll(village, 2026, 9, [(moved, "600.00", "15", 0, 0), (same, "600.00", "15", 0, 0),
                                (raised, "600.00", "15", 0, 0)])
    october = _payroll(village, 2026, 10, [(moved_holder, "600.00", "15", 0, 0), (same, "600.00", "15", 0, 0),
                                           (raised, "800.00", "21", 1, 0), (newcomer, "0.00", "0", 0, 2)])
    sheet = review.review(october)
    assert sheet.previous is not None and (sheet.previous.year, sheet.previous.month) == (2026, 9)
    got = {r.line.appointment_id: (r.last.amount if r.last else None, list(r.flags)) for r in sheet.lines}
    assert got == {
        moved_holder.id: (Decimal("600.00"), []),  # matched by person: moved post, not new
        same.id: (Decimal("600.00"), []),
        raised.id: (Decimal("600.00"), [ABOVE, FULL]),  # the whole subsidy with a day of leave, more than before
        newcomer.id: (None, [NEW, ZERO]),
    }
    assert sheet.flagged == 2 and sheet.counts == {ABOVE: 1, FULL: 1, NEW: 1, ZERO: 1}


def test_without_last_months_payroll_nobody_is_new(holders):
    world, (first, *_rest), _moved = holders
    sheet = review.review(_payroll(world.ids["a1a"], 2026, 10, [(first, "0.00", "0", 0, 0)]))
    assert sheet.previous is None and [list(r.flags) for r in sheet.lines] == [[ZERO]]


@pytest.fixture
def county(world, ctx):
    setup_county(quota=6)  # standard 800.00 for cleaning; 6 places for 青竹村 and 石门村
    return world


def test_a_plan_under_review_shows_the_quota_used_and_left_and_the_standard(county):
    approved_plan(headcount=2)
    asked = new_plan(headcount=3, subsidy=Decimal("800.00"))
    plans.submit(user("clerk"), asked)
    figures = plan_queries.plan_figures(asked, county_today())
    assert (figures.quota.quota, figures.quota.approved, figures.quota.waiting, figures.quota.asked) == (6, 2, 0, 3)
    assert (figures.quota.left, figures.quota.left_after, figures.quota.fits) == (4, 1, True)
    assert not figures.quota.contested
    assert figures.standard == Decimal("800.00") and figures.within_standard


def test_plans_waiting_together_for_fewer_places_are_contested(county):
    approved_plan(headcount=2)
    asked = new_plan(headcount=3)
    plans.submit(user("clerk"), asked)
    plans.submit(user("clerk"), new_plan(headcount=1))
    settings.set_quota(user("admin"), user("clerk").village_id, 5, start())  # the county lowers the quota
    quota = plan_queries.plan_figures(asked, county_today()).quota
    assert (quota.quota, quota.approved, quota.waiting, quota.left_after, quota.fits) == (5, 2, 1, 0, True)
    assert quota.contested  # the other plan's place is the one this plan would take


def test_a_plan_over_the_quota_or_the_standard_says_so(county):
    approved_plan(headcount=2)
    over = new_plan(headcount=5, subsidy=Decimal("800.01"))
    figures = plan_queries.plan_figures(over, county_today())
    assert figures.quota.left_after == -1 and not figures.quota.fits
    assert not figures.within_standard


def test_quota_use_by_township_in_grouped_queries(county):
    approved_plan(headcount=2)
    plans.submit(user("clerk"), new_plan(headcount=1))
    rows = {r.township.name: r for r in plan_queries.quota_use_by_township(user("admin"), county_today())}
    baishi, liuhe = rows["白石镇"], rows["柳河乡"]
    assert (baishi.villages, baishi.quota, baishi.approved, baishi.waiting, baishi.left, baishi.without_quota) == (
        2, 12, 2, 1, 9, 0)
    assert (liuhe.villages, liuhe.quota, liuhe.without_quota) == (1, 0, 1)
    assert set(rows) == {"白石镇", "柳河乡"}  # the other county's township is not listed
