"""Rule 5 against a real database: a workshop's year of reports into watch, the portal's exit proposal, the
delisting notice and the exit; refusals at the boundaries; assessments from real employment records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.core.auditlog import AuditEntry, verify_chain
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.extensions import db
from portal.workshops import queries
from portal.workshops.assessments import service as assessments
from portal.workshops.certification import service
from portal.workshops.exits import service as exits
from portal.workshops.guards import WorkshopRefused
from portal.workshops.models import Assessment, MonthlyReport, WorkshopEmployee, WorkshopExit
from portal.workshops.monitoring import service as monitoring
from portal.workshops.reports import service as reports
from tests.workshop_factories import (
    TODAY,
    WAGE,
    add_admin,
    credit_code,
    employ,
    file_reports,
    make_people,
    make_workshop,
    report_data,
    user,
    workshop,
    workshop_data,
)


def _exits(workshop_id: int) -> list[WorkshopExit]:
    db.session.expire_all()
    return list(db.session.execute(select(WorkshopExit).where(WorkshopExit.workshop_id == workshop_id)
                                   .order_by(WorkshopExit.id)).scalars())


def _actions() -> list[str]:
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


# ---- the journey --------------------------------------------------------------------------

def test_a_workshop_runs_through_twelve_months_into_watch_exit_proposal_notice_and_exit(world, ctx):
    start = date(2025, 12, 1)
    ws_id = make_workshop(world, certified_on=start, today=start)
    people = make_people(world, "a1a", 8)
    rows = [service.add_employee(user("clerk"), workshop(ws_id), p, start, WAGE, today=start).id for p in people]

    file_reports(ws_id, (2025, 12), (2026, 6))  # seven months operating with 8 aided employees
    assert workshop(ws_id).state == "normal"

    for row_id in rows[:4]:  # four leave in July: 4 aided from July's end
        service.end_employee(user("reviewer"), db.session.get(WorkshopEmployee, row_id), date(2026, 7, 15),
                             today=date(2026, 7, 15))
    file_reports(ws_id, (2026, 7), (2026, 7))
    ws = workshop(ws_id)
    assert (ws.state, ws.watch_condition, ws.watch_since) == ("watch", "low_aided", date(2026, 7, 1))
    assert [(r.month, r.aided, r.report is not None) for r in reports.month_rows(ws, date(2026, 8, 1))][-3:] == [
        ((2026, 6), 8, True), ((2026, 7), 4, True), ((2026, 8), 4, False)]

    file_reports(ws_id, (2026, 8), (2026, 9), operating=False)  # halted two months: still only watch
    found = queries.monitoring_of(workshop(ws_id), date(2026, 10, 1))
    assert [(r.condition, r.started, r.months) for r in found.ongoing] == [
        ("low_aided", (2026, 7), 3), ("halted", (2026, 8), 2)]
    assert (workshop(ws_id).state, _exits(ws_id)) == ("watch", [])

    file_reports(ws_id, (2026, 10), (2026, 10), operating=False)  # the third halted month: exit due
    (proposal,) = _exits(ws_id)
    assert (proposal.state, proposal.condition, proposal.proposed_by, proposal.proposed_on) == (
        "proposed", "halted", None, date(2026, 11, 1))
    assert (proposal.started_in, proposal.met_in) == (date(2026, 8, 1), date(2026, 10, 1))
    assert "3" in proposal.evidence
    assert workshop(ws_id).state == "exiting"

    file_reports(ws_id, (2026, 11), (2026, 11), operating=False, today=date(2026, 11, 30))  # the twelfth month
    assert monitoring.monitor_all(date(2026, 12, 1))["proposed"] == 0  # idempotent: one proposal per run
    assert len(_exits(ws_id)) == 1
    assert db.session.scalar(select(func.count(MonthlyReport.id))) == 12

    exits.publish_notice(user("reviewer"), proposal, today=date(2026, 12, 1))
    proposal = _exits(ws_id)[0]
    assert (proposal.state, proposal.notice_start, proposal.notice_end) == (
        "in_notice", date(2026, 12, 1), date(2026, 12, 8))  # five working days after Tuesday 1 December
    assert proposal in exits.exits_in_notice(world.ids["a1a"], date(2026, 12, 2))

    with pytest.raises(WorkshopRefused) as err:
        exits.approve_exit(user("admin"), proposal, date(2026, 12, 8), today=date(2026, 12, 8))
    assert "notice" in err.value.problems
    exits.approve_exit(user("admin"), _exits(ws_id)[0], date(2026, 12, 9), today=date(2026, 12, 9))

    ws, proposal = workshop(ws_id), _exits(ws_id)[0]
    assert (ws.state, ws.exited_on, proposal.state, proposal.effective_on) == (
        "exited", date(2026, 12, 9), "exited", date(2026, 12, 9))
    follow = exits.followup(proposal)
    assert sorted(r.person_id for r in follow) == sorted(people[4:])  # the ones still employed need new work
    assert {r.leave_date for r in follow} == {date(2026, 12, 8)}
    assert {db.session.get(WorkshopEmployee, r).leave_date for r in rows[:4]} == {date(2026, 7, 15)}

    with pytest.raises(RuleViolation):  # nothing after the exit
        reports.file_report(user("clerk"), ws, 2026, 12, report_data(), today=date(2026, 12, 10))
    with pytest.raises(RuleViolation):
        service.add_employee(user("clerk"), ws, make_people(world, "a1a", 1)[0], date(2026, 12, 10), WAGE,
                             today=date(2026, 12, 10))

    (assessment,) = assessments.compute_year(user("admin"), 2026, today=date(2027, 1, 10))
    assert (assessment.stable_aided, assessment.level, assessment.reward, assessment.withheld,
            assessment.classification) == (8, 1, Decimal("0.00"), True, "adjusted")  # no reward after exit
    assert assessments.compute_year(user("admin"), 2027, today=date(2028, 1, 5)) == []

    actions = _actions()
    for action in ("workshop.certify", "workshop_employee.add", "workshop_report.file", "workshop.watch",
                   "workshop.propose_exit", "workshop_exit.propose", "workshop_exit.publish", "workshop_exit.approve",
                   "workshop_exit.exit", "workshop.exit", "workshop_employee.end_by_exit", "assessment.compute"):
        assert action in actions
    assert [e.state for e in queries.exits_of(ws_id)] == ["exited"]  # history kept
    assert verify_chain().ok


def test_a_violation_proposes_an_exit_at_once(world, ctx):
    ws_id = make_workshop(world, aided=6, certified_on=date(2026, 1, 1))
    reports.file_report(user("clerk"), workshop(ws_id), 2026, 10, report_data(violation=True, note="非法占用耕地"),
                        today=TODAY)
    (proposal,) = _exits(ws_id)
    assert (proposal.condition, proposal.started_in, proposal.met_in) == (
        "violation", date(2026, 10, 1), date(2026, 10, 1))
    assert workshop(ws_id).state == "exiting"


def test_the_clerk_refiles_a_month_until_the_year_is_approved(world, ctx):
    ws_id = make_workshop(world, aided=6)
    (first,) = file_reports(ws_id, (2025, 6), (2025, 6))
    again = reports.file_report(user("reviewer"), workshop(ws_id), 2025, 6, report_data(total=25), today=TODAY)
    assert again.id == first and again.total_employees == 25 and again.updated_by == user("reviewer").id
    assert "workshop_report.refile" in _actions()

    (assessment,) = assessments.compute_year(user("admin"), 2025, today=TODAY)
    assessments.approve_assessment(user("admin"), assessment, today=TODAY)
    with pytest.raises(WorkshopRefused) as err:
        reports.file_report(user("clerk"), workshop(ws_id), 2025, 6, report_data(total=30), today=TODAY)
    assert "2025" in err.value.problems["year"]
    with pytest.raises(WorkshopRefused):  # an employment day in the closed year
        service.add_employee(user("clerk"), workshop(ws_id), make_people(world, "a1a", 1)[0], date(2025, 12, 1),
                             WAGE, today=TODAY)
    reports.file_report(user("clerk"), workshop(ws_id), 2026, 1, report_data(), today=TODAY)  # the next year is open


def test_missing_reports_of_a_month_by_scope(world, ctx):
    a = make_workshop(world, "a1a", aided=6)
    b = make_workshop(world, "a1b", aided=6)
    make_workshop(world, "a1a", aided=6, certified_on=date(2026, 11, 2))  # not yet a workshop in October
    assert {w.id for w in reports.missing_reports(user("reviewer"), 2026, 10)} == {a, b}
    assert {w.id for w in reports.missing_reports(user("clerk"), 2026, 10)} == {a}
    file_reports(a, (2026, 10), (2026, 10))
    assert {w.id for w in reports.missing_reports(user("reviewer"), 2026, 10)} == {b}
    assert reports.missing_reports(user("admin_b"), 2026, 10) == []


def test_monitoring_starts_when_the_portal_first_holds_the_workshop(world, ctx):
    ws_id = make_workshop(world, certified_on=date(2021, 5, 1), entered_on=date(2026, 11, 2))
    employ(ws_id, make_people(world, "a1a", 6), date(2021, 5, 1))
    service.add_employee(user("clerk"), workshop(ws_id), make_people(world, "a1a", 1)[0], date(2026, 11, 2), WAGE,
                         today=date(2026, 11, 2))
    assert (workshop(ws_id).state, _exits(ws_id)) == ("normal", [])


# ---- refusals at the boundaries -------------------------------------------------------------------

def test_credit_codes_are_checked_and_unique(world, ctx):
    admin, village = user("admin"), world.ids["a1a"]
    bad = credit_code(7)[:-1] + ("1" if credit_code(7)[-1] != "1" else "2")
    with pytest.raises(WorkshopRefused) as err:
        service.certify(admin, village, workshop_data(7, credit_code=bad), today=TODAY)
    assert "credit_code" in err.value.problems
    first = service.certify(admin, village, workshop_data(7), today=TODAY)
    with pytest.raises(Conflict) as err:
        service.certify(admin, world.ids["a1b"], workshop_data(8, credit_code=credit_code(7).lower()), today=TODAY)
    assert first.name in err.value.message and err.value.field == "credit_code"
    with pytest.raises(WorkshopRefused):
        service.certify(admin, village, workshop_data(9, certified_on=date(2026, 11, 23)), today=TODAY)


def test_the_county_admin_corrects_a_workshop(world, ctx):
    a, b = make_workshop(world, n=1, aided=6), make_workshop(world, n=2)
    file_reports(a, (2025, 3), (2025, 3))
    service.update_workshop(user("admin"), workshop(a), workshop_data(1, name="青竹竹编车间", other_employees=9),
                            today=TODAY)
    assert (workshop(a).name, workshop(a).other_employees) == ("青竹竹编车间", 9)
    with pytest.raises(WorkshopRefused) as err:  # certified after a month already reported
        service.update_workshop(user("admin"), workshop(a), workshop_data(1, certified_on=date(2025, 4, 1)),
                                today=TODAY)
    assert "certified_on" in err.value.problems
    with pytest.raises(Conflict):
        service.update_workshop(user("admin"), workshop(b), workshop_data(2, credit_code=credit_code(1)), today=TODAY)
    with pytest.raises(NotAllowed):
        service.update_workshop(user("reviewer"), workshop(b), workshop_data(2), today=TODAY)
    assert "workshop.update" in _actions()


@pytest.mark.parametrize("who", ["clerk", "reviewer", "auditor", "admin_b"])
def test_only_the_county_admin_certifies(world, ctx, who):
    with pytest.raises(NotAllowed):
        service.certify(user(who), world.ids["a1a"], workshop_data(3), today=TODAY)


def test_a_person_works_in_one_workshop_at_a_time(world, ctx):
    a, b = make_workshop(world, "a1a", n=1), make_workshop(world, "a1b", n=2)
    (person,) = make_people(world, "a1a", 1)
    service.add_employee(user("clerk"), workshop(a), person, date(2026, 1, 1), WAGE, date(2026, 3, 10), today=TODAY)
    with pytest.raises(WorkshopRefused) as err:  # not in clerk_b's village: as unknown as a missing id
        service.add_employee(user("clerk_b"), workshop(b), person, date(2026, 3, 11), WAGE, today=TODAY)
    assert set(err.value.problems) == {"person_id"}
    with pytest.raises(WorkshopRefused) as err:  # hired elsewhere on the leave day
        service.add_employee(user("reviewer"), workshop(b), person, date(2026, 3, 10), WAGE, today=TODAY)
    assert workshop(a).name in err.value.problems["hire_date"]
    row = service.add_employee(user("reviewer"), workshop(b), person, date(2026, 3, 11), WAGE, today=TODAY)
    assert row.village_id == world.ids["a1b"]
    first = db.session.execute(select(WorkshopEmployee).where(WorkshopEmployee.workshop_id == a)).scalar_one()
    with pytest.raises(WorkshopRefused):  # moving the leave date into the other employment
        service.end_employee(user("clerk"), first, date(2026, 3, 11), today=TODAY)
    service.end_employee(user("clerk"), first, date(2026, 3, 9), today=TODAY)


def test_who_keeps_employee_records_and_files_reports(world, ctx):
    ws_id = make_workshop(world, "a1a")
    people = make_people(world, "a1a", 4)
    for who in ("clerk_b", "auditor", "admin_b"):
        with pytest.raises(NotAllowed):
            service.add_employee(user(who), workshop(ws_id), people[0], date(2026, 1, 1), WAGE, today=TODAY)
    for who, person in zip(("clerk", "reviewer", "admin"), people, strict=False):
        service.add_employee(user(who), workshop(ws_id), person, date(2026, 1, 1), WAGE, today=TODAY)
    for who in ("admin", "clerk_b", "auditor"):
        with pytest.raises(NotAllowed):
            reports.file_report(user(who), workshop(ws_id), 2026, 10, report_data(), today=TODAY)
    (outsider,) = make_people(world, "b1a", 1)
    with pytest.raises(WorkshopRefused) as err:
        service.add_employee(user("clerk"), workshop(ws_id), outsider, date(2026, 1, 1), WAGE, today=TODAY)
    assert "person_id" in err.value.problems
    assert [w.id for w in db.session.execute(service.workshops_query(user("clerk_b"))).scalars()] == []


def test_report_boundaries(world, ctx):
    ws_id = make_workshop(world, aided=6, certified_on=date(2026, 3, 15))
    for year, month in ((2026, 12), (2026, 2)):
        with pytest.raises(WorkshopRefused) as err:
            reports.file_report(user("clerk"), workshop(ws_id), year, month, report_data(), today=TODAY)
        assert "month" in err.value.problems
    with pytest.raises(WorkshopRefused) as err:  # fewer in total than the aided on record
        reports.file_report(user("clerk"), workshop(ws_id), 2026, 3, report_data(total=5), today=TODAY)
    assert "6" in err.value.problems["total_employees"]
    assert reports.file_report(user("clerk"), workshop(ws_id), 2026, 3, report_data(total=6), today=TODAY).id


def test_exit_approval_segregation_and_double_approval(world, ctx):
    admin2 = add_admin(world)
    ws_id = make_workshop(world, aided=6)
    proposal = exits.propose_exit(user("admin"), workshop(ws_id), "other", "企业主体注销", "营业执照注销通知书",
                                    today=date(2026, 11, 2))
    with pytest.raises(Conflict):  # one exit at a time
        exits.propose_exit(user("reviewer"), workshop(ws_id), "other", "重复提出", today=date(2026, 11, 2))
    with pytest.raises(NotAllowed):
        exits.publish_notice(user("clerk"), proposal, today=date(2026, 11, 2))
    with pytest.raises(RuleViolation) as err:  # not before the notice
        exits.approve_exit(admin2, proposal, date(2026, 11, 20), today=TODAY)
    assert err.value.code == "illegal_move"
    exits.publish_notice(user("reviewer"), proposal, today=date(2026, 11, 2))
    with pytest.raises(NotAllowed) as err:
        exits.approve_exit(user("admin"), proposal, date(2026, 11, 20), today=TODAY)
    assert err.value.code == "own_submission"
    with pytest.raises(NotAllowed):
        exits.approve_exit(user("reviewer"), proposal, date(2026, 11, 20), today=TODAY)
    with pytest.raises(WorkshopRefused):  # effective before the day of approval
        exits.approve_exit(admin2, proposal, date(2026, 11, 21), today=TODAY)
    exits.approve_exit(admin2, proposal, date(2026, 12, 1), today=TODAY)
    with pytest.raises(Conflict):
        exits.approve_exit(admin2, _exits(ws_id)[0], date(2026, 12, 1), today=TODAY)
    assert workshop(ws_id).state == "exiting"  # approved, not yet effective
    assert exits.finalize_due(date(2026, 11, 30)) == 0
    assert exits.finalize_due(date(2026, 12, 1)) == 1
    assert (workshop(ws_id).state, workshop(ws_id).exited_on) == ("exited", date(2026, 12, 1))


def test_a_rejected_exit_resumes_the_workshop_and_is_not_proposed_again(world, ctx):
    ws_id = make_workshop(world, aided=6, certified_on=date(2026, 1, 1))
    file_reports(ws_id, (2026, 7), (2026, 9), operating=False)
    (proposal,) = _exits(ws_id)
    with pytest.raises(NotAllowed):
        exits.reject_exit(user("reviewer"), proposal, "已复工", today=TODAY)
    with pytest.raises(WorkshopRefused):
        exits.reject_exit(user("admin"), proposal, " ", today=TODAY)
    exits.reject_exit(user("admin"), proposal, "十月已复工复产", today=TODAY)
    assert (_exits(ws_id)[0].state, workshop(ws_id).state) == ("rejected", "watch")  # the halted run goes on
    assert monitoring.monitor_all(TODAY)["proposed"] == 0  # the same run is not proposed twice
    with pytest.raises(Conflict):
        exits.reject_exit(user("admin"), _exits(ws_id)[0], "再次驳回", today=TODAY)
    file_reports(ws_id, (2026, 10), (2026, 10))
    assert workshop(ws_id).state == "normal"


# ---- annual assessment from real employment records ------------------------------------------------

def test_assessment_tiers_from_employee_records(world, ctx):
    boundaries = {4: (0, "0.00"), 5: (1, "10000.00"), 9: (1, "10000.00"), 10: (2, "20000.00"), 30: (4, "50000.00")}
    ids = {n: make_workshop(world, "a1a", aided=n) for n in boundaries}
    employ(ids[5], make_people(world, "a1a", 1), date(2025, 1, 1), date(2025, 5, 31))  # five months: not stable
    found = {a.workshop_id: a for a in assessments.compute_year(user("admin"), 2025, today=TODAY)}
    for n, (level, reward) in boundaries.items():
        a = found[ids[n]]
        assert (a.stable_aided, a.level, a.reward, a.state) == (n, level, Decimal(reward), "computed")
        assert a.classification == ("adjusted" if n == 4 else "new")  # 4 aided for 6 months met the condition
    assert len(found[ids[30]].stable_person_ids.split(",")) == 30
    assert [p.name for p, months in assessments.stable_employees(workshop(ids[5]), 2025)][:1]

    employ(ids[9], make_people(world, "a1a", 1), date(2026, 1, 1))  # 10 stable in 2026: the tier rose
    leaver = db.session.execute(select(WorkshopEmployee).where(WorkshopEmployee.workshop_id == ids[10])
                                .order_by(WorkshopEmployee.id)).scalars().first()
    leaver.leave_date = date(2026, 3, 31)  # 9 stable in 2026: below the tier it had
    db.session.commit()
    later = {a.workshop_id: a for a in assessments.compute_year(user("admin"), 2026, today=date(2027, 1, 10))}
    assert (later[ids[9]].level, later[ids[9]].classification) == (2, "upgraded")
    assert (later[ids[10]].level, later[ids[10]].classification) == (1, "supported")
    assert (later[ids[30]].level, later[ids[30]].classification) == (4, "steady")


def test_assessment_approval_and_payment(world, ctx):
    big, small = make_workshop(world, aided=30), make_workshop(world, aided=4)
    found = {a.workshop_id: a for a in assessments.compute_year(user("admin"), 2025, today=TODAY)}
    with pytest.raises(RuleViolation):  # the year has not ended
        assessments.compute_year(user("admin"), 2026, today=TODAY)
    with pytest.raises(NotAllowed):
        assessments.compute_year(user("reviewer"), 2025, today=TODAY)
    with pytest.raises(NotAllowed):
        assessments.approve_assessment(user("reviewer"), found[big], today=TODAY)
    assessments.approve_assessment(user("admin"), found[big], today=date(2026, 11, 20))
    with pytest.raises(Conflict):
        assessments.approve_assessment(user("admin"), found[big], today=TODAY)
    with pytest.raises(RuleViolation):  # paid before it was approved
        assessments.record_payment(user("admin"), found[big], date(2026, 11, 19), "ZF20261119", today=TODAY)
    with pytest.raises(WorkshopRefused):
        assessments.record_payment(user("admin"), found[big], date(2026, 11, 21), " ", today=TODAY)
    assessments.record_payment(user("admin"), found[big], date(2026, 11, 21), "ZF20261121-001", today=TODAY)
    with pytest.raises(Conflict):
        assessments.record_payment(user("admin"), found[big], date(2026, 11, 21), "ZF20261121-002", today=TODAY)
    db.session.expire_all()
    paid = db.session.get(Assessment, found[big].id)
    assert (paid.state, paid.reward, paid.paid_on, paid.bank_reference) == (
        "paid", Decimal("50000.00"), date(2026, 11, 21), "ZF20261121-001")

    assessments.approve_assessment(user("admin"), found[small], today=TODAY)
    with pytest.raises(RuleViolation):  # a reward of 0 is not paid
        assessments.record_payment(user("admin"), found[small], TODAY, "ZF0", today=TODAY)

    again = assessments.compute_year(user("admin"), 2025, today=TODAY)  # final rows are kept as they are
    assert {a.state for a in again} == {"paid", "approved"}
    assert "assessment.pay" in _actions()


def test_a_township_may_propose_again_after_a_rejection(world, ctx):
    ws_id = make_workshop(world, aided=6)
    first = exits.propose_exit(user("reviewer"), workshop(ws_id), "other", "安全生产隐患", today=TODAY)
    with pytest.raises(WorkshopRefused):
        exits.propose_exit(user("reviewer"), workshop(ws_id), "nonsense", "理由", today=TODAY)
    exits.reject_exit(user("admin"), first, "已整改到位", today=TODAY)
    second = exits.propose_exit(user("reviewer"), workshop(ws_id), "other", "整改后复查仍不合格", today=TODAY)
    assert [e.state for e in _exits(ws_id)] == ["rejected", "proposed"] and second.proposed_by == user("reviewer").id
    assert exits.followup(second, TODAY) and len(exits.followup(second, TODAY)) == 6
