"""Payroll runs (Rule 3): generation after the month, lines by the pay rule, the workflow with its locks,
segregation of duties, payment, adjustment lines, arrears and the county's batch — against a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from portal.attendance import service as attendance
from portal.attendance.rules import Mark
from portal.core.auditlog import AuditEntry
from portal.core.calendar import WorkCalendar
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.extensions import db
from portal.payroll import service
from portal.payroll.models import Payroll, PayrollLine
from tests.payroll_factories import TODAY, get_payroll, make_holders, make_payroll, mark_month, user

OCT = (2026, 10)
M_OCT = 18  # October 2026: National Day 1–7 off, Saturday the 10th a make-up working day
S = Decimal("600.00")


def _lines(payroll_id: int, kind: str = "duty") -> list[PayrollLine]:
    db.session.expire_all()
    return list(db.session.execute(select(PayrollLine).where(PayrollLine.payroll_id == payroll_id,
                                                             PayrollLine.kind == kind)
                                   .order_by(PayrollLine.id)).scalars())


def _generate(world, village_key="a1a", today=TODAY, ym=OCT) -> Payroll:
    clerk = user("clerk" if village_key == "a1a" else "clerk_b")
    return service.generate(clerk, world.ids[village_key], *ym, today)


def _actions(payroll_id: int) -> list[str]:
    return list(db.session.execute(select(AuditEntry.action).where(
        AuditEntry.entity_type == "payroll", AuditEntry.entity_id == str(payroll_id))
        .order_by(AuditEntry.seq)).scalars())


# ---- generation -------------------------------------------------------------------------------------


def test_the_calendar_of_october_2026_has_18_working_days():
    assert len(WorkCalendar().month_working_days(*OCT)) == M_OCT


def test_generation_is_refused_before_the_month_ends_and_allowed_on_the_first_of_the_next(ctx, world):
    mark_month(make_holders(world, n=1), *OCT)
    with pytest.raises(RuleViolation) as refused:
        _generate(world, today=date(2026, 10, 31))
    assert refused.value.code == "month_not_ended" and "2026年11月1日" in refused.value.message
    payroll = _generate(world, today=date(2026, 11, 1))
    assert (payroll.state, payroll.year, payroll.month, payroll.line_count) == ("draft", 2026, 10, 1)
    assert payroll.required_days == M_OCT and payroll.total == S
    assert _actions(payroll.id) == ["payroll.generate"]


def test_a_second_payroll_for_the_village_and_month_is_a_conflict_naming_the_first(ctx, world):
    make_holders(world, n=1)
    first = _generate(world)
    with pytest.raises(Conflict) as conflict:
        service.generate(user("reviewer"), world.ids["a1a"], *OCT, TODAY)
    assert conflict.value.code == "payroll_exists" and str(first.id) in conflict.value.message
    assert db.session.scalar(select(func.count(Payroll.id))) == 1


def test_a_village_without_holders_gets_no_payroll_and_others_may_not_generate(ctx, world):
    with pytest.raises(RuleViolation) as refused:
        _generate(world)
    assert refused.value.code == "no_holders"
    make_holders(world, "a1b", n=1)
    for username in ("clerk", "admin", "auditor"):
        with pytest.raises(NotAllowed):
            service.generate(user(username), world.ids["a1b"], *OCT, TODAY)


# ---- the lines follow the rule ------------------------------------------------------------------------


def _one_line(world, *, marks="present", days=None, **holder) -> PayrollLine:
    ids = make_holders(world, n=1, **holder)
    if marks:
        mark_month(ids, *OCT, marks, days=days)
    return _lines(_generate(world).id)[0]


def test_a_full_month_of_duty_earns_exactly_the_subsidy(ctx, world):
    line = _one_line(world)
    assert (line.subsidy, line.required_days, line.duty_days, line.window_days, line.month_days) == (
        S, M_OCT, Decimal(M_OCT), M_OCT, M_OCT)
    assert line.amount == S and line.present_days == M_OCT
    assert line.person_name.startswith("持岗人") and len(line.id_number) == 18 and line.bank_account


def test_half_duty_earns_half(ctx, world):
    line = _one_line(world, marks="half")
    assert (line.duty_days, line.half_days, line.amount) == (Decimal(9), M_OCT, Decimal("300.00"))


def test_a_month_of_leave_earns_nothing_but_keeps_its_line(ctx, world):
    line = _one_line(world, marks="leave")
    assert (line.leave_days, line.duty_days, line.amount) == (M_OCT, 0, Decimal("0.00"))


def test_no_marks_is_a_line_of_zero(ctx, world):
    line = _one_line(world, marks=None)
    assert (line.present_days, line.duty_days, line.window_days, line.amount) == (0, 0, M_OCT, Decimal("0.00"))


def test_joining_mid_month_caps_pay_at_the_share_served(ctx, world):
    line = _one_line(world, start=date(2026, 10, 19))  # 10 working days from the 19th to the 30th
    assert (line.window_days, line.duty_days) == (10, Decimal(10))
    assert line.amount == Decimal("333.33")  # 600 × 10 / 18, half-up


def test_leaving_mid_month_pays_to_the_day_before_the_exit(ctx, world):
    line = _one_line(world, exited_on=date(2026, 10, 16), days=[date(2026, 10, d) for d in (8, 9, 10, 12, 13, 14,
                                                                                               15, 16, 19)])
    assert line.window_days == 7 and line.duty_days == Decimal(7)  # the 16th and 19th are after the exit
    assert line.amount == Decimal("233.33")  # 600 × 7 / 18


def test_a_part_time_post_requires_its_own_days_and_never_pays_above_the_subsidy(ctx, world):
    ids = make_holders(world, n=2, schedule="part_time", required_days=10)
    mark_month(ids[:1], *OCT, days=[date(2026, 10, d) for d in (8, 9, 12, 13, 14)])
    mark_month(ids[1:], *OCT, days=[date(2026, 10, d) for d in range(8, 25)])
    five, many = _lines(_generate(world).id)
    assert (five.required_days, five.duty_days, five.amount) == (10, Decimal(5), Decimal("300.00"))
    assert (many.required_days, many.amount) == (10, S)


# ---- workflow and locks -------------------------------------------------------------------------------


def _save(world, appointment_id, day, mark=Mark.PRESENT):
    return attendance.save_marks(user("clerk"), world.ids["a1a"], [attendance.Change(appointment_id, day, mark)],
                                 today=TODAY)


def test_submit_locks_the_month_and_uses_the_latest_marks_return_unlocks(ctx, world):
    ids = make_holders(world, n=1)
    payroll = _generate(world)
    assert payroll.total == Decimal("0.00")
    _save(world, ids[0], date(2026, 10, 8))  # a mark after generation: submission recomputes
    service.submit(user("clerk"), get_payroll(payroll.id))
    payroll = get_payroll(payroll.id)
    assert payroll.state == "submitted" and payroll.total == Decimal("33.33") and payroll.submitted_by
    with pytest.raises(attendance.MarksRefused) as refused:
        _save(world, ids[0], date(2026, 10, 9))
    assert refused.value.cells[0].code == "locked"
    with pytest.raises(RuleViolation):
        service.return_(user("reviewer"), get_payroll(payroll.id), "  ")
    service.return_(user("reviewer"), get_payroll(payroll.id), "9日考勤漏记")
    assert get_payroll(payroll.id).state == "returned" and get_payroll(payroll.id).return_reason == "9日考勤漏记"
    _save(world, ids[0], date(2026, 10, 9))
    service.submit(user("clerk"), get_payroll(payroll.id))
    assert get_payroll(payroll.id).total == Decimal("66.67")
    assert _actions(payroll.id) == ["payroll.generate", "payroll.submit", "payroll.return", "payroll.submit"]


def test_recompute_takes_new_marks_into_a_draft(ctx, world):
    ids = make_holders(world, n=1)
    payroll = _generate(world)
    mark_month(ids, *OCT)
    service.recompute(user("clerk"), get_payroll(payroll.id))
    assert get_payroll(payroll.id).total == S and _lines(payroll.id)[0].duty_days == M_OCT
    assert _actions(payroll.id)[-1] == "payroll.recompute"


def test_wrong_roles_and_scopes_are_refused(ctx, world):
    payroll_id = make_payroll(world, state="draft")
    for username in ("clerk_b", "reviewer", "admin"):
        with pytest.raises(NotAllowed):
            service.submit(user(username), get_payroll(payroll_id))
    service.submit(user("clerk"), get_payroll(payroll_id))
    for username in ("clerk", "clerk_b", "admin", "auditor"):
        with pytest.raises(NotAllowed):
            service.approve(user(username), get_payroll(payroll_id), TODAY)
        with pytest.raises(NotAllowed):
            service.return_(user(username), get_payroll(payroll_id), "不对")
    assert get_payroll(payroll_id).state == "submitted"


def test_the_approver_is_never_the_submitter_nor_of_a_household_on_the_sheet(ctx, world):
    payroll_id = make_payroll(world, state="submitted")
    reviewer = user("reviewer")
    db.session.execute(update(Payroll).where(Payroll.id == payroll_id).values(submitted_by=reviewer.id))
    db.session.commit()
    with pytest.raises(NotAllowed) as refused:
        service.approve(reviewer, get_payroll(payroll_id), TODAY)
    assert refused.value.code == "own_submission"
    db.session.execute(update(Payroll).where(Payroll.id == payroll_id).values(submitted_by=user("clerk").id))
    reviewer.person_id = _lines(payroll_id)[0].person_id  # the reviewer is a holder on this sheet
    db.session.commit()
    with pytest.raises(NotAllowed) as refused:
        service.approve(user("reviewer"), get_payroll(payroll_id), TODAY)
    assert refused.value.code == "own_household"
    service.approve(user("reviewer2"), get_payroll(payroll_id), TODAY)
    assert (get_payroll(payroll_id).state, get_payroll(payroll_id).approved_on) == ("approved", TODAY)


def test_approving_twice_is_refused(ctx, world):
    payroll_id = make_payroll(world, state="approved")
    with pytest.raises(RuleViolation) as refused:
        service.approve(user("reviewer2"), get_payroll(payroll_id), TODAY)
    assert refused.value.code == "illegal_move"
    assert _actions(payroll_id).count("payroll.approve") == 1


def test_payment_needs_a_sane_date_and_a_reference(ctx, world):
    payroll_id = make_payroll(world, state="approved", today=date(2026, 11, 20))
    reviewer = user("reviewer")
    cases = [(date(2026, 11, 19), "REF", "paid_on"), (date(2026, 11, 23), "REF", "paid_on"),
             (None, "REF", "paid_on"), (date(2026, 11, 21), "  ", "bank_reference"),
             (date(2026, 11, 21), "R" * 61, "bank_reference")]
    for paid_on, reference, field in cases:
        with pytest.raises(service.PayrollRefused) as refused:
            service.record_payment(reviewer, get_payroll(payroll_id), paid_on, reference, TODAY)
        assert field in refused.value.problems, (paid_on, reference)
    service.record_payment(reviewer, get_payroll(payroll_id), date(2026, 11, 20), " 20261120-0001 ", TODAY)
    payroll = get_payroll(payroll_id)
    assert (payroll.state, payroll.paid_on, payroll.bank_reference, payroll.paid_by) == (
        "paid", date(2026, 11, 20), "20261120-0001", reviewer.id)


def test_a_paid_payroll_never_changes(ctx, world):
    payroll_id = make_payroll(world, state="paid")
    clerk, reviewer = user("clerk"), user("reviewer")
    appointment_id = _lines(payroll_id)[0].appointment_id
    calls = [lambda p: service.recompute(clerk, p), lambda p: service.submit(clerk, p),
             lambda p: service.return_(reviewer, p, "重来"), lambda p: service.approve(user("reviewer2"), p, TODAY),
             lambda p: service.record_payment(reviewer, p, TODAY, "AGAIN", TODAY),
             lambda p: service.add_adjustment(clerk, p, appointment_id, 2026, 9, Decimal("10"), "补发")]
    for call in calls:
        with pytest.raises(RuleViolation) as refused:
            call(get_payroll(payroll_id))
        assert refused.value.code == "paid"
    assert get_payroll(payroll_id).bank_reference == f"BANK-{payroll_id}"
    assert _actions(payroll_id) == ["payroll.generate", "payroll.submit", "payroll.approve", "payroll.pay"]


# ---- adjustment lines -----------------------------------------------------------------------------------


@pytest.fixture
def november(ctx, world):
    """A paid October payroll of one holder, and a draft November payroll of the same holder."""
    october = make_payroll(world, holders=1, state="paid")
    appointment_id = _lines(october)[0].appointment_id
    mark_month([appointment_id], 2026, 11)
    november = service.generate(user("clerk"), world.ids["a1a"], 2026, 11, date(2026, 12, 1))
    return november.id, appointment_id


def _adjust(payroll_id, appointment_id, ym=OCT, amount="50.00", reason="10月漏记两天"):
    return service.add_adjustment(user("clerk"), get_payroll(payroll_id), appointment_id, *ym, Decimal(amount), reason)


def test_an_adjustment_corrects_an_earlier_paid_month_and_survives_recompute(november):
    payroll_id, appointment_id = november
    line = _adjust(payroll_id, appointment_id)
    assert (line.kind, line.adjusts_year, line.adjusts_month, line.amount) == ("adjustment", 2026, 10, Decimal("50.00"))
    payroll = get_payroll(payroll_id)
    assert payroll.total == S + Decimal("50.00") and payroll.line_count == 2
    service.recompute(user("clerk"), get_payroll(payroll_id))
    assert len(_lines(payroll_id, "adjustment")) == 1 and get_payroll(payroll_id).total == S + Decimal("50.00")
    _adjust(payroll_id, appointment_id, amount="-650.00", reason="追回多发")
    assert get_payroll(payroll_id).total == Decimal("0.00")
    with pytest.raises(RuleViolation) as refused:
        service.remove_adjustment(user("clerk"), get_payroll(payroll_id), line.id)  # the total would be −50
    assert refused.value.code == "negative_total"
    assert get_payroll(payroll_id).line_count == 3


@pytest.mark.parametrize(("ym", "amount", "reason", "field"), [
    ((2026, 11), "50", "x", "adjusts"),  # the payroll's own month
    ((2026, 12), "50", "x", "adjusts"),  # a later month
    ((2025, 10), "50", "x", "adjusts"),  # 13 months back
    (OCT, "0", "x", "amount"),
    (OCT, "7200.01", "x", "amount"),  # above 12 months of 600
    (OCT, "-600.01", "x", "amount"),  # the total would be negative
    (OCT, "1.005", "x", "amount"),  # not whole fen
    (OCT, "50", " ", "reason"),
    ((2025, 12), "50", "x", "adjusts"),  # within 12 months, but not on the post then
])
def test_adjustment_boundaries(november, ym, amount, reason, field):
    payroll_id, appointment_id = november
    with pytest.raises(service.PayrollRefused) as refused:
        _adjust(payroll_id, appointment_id, ym, amount, reason)
    assert field in refused.value.problems


def test_adjustments_at_the_allowed_edges(november):
    payroll_id, appointment_id = november
    assert _adjust(payroll_id, appointment_id, amount="7200.00").amount == Decimal("7200.00")
    assert _adjust(payroll_id, appointment_id, (2026, 1), amount="-600.00").adjusts_month == 1


def test_an_unpaid_earlier_payroll_is_corrected_itself_not_by_adjustment(ctx, world):
    september = make_payroll(world, holders=1, year=2026, month=9, state="approved")
    appointment_id = _lines(september)[0].appointment_id
    mark_month([appointment_id], *OCT)
    october = _generate(world)
    with pytest.raises(service.PayrollRefused) as refused:
        _adjust(october.id, appointment_id, (2026, 9))
    assert "adjusts" in refused.value.problems


def test_adjustments_only_on_a_draft_or_returned_payroll_of_the_clerk(november):
    payroll_id, appointment_id = november
    with pytest.raises(NotAllowed):
        service.add_adjustment(user("clerk_b"), get_payroll(payroll_id), appointment_id, *OCT, Decimal("5"), "x")
    service.submit(user("clerk"), get_payroll(payroll_id))
    with pytest.raises(RuleViolation) as refused:
        _adjust(payroll_id, appointment_id)
    assert refused.value.code == "not_editable"


# ---- arrears ------------------------------------------------------------------------------------------


def test_overdue_the_day_after_the_deadline_with_the_stages(ctx, world):
    approved_on = date(2026, 11, 10)
    payroll_id = make_payroll(world, state="approved", today=approved_on)
    db.session.execute(update(Payroll).where(Payroll.id == payroll_id).values(
        submitted_at=datetime(2026, 11, 4, 2, 0, tzinfo=UTC)))
    db.session.commit()
    reviewer = user("reviewer")
    assert service.overdue(reviewer, approved_on + timedelta(days=30)) == []
    [arrear] = service.overdue(reviewer, approved_on + timedelta(days=31))
    assert arrear.payroll.id == payroll_id and arrear.deadline == date(2026, 12, 10)
    delay = arrear.delay
    assert (delay.overdue_days, delay.village_days, delay.township_days, delay.payment_days) == (1, 4, 6, 31)
    assert service.overdue(user("admin"), date(2026, 12, 11))[0].payroll.id == payroll_id
    assert service.overdue(user("admin_b"), date(2026, 12, 11)) == []


# ---- the county's batch -------------------------------------------------------------------------------


def test_generate_month_makes_one_payroll_per_village_and_skips_existing(ctx, world):
    mark_month(make_holders(world, "a1a", n=3), *OCT)
    mark_month(make_holders(world, "a1b", n=2), *OCT, "half")
    make_holders(world, "a2a", n=1)
    existing = service.generate(user("clerk_b"), world.ids["a1b"], *OCT, TODAY)
    batch = service.generate_month(user("admin"), *OCT, today=TODAY)
    assert (batch.payrolls, batch.lines, batch.existing, batch.without_holders) == (2, 4, 1, 0)
    by_village = {p.village_id: p for p in db.session.execute(select(Payroll)).scalars()}
    assert set(by_village) == {world.ids["a1a"], world.ids["a1b"], world.ids["a2a"]}
    assert by_village[world.ids["a1a"]].total == 3 * S and by_village[world.ids["a1a"]].line_count == 3
    assert by_village[world.ids["a2a"]].total == 0 and by_village[world.ids["a1b"]].id == existing.id
    assert _actions(by_village[world.ids["a1a"]].id) == ["payroll.generate"]
    again = service.generate_month(user("admin"), *OCT, today=TODAY)
    assert (again.payrolls, again.existing) == (0, 3)
    with pytest.raises(NotAllowed):
        service.generate_month(user("reviewer"), *OCT, today=TODAY)
    with pytest.raises(NotAllowed):
        service.generate_month(user("admin_b"), *OCT, [world.ids["a1a"]], today=TODAY)
    with pytest.raises(RuleViolation):
        service.generate_month(user("admin"), 2026, 11, today=TODAY)


# ---- the audit trail and the command line -----------------------------------------------------------------


def test_every_move_is_audited_with_before_and_after(ctx, world):
    import json

    payroll_id = make_payroll(world, state="paid")
    rows = {r.action: r for r in db.session.execute(select(AuditEntry).where(
        AuditEntry.entity_type == "payroll", AuditEntry.entity_id == str(payroll_id))).scalars()}
    before, after = json.loads(rows["payroll.approve"].before), json.loads(rows["payroll.approve"].after)
    assert (before["state"], after["state"], after["approved_on"]) == ("submitted", "approved", TODAY.isoformat())
    paid = json.loads(rows["payroll.pay"].after)
    assert (paid["state"], paid["paid_on"], paid["bank_reference"]) == ("paid", TODAY.isoformat(), f"BANK-{payroll_id}")
    assert json.loads(rows["payroll.submit"].after)["total"] == "1200.00"
    assert rows["payroll.approve"].actor_name == "reviewer" and rows["payroll.submit"].actor_name == "clerk"


def test_the_command_generates_the_month_for_the_county_or_one_village(app, world):
    with app.app_context():
        mark_month(make_holders(world, "a1a", n=2), *OCT)
        make_holders(world, "a1b", n=1)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["payroll-generate", "--month", "2026-10", "--village", "422825101202"])
    assert result.exit_code == 0 and "1 payrolls, 1 lines" in result.output, result.output
    result = runner.invoke(args=["payroll-generate", "--month", "2026-10"])
    assert result.exit_code == 0 and "1 payrolls, 2 lines" in result.output and "1 villages already" in result.output
    assert runner.invoke(args=["payroll-generate", "--month", "2026-13"]).exit_code != 0
    assert runner.invoke(args=["payroll-generate", "--month", "2099-01"]).exit_code == 1
