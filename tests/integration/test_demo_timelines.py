"""The demo tells the truth about time: nomination, notice and approval follow each other by the county's
working days and precede the start on duty; a holder who is a declared relative of a cadre carries the
优亲厚友 mark with a justification; a payroll is submitted before it is approved before it is paid, so the
arrears example's stage days add up to the days since the month ended."""

from datetime import date

from sqlalchemy import select

from portal.accounts.models import User
from portal.core.clock import county_today
from portal.demo.county import build_demo
from portal.extensions import db
from portal.payroll import arrears
from portal.payroll.arrears import county_date
from portal.payroll.models import Payroll
from portal.payroll.rules import month_end
from portal.posts.hiring import rules as hiring_rules
from portal.posts.hiring import service as hiring
from portal.posts.hiring.register import ties
from portal.posts.models import Appointment


def test_the_demo_timelines_are_consistent(ctx):
    build_demo()
    appointments = db.session.execute(select(Appointment)).scalars().all()
    assert appointments
    for a in appointments:
        county_id = a.post.village.township.county_id
        policy, calendar = hiring.current_policy(county_id, a.notice_start), hiring.work_calendar(county_id)
        assert a.notice_end == hiring_rules.notice_end(a.notice_start, policy, calendar), a.id
        decided = county_date(a.decided_at)
        assert a.notice_end < decided < a.start_date, (a.id, a.notice_end, decided, a.start_date)
        cadre_ties = hiring_rules.conflict_reasons(ties([a.person_id]).nominee(a.person_id))
        assert set(cadre_ties) <= set(filter(None, a.conflicts.split(","))), a.id
        if a.conflicts:
            assert len(a.justification) >= hiring_rules.WRITTEN_REASON_MIN
    for p in db.session.execute(select(Payroll).where(Payroll.submitted_at.is_not(None))).scalars():
        submitted = county_date(p.submitted_at)
        assert submitted > month_end(p.year, p.month), p.id
        if p.approved_on:
            assert submitted <= p.approved_on, (p.id, submitted, p.approved_on)
        if p.paid_on:
            assert p.approved_on <= p.paid_on
    today = county_today()
    admin = db.session.execute(select(User).where(User.username == "admin")).scalar_one()
    for arrear in arrears.overdue(admin, today):
        d, p = arrear.delay, arrear.payroll
        assert d.village_days + d.township_days + d.payment_days == (today - month_end(p.year, p.month)).days


def test_some_demo_holder_is_marked_for_a_cadre_tie(ctx):
    build_demo()
    if county_today() < date(county_today().year, 2, 1):
        return
    marked = db.session.execute(select(Appointment).where(Appointment.conflicts != "")).scalars().all()
    assert marked, "the demo's cadre relatives who hold posts carry the 优亲厚友 mark"
