"""The demo tells the truth about time: nomination, notice and approval follow each other by the county's
working days and precede the start on duty; a holder who is a declared relative of a cadre carries the
优亲厚友 mark with a justification; a payroll is submitted before it is approved before it is paid, so the
arrears example's stage days add up to the days since the month ended.

And it was made the way users make things: every nomination, approval, mark and payroll step is an audit row
written by the service for the right user on the day it records, the audit log reads in the order the county
lived it, and the attendance summaries the county audit reads are exactly a rebuild from the marks."""

import json
from datetime import date

from sqlalchemy import select

from portal.accounts.models import User
from portal.attendance.models import AttendanceMark, AttendanceMonth
from portal.attendance.summary import rebuild_months
from portal.core.auditlog import AuditEntry
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


def test_the_demo_county_keeps_time_and_was_made_through_the_services(ctx):
    """One build (it takes seconds, twice that on PostgreSQL), checked for both."""
    build_demo()
    _timelines_are_consistent()
    _made_through_the_services()


def _timelines_are_consistent():
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
    stamps = db.session.execute(select(AuditEntry.ts).order_by(AuditEntry.seq)).scalars().all()
    assert stamps == sorted(stamps), "the audit log reads in the order the county lived it"
    _payrolls_went_through_the_service()


STEPS = {"draft": ["generate"], "submitted": ["generate", "submit"], "returned": ["generate", "submit", "return"],
         "approved": ["generate", "submit", "approve"], "paid": ["generate", "submit", "approve", "pay"]}


def _rows(entity_type: str, entity_id) -> list[AuditEntry]:
    return db.session.execute(select(AuditEntry).where(
        AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.seq)).scalars().all()


def _payrolls_went_through_the_service():
    """Each payroll's audit rows are the service's steps for its state, by the village's clerk (generate,
    submit) and its township's reviewer (approve, return, pay), on the days the payroll records."""
    payrolls = db.session.execute(select(Payroll)).scalars().all()
    assert payrolls
    for p in payrolls:
        rows = _rows("payroll", p.id)
        assert [r.action for r in rows] == [f"payroll.{s}" for s in STEPS[p.state]], (p.id, p.state)
        actors = {r.action.split(".")[1]: db.session.get(User, r.actor_id) for r in rows}
        for step, actor in actors.items():
            if step in ("generate", "submit"):
                assert (actor.role, actor.village_id) == ("village_clerk", p.village_id), (p.id, step)
            else:
                assert (actor.role, actor.township_id) == ("township_reviewer", p.village.township_id), (p.id, step)
        by_step = {r.action.split(".")[1]: county_date(r.ts) for r in rows}
        if "submit" in by_step:
            assert by_step["submit"] == county_date(p.submitted_at)
        if p.approved_on:
            assert by_step["approve"] == p.approved_on
        if p.paid_on:
            assert by_step["pay"] == p.paid_on


def _made_through_the_services():
    """Cadre relatives carry the mark the nomination service computed; every holder was nominated by the
    village's clerk and approved by its township's reviewer (but the planted second post of a household, which
    the service refuses); every mark was saved by the clerk; the summaries are a rebuild of the marks."""
    if county_today() < date(county_today().year, 2, 1):
        return
    appointments = db.session.execute(select(Appointment)).scalars().all()
    relatives = 0
    for a in appointments:
        nominated = [r for r in _rows("appointment", a.id) if r.action == "appointment.nominate"]
        if a.post.title == "护河员":  # 桃源村's planted 一户多岗: written past the service, which refuses it
            assert not nominated
            continue
        (row,) = nominated
        clerk = db.session.get(User, row.actor_id)
        assert (clerk.role, clerk.village_id) == ("village_clerk", a.village_id)
        (approved,) = [r for r in _rows("appointment", a.id) if r.action == "appointment.approve"]
        reviewer = db.session.get(User, approved.actor_id)
        assert (reviewer.role, reviewer.township_id) == ("township_reviewer", a.post.village.township_id)
        if "cadre_relative" in hiring_rules.conflict_reasons(ties([a.person_id]).nominee(a.person_id)):
            relatives += 1
            assert "cadre_relative" in json.loads(row.after)["conflicts"], a.id  # computed by the service
            assert "cadre_relative" in a.conflicts.split(",") and a.justification
    assert relatives, "the demo's cadre relatives who hold posts carry the 优亲厚友 mark"
    clerks = {v: u for v, u in db.session.execute(select(User.village_id, User.id).where(User.role == "village_clerk"))}
    setters = db.session.execute(select(AttendanceMark.village_id, AttendanceMark.set_by).distinct()).all()
    assert setters and all(clerks[v] == u for v, u in setters)
    columns = [c for c in AttendanceMonth.__table__.c if c.name != "id"]
    kept = set(db.session.execute(select(*columns)).all())
    rebuild_months(None, date(county_today().year, 1, 1), county_today())
    assert kept and set(db.session.execute(select(*columns)).all()) == kept
