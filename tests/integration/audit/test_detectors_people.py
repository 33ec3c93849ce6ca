"""The detectors about people on posts, each with its table: the case it finds, the near miss just under its
threshold that it leaves alone, and its edges (a holder who joins mid-month, an exited post, a month not yet
paid). Run through the audit service as the auditor runs them; asserted on the findings and on their
evidence sentences (Chinese, IDs masked). The clean county of tests/audit_county.py yields nothing, and each
case of plant_people.py is found exactly once.

October 2026 has 18 working days (National Day), so a full month is 18 duty days and 90 % of it is 16.2.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.integration.audit import plant_people
from tests.integration.audit.plant_people import (
    appoint,
    line_of,
    new_person,
    new_post,
    person_of,
    record_on,
    set_line_amount,
    set_status,
)
from tests.payroll_factories import make_holders, make_payroll, mark_month, user

TODAY = date(2026, 11, 22)
CODES = ("ghost_pay", "absent_holder", "multiple_posts", "favouritism", "rotation")
OUT, IN_PROVINCE = "migrant_out_of_province", "migrant_in_province"


# ---- helpers ------------------------------------------------------------------------------------------------


def _run(codes, first: str = "2026-01", last: str = "2026-10", today: date = TODAY) -> list:
    """Run the detectors as the county auditor; their findings, oldest first."""
    from portal.audit import runs
    from portal.audit.models import Finding
    from portal.audit.rules import Month
    from portal.extensions import db

    codes = [codes] if isinstance(codes, str) else list(codes)
    run = runs.run_audit(user("auditor"), Month.parse(first), Month.parse(last), codes, today=today)
    assert run.state == "done", run.error
    db.session.expire_all()
    return db.session.execute(select(Finding).where(Finding.detector.in_(codes)).order_by(Finding.id)).scalars().all()


def _evidence(finding) -> str:
    from portal.audit import findings as service

    return service.evidence_of(finding)


def _pay(world, village_key: str, month: int, state: str = "paid") -> int:
    return make_payroll(world, village_key, 2026, month, holders=0, state=state)


def _working_days(world, month: int) -> list[date]:
    from portal.attendance import service as attendance

    return attendance.county_calendar(world.ids["ca"]).month_working_days(2026, month)


def _person(person_id: int):
    from portal.extensions import db
    from portal.registry.models import Person

    return db.session.get(Person, person_id)


def _appointment(appointment_id: int):
    from portal.extensions import db
    from portal.posts.models import Appointment

    return db.session.get(Appointment, appointment_id)


def _commit():
    from portal.extensions import db

    db.session.commit()


def _setting(world, key: str, value: str, effective_from: date = date(2026, 1, 1)) -> None:
    """A county setting in force since a past day (written directly: the service only dates settings from
    the current month on)."""
    from portal.core.settings import CountySetting
    from portal.extensions import db

    db.session.add(CountySetting(county_id=world.ids["ca"], key=key, value=value, effective_from=effective_from,
                                 created_by=user("admin").id))
    db.session.commit()


def _money(value) -> str:
    from portal.core.i18n import money

    return money(Decimal(value))


def _masked(person) -> tuple[str, str]:
    from portal.core.masking import mask_id

    return mask_id(person.id_number), person.id_number


# ---- 吃空饷 ghost_pay -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raised_by, found", [("0.00", False), ("0.01", True), ("88.00", True)])
def test_ghost_pay_a_line_above_the_pay_rule_for_its_marks(world, ctx, raised_by, found):
    from portal.payroll.rules import pay_for_month

    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 10, days=_working_days(world, 10)[:10])
    _pay(world, "a1a", 10)
    line = line_of(ids[0], 2026, 10)
    assert line.amount == pay_for_month(Decimal("600.00"), Decimal(10), 18, 18, 18) == Decimal("333.33")
    line_id, person_id, name = line.id, line.person_id, line.person_name
    set_line_amount(line_id, Decimal("333.33") + Decimal(raised_by))
    findings = _run("ghost_pay")
    assert len(findings) == found
    if found:
        (finding,) = findings
        assert (finding.subject_type, finding.subject_id, finding.period_key) == ("payroll_line", str(line_id),
                                                                                   "2026-10")
        assert finding.amount_at_stake == Decimal(raised_by) and finding.severity == "high"
        text = _evidence(finding)
        masked, full = _masked(_person(person_id))
        assert f"青竹村2026年10月补贴发放表向{name}（{masked}，村庄保洁员）发放" \
               f"{_money(Decimal('333.33') + Decimal(raised_by))}。" in text
        assert "按该行记录的出勤10.0天（应出勤18天），补贴规则应发¥333.33" in text
        assert f"不在岗领取补贴：{_money(raised_by)}" in text
        assert full not in text


@pytest.mark.parametrize("state, found", [("draft", 0), ("returned", 0), ("submitted", 1), ("approved", 1),
                                          ("paid", 1)])
def test_ghost_pay_counts_lines_once_the_payroll_went_out(world, ctx, state, found):
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 10)
    _pay(world, "a1a", 10, state)
    line = line_of(ids[0], 2026, 10)
    set_line_amount(line.id, Decimal("900.00"))
    assert len(_run("ghost_pay")) == found


def test_ghost_pay_a_mid_month_joiner_and_leaver_paid_their_share_are_not_ghost_pay(world, ctx):
    joiner = make_holders(world, "a1a", 1, start=date(2026, 10, 16))
    leaver = make_holders(world, "a1a", 1, title="护路员", exited_on=date(2026, 10, 16))
    mark_month(joiner + leaver, 2026, 10)
    _pay(world, "a1a", 10)
    joined, left = line_of(joiner[0], 2026, 10), line_of(leaver[0], 2026, 10)
    assert Decimal(0) < joined.amount < Decimal("600.00") and Decimal(0) < left.amount < Decimal("600.00")
    assert _run("ghost_pay") == []


@pytest.mark.parametrize("exited_on, reason", [
    (date(2026, 11, 1), None),  # the exit came after the month: October was on duty
    (date(2026, 10, 16), "outside_window"),  # the line was computed before a mid-month exit was recorded
    (date(2026, 10, 1), "exited"),  # left before October began: all of October's pay is at stake
])
def test_ghost_pay_an_exit_the_payroll_did_not_know_of(world, ctx, exited_on, reason):
    from bisect import bisect_right

    from portal.payroll.rules import pay_for_month

    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 10)
    _pay(world, "a1a", 10)
    appointment = _appointment(ids[0])
    appointment.state, appointment.exited_on = "exited", exited_on
    _commit()
    findings = _run("ghost_pay")
    if reason is None:
        assert findings == []
        return
    (finding,) = findings
    text = _evidence(finding)
    if reason == "exited":
        assert finding.amount_at_stake == Decimal("600.00")
        assert "持岗人已于2026年10月1日退岗，早于当月" in text
    else:
        days = _working_days(world, 10)
        inside = bisect_right(days, date(2026, 10, 15))
        window_pay = pay_for_month(Decimal("600.00"), Decimal(15), 18, inside, 18)
        assert finding.amount_at_stake == Decimal("600.00") - window_pay
        assert f"该聘用当月在岗期间仅为2026年10月1日至2026年10月15日（{inside}个工作日），按补贴规则应发" \
               f"{_money(window_pay)}" in text


def test_ghost_pay_a_term_that_ended_before_the_month(world, ctx):
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 10)
    _pay(world, "a1a", 10)
    _appointment(ids[0]).end_date = date(2026, 9, 30)
    _commit()
    (finding,) = _run("ghost_pay")
    assert finding.amount_at_stake == Decimal("600.00")
    assert "该聘用当月没有一天在岗" in _evidence(finding)


@pytest.mark.parametrize("recorded_on, created_on, found", [
    (date(2026, 9, 10), None, True),  # recorded deceased in September: October's pay went to no one on duty
    (date(2026, 10, 10), None, False),  # died during October: the month may have been worked
    (None, date(2025, 1, 1), True),  # no recorded change: the flag of a record that existed then
    (None, None, False),  # no recorded change and a record made after the months paid: not known
])
def test_ghost_pay_to_a_person_recorded_deceased(world, ctx, recorded_on, created_on, found):
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 10)
    _pay(world, "a1a", 10)
    person = _person(person_of(ids[0]))
    person.deceased = True
    if created_on:
        person.created_at = datetime(created_on.year, created_on.month, created_on.day, tzinfo=UTC)
    _commit()
    if recorded_on:
        record_on(recorded_on, "clerk", person.id, {"deceased": False}, {"deceased": True})
    findings = _run("ghost_pay")
    assert len(findings) == found
    if found:
        assert findings[0].amount_at_stake == Decimal("600.00")
        assert "当月开始前此人已登记为死亡" in _evidence(findings[0])


def test_ghost_pay_looks_only_at_the_months_of_the_run(world, ctx):
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 10)
    _pay(world, "a1a", 10)
    set_line_amount(line_of(ids[0], 2026, 10).id, Decimal("700.00"))
    assert _run("ghost_pay", "2026-01", "2026-09") == []
    assert len(_run("ghost_pay", "2026-10", "2026-10")) == 1


# ---- 岗在人不在 absent_holder ---------------------------------------------------------------------------------


def _paid_months(world, months, days=None) -> int:
    """One holder of 青竹村 with the given months marked (all working days, or the first `days`) and paid."""
    ids = make_holders(world, "a1a", 1)
    for month in months:
        mark_month(ids, 2026, month, days=_working_days(world, month)[:days] if days else None)
        _pay(world, "a1a", month)
    return ids[0]


def test_absent_holder_from_the_month_the_status_was_recorded(world, ctx):
    appointment_id = _paid_months(world, (8, 9, 10))
    person = _person(person_of(appointment_id))
    set_status(person.id, OUT, date(2026, 9, 5))
    findings = _run("absent_holder")
    assert [f.period_key for f in findings] == ["2026-09", "2026-10"]
    assert [f.subject_id for f in findings] == [str(line_of(appointment_id, 2026, m).id) for m in (9, 10)]
    assert all(f.amount_at_stake == Decimal("600.00") and f.severity == "high" for f in findings)
    text = _evidence(findings[1])
    masked, full = _masked(person)
    assert f"2026年10月，{person.name}（{masked}，青竹村）在村庄保洁员岗位记出勤18.0天（应出勤18天），" \
           f"领取补贴¥600.00，而台账登记此人在县外务工（外出务工-省外）" in text
    assert "该就业状态登记于2026年9月5日" in text and full not in text


@pytest.mark.parametrize("present, percent, found", [
    (17, None, True),  # 17 of 18 days: 94 % ≥ 90 %
    (16, None, False),  # 16 of 18: 89 %, just under
    (17, "95", False),  # the county asks 95 %
    (18, "100", True),
])
def test_absent_holder_near_full_attendance(world, ctx, present, percent, found):
    if percent:
        _setting(world, "audit_near_full_percent", percent)
    appointment_id = _paid_months(world, (10,), days=present)
    set_status(person_of(appointment_id), OUT, date(2026, 3, 2))
    assert len(_run("absent_holder")) == found


def test_absent_holder_a_month_not_yet_paid_is_left_alone(world, ctx):
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 10)
    _pay(world, "a1a", 10, "draft")
    set_status(person_of(ids[0]), IN_PROVINCE, date(2026, 3, 2))
    assert _run("absent_holder") == []


def test_absent_holder_in_the_province_counts_and_a_month_back_home_does_not(world, ctx):
    appointment_id = _paid_months(world, (8, 9, 10))
    person_id = person_of(appointment_id)
    set_status(person_id, IN_PROVINCE, date(2026, 8, 1))
    set_status(person_id, "welfare_post", date(2026, 9, 20))  # back before September ended
    set_status(person_id, IN_PROVINCE, date(2026, 10, 31))  # out again on October's last day
    findings = _run("absent_holder")
    assert [f.period_key for f in findings] == ["2026-08", "2026-10"]
    assert "外出务工-省内县外" in _evidence(findings[0])
    assert "该就业状态登记于2026年10月31日" in _evidence(findings[1])


def test_absent_holder_looks_at_the_holders_outside_now(world, ctx):
    # recorded outside in August and back in September: the register has them home now, and the detector
    # reads the history of the holders outside now only (the documented limit)
    appointment_id = _paid_months(world, (8, 9))
    person_id = person_of(appointment_id)
    set_status(person_id, OUT, date(2026, 8, 1))
    set_status(person_id, "welfare_post", date(2026, 9, 2))
    assert _run("absent_holder") == []


@pytest.mark.parametrize("created_on, found", [(date(2025, 6, 1), True), (None, False)])
def test_absent_holder_without_a_recorded_change_takes_the_status_of_a_record_that_existed(world, ctx, created_on,
                                                                                          found):
    appointment_id = _paid_months(world, (10,))
    person = _person(person_of(appointment_id))
    person.employment_status = OUT
    if created_on:
        person.created_at = datetime(created_on.year, created_on.month, created_on.day, tzinfo=UTC)
    _commit()
    assert len(_run("absent_holder")) == found


# ---- 一人多岗 / 一户多岗 multiple_posts ----------------------------------------------------------------------


@pytest.mark.parametrize("first_exit, second_start, found", [
    (None, date(2026, 7, 1), True),  # two posts side by side from July
    (date(2026, 7, 1), date(2026, 7, 1), False),  # left the first post the day the second began
    (date(2026, 7, 1), date(2026, 6, 30), True),  # one day on both
])
def test_multiple_posts_one_person_on_overlapping_posts(world, ctx, first_exit, second_start, found):
    ids = make_holders(world, "a1a", 1)
    if first_exit:
        appointment = _appointment(ids[0])
        appointment.state, appointment.exited_on = "exited", first_exit
        _commit()
    person_id = person_of(ids[0])
    appoint(new_post(world, "a1a"), person_id, second_start)
    findings = _run("multiple_posts")
    assert len(findings) == found
    if found:
        (finding,) = findings
        assert (finding.subject_type, finding.subject_id, finding.period_key) == ("person", str(person_id),
                                                                                   "2026-01..2026-12")
        assert finding.severity == "medium"
        person = _person(person_id)
        masked, full = _masked(person)
        text = _evidence(finding)
        assert f"{person.name}（{masked}，青竹村）2026年同时担任2个岗位" in text
        assert f"{person.name}在护路员岗位（{second_start.year}年{second_start.month}月{second_start.day}日至" in text
        assert full not in text


def test_multiple_posts_the_pay_of_the_later_post_in_the_overlap_is_at_stake(world, ctx):
    ids = make_holders(world, "a1a", 1)
    second = appoint(new_post(world, "a1a"), person_of(ids[0]), date(2026, 7, 1))
    for month in (6, 10):
        mark_month([*ids, second] if month >= 7 else ids, 2026, month)
        _pay(world, "a1a", month)
    (finding,) = _run("multiple_posts")
    assert finding.amount_at_stake == line_of(second, 2026, 10).amount == Decimal("500.00")
    assert "后聘岗位在重叠月份的补贴：¥500.00" in _evidence(finding)


@pytest.mark.parametrize("state", ["nominated", "in_notice", "rejected"])
def test_multiple_posts_a_nomination_not_on_duty_is_not_a_second_post(world, ctx, state):
    ids = make_holders(world, "a1a", 1)
    appoint(new_post(world, "a1a"), person_of(ids[0]), date(2026, 7, 1), state=state)
    assert _run("multiple_posts") == []


def test_multiple_posts_an_overlap_after_the_run_period_waits_for_its_run(world, ctx):
    ids = make_holders(world, "a1a", 1)
    appoint(new_post(world, "a1a"), person_of(ids[0]), date(2026, 11, 1))
    assert _run("multiple_posts") == []
    assert len(_run("multiple_posts", "2026-01", "2026-11")) == 1


def _household_of_two(world, second_start=date(2026, 3, 1), first_exit=None) -> tuple[int, int]:
    ids = make_holders(world, "a1a", 1, exited_on=first_exit)
    household_id = _person(person_of(ids[0])).household_id
    spouse = new_person(world, "a1a", household_id=household_id, name="同户人")
    return ids[0], appoint(new_post(world, "a1a"), spouse, second_start)


def test_multiple_posts_a_household_above_the_limit(world, ctx):
    first, second = _household_of_two(world)
    mark_month([first, second], 2026, 10)
    _pay(world, "a1a", 10)
    (finding,) = _run("multiple_posts")
    household_id = _appointment(first).household_id
    assert (finding.subject_type, finding.subject_id, finding.period_key) == ("household", str(household_id),
                                                                               "2026-01..2026-12")
    assert finding.amount_at_stake == Decimal("500.00")  # the later post's October
    text = _evidence(finding)
    assert "于2026年3月1日同时占有2个岗位，超过每户1个的限额" in text and "同户人在护路员岗位" in text


@pytest.mark.parametrize("limit, first_exit, found", [
    ("2", None, False),  # the county allows two posts a household
    (None, date(2026, 3, 1), False),  # one after the other
    (None, date(2026, 3, 2), True),  # one day together
])
def test_multiple_posts_a_household_within_its_limit(world, ctx, limit, first_exit, found):
    if limit:
        _setting(world, "posts_per_household", limit)
    _household_of_two(world, first_exit=first_exit)
    assert len(_run("multiple_posts")) == found


# ---- 优亲厚友 favouritism ----------------------------------------------------------------------------------------


def _tie(world, kind: str, appointment_id: int) -> str:
    """Make the holder of the appointment tied in the way named; the words the evidence must use."""
    from portal.extensions import db
    from portal.registry.models import Relationship

    appointment = _appointment(appointment_id)
    holder = _person(appointment.person_id)
    village_id = world.ids["a1a"]
    if kind == "cadre":
        holder.is_cadre = True
        _commit()
        return "本人为村干部"
    if kind == "cadre_household":
        new_person(world, "a1a", household_id=holder.household_id, name="王主任", is_cadre=True)
        return "与村干部王主任同户"
    if kind in ("cadre_relative", "cadre_relative_reversed"):
        cadre = new_person(world, "a1a", name="李支书", is_cadre=True)
        pair = (holder.id, cadre) if kind == "cadre_relative" else (cadre, holder.id)
        db.session.add(Relationship(person_id=pair[0], relative_id=pair[1], kind="sibling", village_id=village_id))
        _commit()
        return "为村干部李支书的亲属（兄弟姐妹）"
    relative = new_person(world, "a1a", name="赵会计")
    db.session.add(Relationship(person_id=holder.id, relative_id=relative, kind="spouse", village_id=village_id))
    if kind == "nominator":
        user("clerk").person_id = relative
        _commit()
        return "为经办人赵会计的亲属（配偶）"
    appointment.decided_by = user("reviewer").id
    user("reviewer").person_id = relative
    _commit()
    return "为审批人赵会计的亲属（配偶）"


@pytest.mark.parametrize("kind", ["cadre", "cadre_household", "cadre_relative", "cadre_relative_reversed",
                                  "nominator", "approver"])
def test_favouritism_each_tie(world, ctx, kind):
    ids = make_holders(world, "a1a", 1)
    mark_month(ids, 2026, 10)
    _pay(world, "a1a", 10)
    words = _tie(world, kind, ids[0])
    (finding,) = _run("favouritism")
    assert (finding.subject_type, finding.subject_id, finding.period_key) == ("appointment", str(ids[0]),
                                                                               "2026-01..2026-12")
    assert finding.amount_at_stake == Decimal("600.00") and finding.severity == "high"
    holder = _person(person_of(ids[0]))
    masked, full = _masked(holder)
    text = _evidence(finding)
    assert f"{holder.name}（{masked}，青竹村）2026年在村庄保洁员岗位，{words}。" in text
    assert "提名时未记录说明理由" in text and "2026年补贴：¥600.00" in text and full not in text


def test_favouritism_names_the_justification_recorded_at_nomination(world, ctx):
    ids = make_holders(world, "a1a", 1)
    _appointment(ids[0]).justification = "经村民代表大会推选，无其他符合条件人员"
    _commit()
    _tie(world, "cadre", ids[0])
    (finding,) = _run("favouritism")
    assert "提名时记录的说明：“经村民代表大会推选，无其他符合条件人员”" in _evidence(finding)
    assert finding.amount_at_stake == Decimal("0.00")  # nothing paid yet


def test_favouritism_near_misses(world, ctx):
    from portal.extensions import db
    from portal.registry.models import Relationship

    ids = make_holders(world, "a1a", 1)
    holder = person_of(ids[0])
    # a relative who is neither a cadre nor a handler of the appointment
    plain = new_person(world, "a1a", name="普通亲属")
    db.session.add(Relationship(person_id=holder, relative_id=plain, kind="sibling", village_id=world.ids["a1a"]))
    _commit()
    user("clerk_b").person_id = plain  # a clerk of another village, who did not handle it
    _commit()
    # a cadre whose post is only nominated, and a cadre whose post ended before the run's year
    nominee = new_person(world, "a1a", name="候选干部", is_cadre=True)
    appoint(new_post(world, "a1a"), nominee, date(2026, 7, 1), state="nominated")
    former = make_holders(world, "a1a", 1, title="护林员", start=date(2025, 1, 1), end=date(2025, 12, 31))
    _person(person_of(former[0])).is_cadre = True
    _commit()
    assert _run("favouritism") == []
    assert len(_run("favouritism", "2025-01", "2025-12")) == 1  # the cadre's 2025 post, found in its own year


# ---- 轮流坐庄 rotation ----------------------------------------------------------------------------------------


def _turns(world, starts: list[date], people: list[int] | None = None, headcount: int = 1) -> int:
    """A post of 青竹村 held in turn: each start ends the turn before it; returns the post id."""
    post = new_post(world, "a1a", title="护林员", headcount=headcount)
    people = people or [new_person(world, "a1a") for _ in starts]
    for k, (start, person) in enumerate(zip(starts, people, strict=True)):
        following = starts[k + 1] if k + 1 < len(starts) else None
        appoint(post, person, start, end=max(date(2026, 12, 31), start), exited_on=following)
    return post


@pytest.mark.parametrize("starts, found", [
    (["2026-01-01", "2026-07-01"], False),  # two people in a year
    (["2026-01-01", "2026-04-01", "2026-07-01"], True),  # three
    (["2025-10-01", "2026-03-01", "2026-10-01"], False),  # three, but the first and last 12 months apart
    (["2025-10-02", "2026-03-01", "2026-10-01"], True),  # a day less
])
def test_rotation_three_people_within_twelve_months(world, ctx, starts, found):
    post = _turns(world, [date.fromisoformat(s) for s in starts])
    findings = _run("rotation")
    assert len(findings) == found
    if found:
        (finding,) = findings
        assert (finding.subject_type, finding.subject_id, finding.period_key) == ("post", str(post),
                                                                                   "2026-01..2026-12")
        assert finding.amount_at_stake == 0 and finding.severity == "medium"
        assert "青竹村护林员岗位在12个月内先后由3人上岗" in _evidence(finding)


def test_rotation_back_and_forth_between_two_households(world, ctx):
    a, b = new_person(world, "a1a", name="甲"), new_person(world, "a1a", name="乙")
    _turns(world, [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)], people=[a, b, a])
    (finding,) = _run("rotation")
    text = _evidence(finding)
    households = [_person(p).household.number for p in (a, b)]
    assert f"青竹村护林员岗位由户号{households[0]}的家庭转到户号{households[1]}的家庭又转回" in text
    assert "先后由" not in text  # two people only: not the many-people pattern


@pytest.mark.parametrize("setting, headcount, found", [
    ("4", 1, False),  # the county counts four people
    (None, 3, False),  # a post for three people needs five
])
def test_rotation_thresholds(world, ctx, setting, headcount, found):
    if setting:
        _setting(world, "audit_rotation_people", setting)
    _turns(world, [date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 1)], headcount=headcount)
    assert len(_run("rotation")) == found


def test_rotation_side_by_side_holders_are_no_rotation(world, ctx):
    make_holders(world, "a1a", 3)
    assert _run("rotation") == []


def test_rotation_is_found_by_the_run_that_holds_its_latest_start(world, ctx):
    _turns(world, [date(2026, 1, 1), date(2026, 4, 1), date(2026, 11, 2)])
    assert _run("rotation") == []
    assert len(_run("rotation", "2026-01", "2026-11")) == 1


# ---- the clean county and the planted cases ----------------------------------------------------------------


def test_the_clean_county_has_no_finding_about_people(world, ctx):
    from tests.audit_county import build_clean_county

    build_clean_county(world)
    assert [(f.detector, _evidence(f)) for f in _run(CODES)] == []


@pytest.mark.parametrize("code", CODES)
def test_each_planted_case_is_found_once(world, ctx, code):
    from tests.audit_county import build_clean_county

    build_clean_county(world)
    getattr(plant_people, f"plant_{code}")(world)
    found = [(f.detector, _evidence(f)) for f in _run(CODES)]
    assert [d for d, _ in found] == [code], found
    assert len(_run(CODES)) == 1
