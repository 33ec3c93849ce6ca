"""The detectors about money and records against a real database, each with its table of cases: the positive
case, the near miss just under its threshold that is not flagged, and its edges (a holder who joins mid-month,
an exited post, a month not yet paid). 福利化 batch_filled, 补录 late_marks, 超编超标 over_limit, 拖欠 arrears,
重复享受 double_benefit, ineligible_paid, 挤占挪用 funds_overspent."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from tests.integration.audit.plant_money import employ_in_workshop, person_of, set_category
from tests.payroll_factories import get_payroll, make_holders, make_payroll, mark_month, user

TODAY = date(2026, 11, 22)
MONEY_CODES = ("batch_filled", "late_marks", "over_limit", "arrears", "double_benefit", "ineligible_paid",
               "funds_overspent")


def _run(codes, first="2026-01", last="2026-10", today=TODAY):
    """Run the detectors through the audit service; the findings of those detectors, oldest first."""
    from portal.audit import runs
    from portal.audit.models import Finding
    from portal.audit.rules import Month
    from portal.extensions import db

    codes = [codes] if isinstance(codes, str) else list(codes)
    runs.run_audit(user("auditor"), Month.parse(first), Month.parse(last), codes, today=today)
    db.session.expire_all()
    return db.session.execute(select(Finding).where(Finding.detector.in_(codes)).order_by(Finding.id)).scalars().all()


def _facts(finding) -> dict:
    from portal.audit.findings import facts_of

    return facts_of(finding)


def _evidence(finding) -> str:
    from portal.audit.findings import evidence_of

    return evidence_of(finding)


def _paid(world, village="a1a", months=(9,), state="paid"):
    """The village's payrolls of those 2026 months, generated from the marks on record, in `state`."""
    return [make_payroll(world, village, 2026, m, holders=0, state=state) for m in months]


def _setting(world, key: str, value: str, day: date = date(2026, 1, 1)) -> None:
    """A county setting in force from `day` (written directly: the admin's page cannot reach back)."""
    from portal.core.settings import CountySetting
    from portal.extensions import db

    db.session.add(CountySetting(county_id=world.ids["ca"], key=key, value=value, effective_from=day,
                                 created_by=user("admin").id))
    db.session.commit()


def _standard(world, amount: str, day: date = date(2026, 1, 1), category: str = "cleaning") -> None:
    from portal.extensions import db
    from portal.posts.models import SubsidyStandard

    db.session.add(SubsidyStandard(county_id=world.ids["ca"], category=category, monthly_amount=Decimal(amount),
                                   effective_from=day, created_by=user("admin").id))
    db.session.commit()


def _quota(world, village: str, headcount: int, day: date = date(2026, 1, 1)) -> None:
    from portal.extensions import db
    from portal.posts.models import VillageQuota

    db.session.add(VillageQuota(village_id=world.ids[village], headcount=headcount, effective_from=day,
                                created_by=user("admin").id))
    db.session.commit()


def _marks_saved_on(appointment_ids, days, saved_on: date, mark="present") -> None:
    """Marks for these days all saved on one county day (a month entered at once), with their summaries."""
    from portal.attendance.models import AttendanceMark
    from portal.attendance.summary import refresh_months
    from portal.extensions import db
    from portal.posts.models import Appointment

    rows = [{"appointment_id": a, "village_id": db.session.get(Appointment, a).village_id, "day": d, "mark": mark,
             "set_by": None, "set_at": datetime.combine(saved_on, time(2), UTC)} for a in appointment_ids for d in days]
    db.session.execute(insert(AttendanceMark.__table__), rows)
    refresh_months({(r["appointment_id"], d.year, d.month) for r in rows for d in [r["day"]]})
    db.session.commit()


def _working_days(year, month, start: date | None = None, end: date | None = None) -> list[date]:
    from portal.core.calendar import WorkCalendar

    return [d for d in WorkCalendar().month_working_days(year, month)
            if (start is None or d >= start) and (end is None or d <= end)]


# ---- 福利化 batch_filled ------------------------------------------------------------------------------------


def _full(ids, months):
    for m in months:
        mark_month(ids, 2026, m, saved_after=0)


def test_batch_filled_every_holder_identical_and_full_for_three_months(world, ctx):
    ids = make_holders(world, "a1a", 2)
    _full(ids, (7, 8, 9))
    _paid(world, "a1a", (7, 8, 9))
    (finding,) = _run("batch_filled")
    assert (finding.subject_type, finding.subject_id, finding.period_key) == ("village", str(world.ids["a1a"]),
                                                                             "2026-07..2026-09")
    assert finding.amount_at_stake == Decimal("3600.00")  # 2 holders × 600 × 3 months
    facts = _facts(finding)
    assert (facts["months"], facts["holders"], facts["days"]) == (3, 2, [23, 21, 22])
    assert "青竹村" in _evidence(finding)


@pytest.mark.parametrize("case", ["two_months", "one_holder", "one_leave_day", "one_holder_unmarked"])
def test_batch_filled_near_misses(world, ctx, case):
    ids = make_holders(world, "a1a", 1 if case == "one_holder" else 2)
    _full(ids, (7, 8) if case == "two_months" else (7, 8, 9))
    if case == "one_leave_day":  # the second holder takes one leave day in August: the run breaks
        from portal.attendance.models import AttendanceMark
        from portal.attendance.summary import refresh_months
        from portal.extensions import db

        db.session.execute(AttendanceMark.__table__.update().where(
            AttendanceMark.appointment_id == ids[1], AttendanceMark.day == date(2026, 8, 12)).values(mark="leave"))
        refresh_months([(ids[1], 2026, 8)])
        db.session.commit()
    if case == "one_holder_unmarked":  # a third holder on duty with no marks at all
        make_holders(world, "a1a", 1)
    assert _run("batch_filled") == []


def test_batch_filled_a_holder_joining_mid_month_breaks_the_run_there(world, ctx):
    ids = make_holders(world, "a1a", 2)
    _full(ids, (6, 7, 8, 9, 10))
    late = make_holders(world, "a1a", 1, start=date(2026, 9, 14))
    _full(late, (9, 10))  # present on every working day of the window: its September is its own
    (finding,) = _run("batch_filled")
    assert finding.period_key == "2026-06..2026-08"  # September differs; October alone is too short


def test_batch_filled_a_holder_who_exited_does_not_save_the_village(world, ctx):
    ids = make_holders(world, "a1a", 2)
    gone = make_holders(world, "a1a", 1, exited_on=date(2026, 9, 1))  # on duty to 31 August
    _full(ids + gone, (7, 8, 9))
    (finding,) = _run("batch_filled")
    assert finding.period_key == "2026-07..2026-09" and _facts(finding)["holders"] == 2


def test_batch_filled_months_not_yet_paid_add_nothing_at_stake(world, ctx):
    ids = make_holders(world, "a1a", 2)
    _full(ids, (7, 8, 9))
    _paid(world, "a1a", (7,))
    _paid(world, "a1a", (8,), state="draft")
    (finding,) = _run("batch_filled")
    assert finding.amount_at_stake == Decimal("1200.00")
    assert _facts(finding)["unpaid_months"] == 2


def test_batch_filled_follows_a_streak_past_the_runs_period(world, ctx):
    ids = make_holders(world, "a1a", 2)
    _full(ids, (6, 7, 8))
    (finding,) = _run("batch_filled", "2026-08", "2026-10")
    assert finding.period_key == "2026-06..2026-08"


def test_batch_filled_part_time_holders_on_their_required_days(world, ctx):
    ids = make_holders(world, "a1a", 2, schedule="part_time", required_days=10)
    for m in (7, 8, 9):
        mark_month(ids, 2026, m, days=_working_days(2026, m)[:10], saved_after=0)
    (finding,) = _run("batch_filled")
    assert finding.period_key == "2026-07..2026-09"


def test_batch_filled_the_county_setting_sets_the_length(world, ctx):
    _setting(world, "audit_batch_months", "4")
    ids = make_holders(world, "a1a", 2)
    _full(ids, (7, 8, 9))
    assert _run("batch_filled") == []


# ---- 补录 late_marks -------------------------------------------------------------------------------------


@pytest.mark.parametrize("days_late, found", [(7, False), (8, True)])
def test_late_marks_more_than_seven_days_after_is_late(world, ctx, days_late, found):
    ids = make_holders(world, "a1a", 2)
    mark_month(ids, 2026, 9, saved_after=days_late)
    findings = _run("late_marks")
    assert len(findings) == int(found)
    if found:
        f = findings[0]
        assert (f.subject_type, f.subject_id, f.period_key, f.severity) == ("village", str(world.ids["a1a"]),
                                                                           "2026-09", "high")
        assert {k: _facts(f)[k] for k in ("late", "total", "longest", "holders")} == {
            "late": 44, "total": 44, "longest": 8, "holders": 2}
        assert "8" in _evidence(f)


def test_late_marks_a_few_late_marks_are_low_and_share_the_pay(world, ctx):
    on_time, late = make_holders(world, "a1a", 1), make_holders(world, "a1a", 1)
    mark_month(on_time, 2026, 9, saved_after=0)
    mark_month(late, 2026, 9, saved_after=12)
    _paid(world, "a1a", (9,))
    (f,) = _run("late_marks")
    assert f.severity == "low"  # half the marks: not most
    assert (_facts(f)["late"], _facts(f)["total"], _facts(f)["holders"]) == (22, 44, 1)
    assert f.amount_at_stake == Decimal("600.00")  # the 1 200 payroll, half of it on late marks


def test_late_marks_a_holder_joining_mid_month_entered_after_the_month(world, ctx):
    ids = make_holders(world, "a1a", 1, start=date(2026, 9, 14))
    _marks_saved_on(ids, _working_days(2026, 9, start=date(2026, 9, 14)), date(2026, 10, 1))
    (f,) = _run("late_marks")
    # 13 working days from the 14th; those up to the 23rd were saved 8 to 17 days later, the 24th on exactly 7
    assert (_facts(f)["late"], _facts(f)["total"], _facts(f)["longest"], f.severity) == (9, 13, 17, "high")


def test_late_marks_of_an_exited_holder_count(world, ctx):
    ids = make_holders(world, "a1a", 1, exited_on=date(2026, 9, 16))
    _marks_saved_on(ids, _working_days(2026, 9, end=date(2026, 9, 15)), date(2026, 9, 20))
    (f,) = _run("late_marks")
    assert (_facts(f)["late"], _facts(f)["total"]) == (9, 11)  # 1 to 11 September late; the 14th, 15th not


def test_late_marks_a_month_not_yet_paid_has_nothing_at_stake(world, ctx):
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 10, saved_after=30)
    _paid(world, "a1a", (10,), state="draft")
    (f,) = _run("late_marks")
    assert f.amount_at_stake == Decimal("0.00") and _facts(f)["payroll_id"] is None


def test_late_marks_the_county_setting_sets_the_days(world, ctx):
    _setting(world, "audit_late_mark_days", "10")
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 9, saved_after=10)
    assert _run("late_marks") == []


def test_late_marks_a_longer_setting_reads_two_digit_delays(world, ctx):
    _setting(world, "audit_late_mark_days", "12")
    ids = make_holders(world, "a1a", 1)
    _marks_saved_on(ids, _working_days(2026, 9), date(2026, 10, 1))  # 1 to 30 days late
    (f,) = _run("late_marks")
    assert (_facts(f)["late"], _facts(f)["total"], _facts(f)["threshold"]) == (14, 22, 12)  # 1 to 18 September


# ---- 超编超标 over_limit ---------------------------------------------------------------------------------


def test_over_limit_a_subsidy_above_the_standard(world, ctx):
    _standard(world, "800.00")
    ids = make_holders(world, "a1a", 2, subsidy=Decimal("900.00"))
    mark_month(ids, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,))
    (f,) = _run("over_limit")
    from portal.extensions import db
    from portal.posts.models import Appointment

    assert (f.subject_type, f.subject_id, f.period_key) == ("post", str(db.session.get(Appointment, ids[0]).post_id),
                                                            "2026-01..2026-12")
    assert f.amount_at_stake == Decimal("200.00")  # two full months at 100 above the standard
    facts = _facts(f)
    assert (facts["months"], facts["first"], facts["last"], facts["standard"]) == (11, "2026-01", "2026-11",
                                                                                 "800.00")


def test_over_limit_a_subsidy_at_the_standard_is_not_flagged(world, ctx):
    _standard(world, "800.00")
    ids = make_holders(world, "a1a", 2, subsidy=Decimal("800.00"))
    mark_month(ids, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,))
    assert _run("over_limit") == []


def test_over_limit_the_standard_in_force_at_the_time(world, ctx):
    _standard(world, "1000.00")
    _standard(world, "850.00", date(2026, 9, 1))
    ids = make_holders(world, "a1a", 1, subsidy=Decimal("900.00"))
    for m in (8, 9):
        mark_month(ids, 2026, m, saved_after=0)
    _paid(world, "a1a", (8, 9))
    (f,) = _run("over_limit")
    assert (_facts(f)["first"], _facts(f)["months"]) == ("2026-09", 3)  # September to November
    assert f.amount_at_stake == Decimal("50.00")  # only September's pay was above its standard


def test_over_limit_a_holder_joining_mid_month_is_over_in_proportion(world, ctx):
    _standard(world, "800.00")
    ids = make_holders(world, "a1a", 1, subsidy=Decimal("900.00"), start=date(2026, 9, 14))
    mark_month(ids, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,))
    (f,) = _run("over_limit")
    from portal.extensions import db
    from portal.payroll.models import PayrollLine

    paid = db.session.execute(select(PayrollLine.amount)).scalar_one()
    assert paid < Decimal("900.00")
    assert f.amount_at_stake == (paid * 100 / 900).quantize(Decimal("0.01"))


def test_over_limit_a_month_not_yet_paid_is_flagged_with_nothing_at_stake(world, ctx):
    _standard(world, "800.00")
    ids = make_holders(world, "a1a", 1, subsidy=Decimal("900.00"))
    mark_month(ids, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,), state="draft")
    (f,) = _run("over_limit")
    assert f.amount_at_stake == Decimal("0.00")


@pytest.mark.parametrize("quota, found", [(2, True), (3, False)])
def test_over_limit_more_places_than_the_quota(world, ctx, quota, found):
    _quota(world, "a1a", quota)
    make_holders(world, "a1a", 3)
    findings = _run("over_limit")
    assert len(findings) == int(found)
    if found:
        f = findings[0]
        assert (f.subject_type, f.subject_id, f.period_key, f.amount_at_stake) == (
            "village", str(world.ids["a1a"]), "2026-01..2026-12", Decimal("0.00"))
        assert {k: _facts(f)[k] for k in ("quota", "places", "on_duty", "excess", "months")} == {
            "quota": 2, "places": 3, "on_duty": 3, "excess": 1, "months": 11}


def test_over_limit_an_exited_holder_on_a_closed_post_leaves_the_count(world, ctx):
    from portal.extensions import db
    from portal.posts.models import Appointment, Post

    _quota(world, "a1a", 2)
    make_holders(world, "a1a", 2)
    (gone,) = make_holders(world, "a1a", 1, exited_on=date(2026, 3, 1))
    db.session.get(Post, db.session.get(Appointment, gone).post_id).state = "closed"
    db.session.commit()
    (f,) = _run("over_limit")
    assert (_facts(f)["first"], _facts(f)["last"], _facts(f)["months"]) == ("2026-01", "2026-02", 2)
    assert _facts(f)["on_duty"] == 3 and _facts(f)["places"] == 2


def test_over_limit_a_holder_joining_mid_month_counts_at_the_months_end(world, ctx):
    _quota(world, "a1a", 2)
    make_holders(world, "a1a", 2)
    make_holders(world, "a1a", 1, start=date(2026, 10, 14))
    from portal.extensions import db
    from portal.posts.models import Post

    for post in db.session.execute(select(Post)).scalars():  # places within the quota: only holders count
        post.headcount = 1
    db.session.commit()
    (f,) = _run("over_limit")
    assert (_facts(f)["first"], _facts(f)["months"]) == ("2026-10", 2)


# ---- 拖欠 arrears ----------------------------------------------------------------------------------------


def _approved(world, month: int, approved_on: date, paid_on: date | None = None) -> int:
    from portal.payroll import service

    ids = make_holders(world, "a1a", 2)
    mark_month(ids, 2026, month, saved_after=0)
    payroll_id = make_payroll(world, "a1a", 2026, month, holders=0, state="submitted", today=approved_on)
    service.approve(user("reviewer"), get_payroll(payroll_id), approved_on)
    if paid_on:
        service.record_payment(user("reviewer"), get_payroll(payroll_id), paid_on, "BANK-1", paid_on)
    return payroll_id


@pytest.mark.parametrize("approved_on, overdue", [(date(2026, 10, 23), None), (date(2026, 10, 22), 1),
                                                   (date(2026, 9, 5), 48)])
def test_arrears_approved_and_unpaid_past_the_deadline(world, ctx, approved_on, overdue):
    payroll_id = _approved(world, 8, approved_on)
    findings = _run("arrears")
    assert len(findings) == (overdue is not None)
    if overdue:
        f = findings[0]
        assert (f.subject_type, f.subject_id, f.period_key, f.severity) == ("payroll", str(payroll_id), "2026-08",
                                                                           "high")
        assert f.amount_at_stake == Decimal("1200.00") and _facts(f)["overdue_days"] == overdue
        assert _facts(f)["stage"] == "payment" and _facts(f)["payment_days"] == 30 + overdue


@pytest.mark.parametrize("paid_on, overdue", [(date(2026, 10, 5), None), (date(2026, 10, 10), 5)])
def test_arrears_paid_after_the_deadline(world, ctx, paid_on, overdue):
    _approved(world, 8, date(2026, 9, 5), paid_on)
    findings = _run("arrears")
    assert len(findings) == (overdue is not None)
    if overdue:
        assert (findings[0].severity, _facts(findings[0])["overdue_days"]) == ("medium", 5)
        assert "2026年10月10日" in _evidence(findings[0]) or "10 Oct 2026" in _evidence(findings[0])


def test_arrears_a_payroll_not_yet_approved_is_not_overdue(world, ctx):
    ids = make_holders(world, "a1a", 2)
    mark_month(ids, 2026, 8, saved_after=0)
    make_payroll(world, "a1a", 2026, 8, holders=0, state="submitted", today=date(2026, 9, 2))
    assert _run("arrears") == []


def test_arrears_the_deadline_in_force_on_the_approval_day(world, ctx):
    _setting(world, "payment_deadline_days", "60")
    _approved(world, 8, date(2026, 9, 5))
    (f,) = _run("arrears")
    assert _facts(f)["overdue_days"] == 18 and _facts(f)["deadline_days"] == 60


# ---- 重复享受 double_benefit -------------------------------------------------------------------------------


def _workshop(world):
    from tests.workshop_factories import make_workshop

    return make_workshop(world, "a1a")


def test_double_benefit_an_aided_employee_paid_for_a_full_time_post(world, ctx):
    _workshop(world)
    ids = make_holders(world, "a1a", 2)
    for m in (8, 9):
        mark_month(ids, 2026, m, saved_after=0)
    _paid(world, "a1a", (8, 9))
    person = person_of(ids[0])
    employ_in_workshop(person.id, date(2026, 8, 31))
    (f,) = _run("double_benefit")
    assert (f.subject_type, f.subject_id, f.period_key) == ("person", str(person.id), "2026-01..2026-12")
    assert _facts(f)["months"] == ["2026-08", "2026-09"] and f.amount_at_stake == Decimal("1200.00")
    assert "******" in _facts(f)["id"]


def test_double_benefit_counts_only_employees_of_aided_households(world, ctx):
    """An employee from a general (一般户) household is another employee, not an aided one (脱贫劳动力)."""
    from portal.extensions import db
    from portal.registry.models import Household

    _workshop(world)
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,))
    person = person_of(ids[0])
    employ_in_workshop(person.id, date(2026, 9, 1))
    db.session.get(Household, person.household_id).category = "general"
    db.session.commit()
    assert _run("double_benefit") == []


@pytest.mark.parametrize("case", ["left_before_month_end", "part_time", "hired_after_month_end"])
def test_double_benefit_near_misses(world, ctx, case):
    _workshop(world)
    ids = make_holders(world, "a1a", 1, **({"schedule": "part_time", "required_days": 10}
                                           if case == "part_time" else {}))
    mark_month(ids, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,))
    hire, leave = {"left_before_month_end": (date(2026, 9, 1), date(2026, 9, 29)),
                   "part_time": (date(2026, 9, 1), None),
                   "hired_after_month_end": (date(2026, 10, 1), None)}[case]
    employ_in_workshop(person_of(ids[0]).id, hire, leave)
    assert _run("double_benefit") == []


def test_double_benefit_a_holder_joining_mid_month_and_one_who_exited(world, ctx):
    _workshop(world)
    joined = make_holders(world, "a1a", 1, start=date(2026, 9, 14))
    gone = make_holders(world, "a1a", 1, exited_on=date(2026, 10, 1))
    mark_month(joined + gone, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,))
    for a in joined + gone:
        employ_in_workshop(person_of(a).id, date(2026, 6, 1))
    findings = _run("double_benefit")
    assert sorted(_facts(f)["months"][0] for f in findings) == ["2026-09", "2026-09"]
    assert sorted(f.amount_at_stake for f in findings)[0] < Decimal("600.00")  # the joiner's part month


def test_double_benefit_a_month_not_yet_paid(world, ctx):
    _workshop(world)
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,), state="draft")
    employ_in_workshop(person_of(ids[0]).id, date(2026, 6, 1))
    assert _run("double_benefit") == []


def test_double_benefit_not_after_the_workshop_exited(world, ctx):
    from portal.extensions import db
    from portal.workshops.models import Workshop

    workshop_id = _workshop(world)
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,))
    employ_in_workshop(person_of(ids[0]).id, date(2026, 6, 1))
    workshop = db.session.get(Workshop, workshop_id)
    workshop.state, workshop.exited_on = "exited", date(2026, 9, 30)  # not one on 30 September
    db.session.commit()
    assert _run("double_benefit") == []


# ---- ineligible_paid ----------------------------------------------------------------------------------------


def _paid_holder(world, months=(9, 10), state="paid", **kw):
    ids = make_holders(world, "a1b", 1, **kw)
    for m in months:
        mark_month(ids, 2026, m, saved_after=0)
    for m in months:
        make_payroll(world, "a1b", 2026, m, holders=0, state=state)
    return ids[0]


@pytest.mark.parametrize("changed_on, flagged", [(date(2026, 9, 1), []), (date(2026, 8, 31), ["2026-10"]),
                                                 (date(2026, 7, 31), ["2026-09", "2026-10"])])
def test_ineligible_paid_beyond_the_grace_period(world, ctx, changed_on, flagged):
    holder = _paid_holder(world)
    set_category(holder, "general", changed_on)
    findings = _run("ineligible_paid")
    assert [f.period_key for f in findings] == flagged
    for f in findings:
        assert f.subject_type == "payroll_line" and f.amount_at_stake == Decimal(_facts(f)["amount"]) > 0
        assert _facts(f)["since"] == changed_on.isoformat() and _facts(f)["category"] == "general"


@pytest.mark.parametrize("state, proposed_on, flagged", [
    ("proposed", date(2026, 10, 31), []), ("approved", date(2026, 10, 20), []),
    ("rejected", date(2026, 10, 20), ["2026-10"]), ("withdrawn", date(2026, 10, 20), ["2026-10"]),
    ("proposed", date(2026, 11, 2), ["2026-10"])])
def test_ineligible_paid_not_once_an_exit_is_proposed(world, ctx, state, proposed_on, flagged):
    from portal.extensions import db
    from portal.posts.models import Appointment, Exit

    holder = _paid_holder(world)
    set_category(holder, "general", date(2026, 8, 15))
    db.session.add(Exit(appointment_id=holder, village_id=db.session.get(Appointment, holder).village_id,
                        reason="ineligible", evidence="家庭不再符合条件", proposed_on=proposed_on,
                        effective_on=date(2026, 12, 1), state=state))
    db.session.commit()
    assert [f.period_key for f in _run("ineligible_paid")] == flagged


def test_ineligible_paid_a_month_not_yet_paid(world, ctx):
    holder = _paid_holder(world, months=(10,), state="draft")
    set_category(holder, "general", date(2026, 6, 1))
    assert _run("ineligible_paid") == []


def test_ineligible_paid_eligible_again_later(world, ctx):
    holder = _paid_holder(world)
    set_category(holder, "general", date(2026, 7, 1))
    set_category(holder, "lifted", date(2026, 9, 20))
    assert [f.period_key for f in _run("ineligible_paid")] == ["2026-09"]


def test_ineligible_paid_a_holder_joining_mid_month_in_a_household_registered_ineligible(world, ctx):
    from portal.extensions import db

    holder = _paid_holder(world, months=(10,), start=date(2026, 10, 14))
    household = person_of(holder).household
    household.category, household.created_at = "general", datetime(2025, 6, 1, 2, tzinfo=UTC)
    db.session.commit()
    (f,) = _run("ineligible_paid")
    assert f.period_key == "2026-10" and _facts(f)["since"] == "2025-06-01"


def test_ineligible_paid_a_monitored_household_with_risk_eliminated_stays_eligible(world, ctx):
    from portal.extensions import db

    holder = _paid_holder(world)
    household = person_of(holder).household
    household.category, household.risk_eliminated = "monitored", True
    household.created_at = datetime(2025, 6, 1, 2, tzinfo=UTC)
    db.session.commit()
    assert _run("ineligible_paid") == []


# ---- 挤占挪用 funds_overspent -------------------------------------------------------------------------------


def _budget(amount: str):
    from portal.audit.settings import set_budget

    set_budget(user("admin"), "linkage_fund", Decimal(amount), date(2026, 11, 1), today=TODAY)


@pytest.mark.parametrize("budget, overrun", [("2400.00", None), ("2399.99", "0.01"), ("1500.00", "900.00")])
def test_funds_overspent_beyond_the_yearly_budget(world, ctx, budget, overrun):
    ids = make_holders(world, "a1a", 2)
    for m in (8, 9):
        mark_month(ids, 2026, m, saved_after=0)
    _paid(world, "a1a", (8, 9))
    _budget(budget)
    findings = _run("funds_overspent")
    assert len(findings) == (overrun is not None)
    if overrun:
        f = findings[0]
        assert (f.subject_type, f.subject_id, f.period_key, f.village_id, f.township_id) == (
            "county", "linkage_fund", "2026-01..2026-12", None, None)
        assert f.amount_at_stake == Decimal(overrun)
        assert (_facts(f)["spent"], _facts(f)["crossed"]) == ("2400.00", "2026-09")


def test_funds_overspent_a_source_without_a_budget_is_not_checked(world, ctx):
    ids = make_holders(world, "a1a", 2)
    mark_month(ids, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,))
    assert _run("funds_overspent") == []


def test_funds_overspent_a_month_not_yet_submitted_commits_nothing(world, ctx):
    ids = make_holders(world, "a1a", 2)
    for m in (8, 9):
        mark_month(ids, 2026, m, saved_after=0)
    _paid(world, "a1a", (8,))
    _paid(world, "a1a", (9,), state="draft")
    _budget("1500.00")
    assert _run("funds_overspent") == []


def test_funds_overspent_counts_an_exited_holders_pay_and_the_posts_own_source(world, ctx):
    from portal.extensions import db
    from portal.posts.models import Post

    gone = make_holders(world, "a1a", 1, exited_on=date(2026, 9, 16))
    other = make_holders(world, "a1a", 1, title="光伏保洁员")
    db.session.execute(Post.__table__.update().where(Post.title == "光伏保洁员").values(funding_source="pv_income"))
    db.session.commit()
    mark_month(gone + other, 2026, 9, saved_after=0)
    _paid(world, "a1a", (9,))
    _budget("100.00")
    (f,) = _run("funds_overspent")
    assert Decimal(_facts(f)["spent"]) < Decimal("600.00")  # the part month, not the solar-funded post


# ---- the clean county ---------------------------------------------------------------------------------------


def test_the_clean_county_raises_nothing_here(world, ctx):
    from tests.audit_county import build_clean_county

    build_clean_county(world)
    assert [(f.detector, _evidence(f)) for f in _run(MONEY_CODES)] == []
