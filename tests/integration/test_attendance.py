"""Attendance against a real database: saving marks (all or nothing, audited), holders, the county calendar
and its overrides, and Rule 4's absence triggers reading real marks."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.attendance import exit_triggers, overrides, service
from portal.attendance.models import AttendanceMark
from portal.attendance.rules import Mark
from portal.attendance.service import Change, MarksRefused
from portal.core.auditlog import AuditEntry
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.workdays import WorkdayOverride
from portal.extensions import db
from portal.posts.models import Appointment
from tests.exit_factories import make_holder, user

TODAY = date(2026, 11, 22)  # a Sunday
D = date(2026, 11, 20)  # the Friday before


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(service, "county_today", lambda: TODAY)
    monkeypatch.setattr(overrides, "county_today", lambda: TODAY)


def _save(changes, by="clerk", village="a1a", world=None):
    return service.save_marks(user(by), world.ids[village], changes, today=TODAY)


def _marks(appt_id) -> dict[date, str]:
    db.session.expire_all()
    return service.marks_for(appt_id, date(2026, 1, 1), date(2026, 12, 31))


def _audit(action="attendance.set") -> list[AuditEntry]:
    return list(db.session.execute(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.seq)).scalars())


# ---- save_marks -----------------------------------------------------------------------------------


def test_save_sets_changes_and_clears_marks_with_one_audit_row_per_save(world, ctx):
    a = make_holder(world)
    result = _save([Change(a, date(2026, 11, 18), Mark.PRESENT), Change(a, date(2026, 11, 19), Mark.HALF)],
                   world=world)
    assert (result.changed, result.unchanged) == (2, 0)
    assert _marks(a) == {date(2026, 11, 18): "present", date(2026, 11, 19): "half"}

    result = _save([Change(a, date(2026, 11, 18), Mark.PRESENT), Change(a, date(2026, 11, 19), Mark.LEAVE),
                    Change(a, D, None)], world=world)
    assert (result.changed, result.unchanged) == (1, 2)  # 18th unchanged, 20th had nothing to clear
    assert _marks(a) == {date(2026, 11, 18): "present", date(2026, 11, 19): "leave"}

    result = _save([Change(a, date(2026, 11, 18), None)], world=world)
    assert result.changed == 1
    assert _marks(a) == {date(2026, 11, 19): "leave"}

    rows = _audit()
    assert len(rows) == 3
    assert {(r.entity_type, r.entity_id) for r in rows} == {("village_attendance", str(world.ids["a1a"]))}
    second = rows[1]  # one string per holder-month, a character per day: "." not saved, "-" no mark
    assert json.loads(second.before) == {f"{a}/2026-11": "." * 18 + "h" + "." * 11}
    assert json.loads(second.after) == {f"{a}/2026-11": "." * 18 + "l" + "." * 11}
    assert json.loads(rows[2].before) == {f"{a}/2026-11": "." * 17 + "p" + "." * 12}
    assert json.loads(rows[2].after) == {f"{a}/2026-11": "." * 17 + "-" + "." * 12}
    assert [service.cells_of_audit(json.loads(r.before), json.loads(r.after)) for r in rows] == [
        {(a, date(2026, 11, 18)): (None, "present"), (a, date(2026, 11, 19)): (None, "half")},
        {(a, date(2026, 11, 19)): ("half", "leave")},
        {(a, date(2026, 11, 18)): ("present", None)}]


def test_a_save_of_unchanged_marks_writes_nothing_and_no_audit_row(world, ctx):
    a = make_holder(world)
    _save([Change(a, D, Mark.PRESENT)], world=world)
    result = _save([Change(a, D, Mark.PRESENT), Change(a, date(2026, 11, 19), None)], world=world)
    assert (result.changed, result.unchanged) == (0, 2)
    assert len(_audit()) == 1


def test_the_mark_records_who_and_when(world, ctx):
    a = make_holder(world)
    _save([Change(a, D, Mark.ABSENT)], world=world)
    row = db.session.execute(select(AttendanceMark)).scalar_one()
    assert (row.set_by, row.village_id, row.mark) == (user("clerk").id, world.ids["a1a"], "absent")
    assert row.set_at.tzinfo is not None


def test_a_refused_save_writes_nothing_and_names_every_refused_cell(world, ctx):
    a = make_holder(world)
    late_starter = make_holder(world, start=date(2026, 3, 1))
    other_village = make_holder(world, "p_a1b")
    service.lock_month(user("clerk"), world.ids["a1a"], 2026, 10)
    db.session.commit()
    good = Change(a, D, Mark.PRESENT)
    with pytest.raises(MarksRefused) as err:
        _save([good,
               Change(a, date(2026, 11, 23), Mark.PRESENT),            # tomorrow
               Change(a, date(2026, 10, 30), Mark.PRESENT),            # locked month
               Change(late_starter, date(2026, 2, 27), Mark.PRESENT),  # before the start
               Change(other_village, D, Mark.PRESENT)], world=world)   # another village's holder
    cells = {(c.appointment_id, c.day): c.code for c in err.value.cells}
    assert cells == {(a, date(2026, 11, 23)): "future", (a, date(2026, 10, 30)): "locked",
                     (late_starter, date(2026, 2, 27)): "outside_window", (other_village, D): "unknown_holder"}
    assert all(c.message for c in err.value.cells)
    assert "2026年11月23日" in next(c.message for c in err.value.cells if c.code == "future")
    assert "2026年3月1日" in next(c.message for c in err.value.cells if c.code == "outside_window")
    assert db.session.scalar(select(func.count(AttendanceMark.id))) == 0
    assert _audit() == []
    assert _save([good], world=world).changed == 1  # the same good cell alone is fine


def test_clearing_is_refused_like_setting(world, ctx):
    a = make_holder(world)
    _save([Change(a, date(2026, 10, 30), Mark.PRESENT)], world=world)
    service.lock_month(user("clerk"), world.ids["a1a"], 2026, 10)
    db.session.commit()
    with pytest.raises(MarksRefused) as err:
        _save([Change(a, date(2026, 10, 30), None)], world=world)
    assert [c.code for c in err.value.cells] == ["locked"]
    service.unlock_month(world.ids["a1a"], 2026, 10)
    db.session.commit()
    assert _save([Change(a, date(2026, 10, 30), None)], world=world).changed == 1


def test_an_exited_holder_is_refused_from_the_exit_day_on(world, ctx):
    a = make_holder(world)
    row = db.session.get(Appointment, a)
    row.state, row.exited_on = "exited", date(2026, 11, 10)
    db.session.commit()
    assert _save([Change(a, date(2026, 11, 9), Mark.PRESENT)], world=world).changed == 1
    with pytest.raises(MarksRefused) as err:
        _save([Change(a, date(2026, 11, 10), Mark.PRESENT)], world=world)
    assert err.value.cells[0].code == "outside_window"


@pytest.mark.parametrize("who", ["clerk_b", "reviewer", "admin", "auditor"])
def test_only_the_villages_clerk_saves(world, ctx, who):
    a = make_holder(world)
    with pytest.raises(NotAllowed):
        _save([Change(a, D, Mark.PRESENT)], by=who, world=world)
    assert db.session.scalar(select(func.count(AttendanceMark.id))) == 0


# ---- holders and reading --------------------------------------------------------------------------


def test_holders_are_the_appointments_on_duty_in_the_period(world, ctx):
    on_duty = make_holder(world)
    in_notice = make_holder(world)
    nominated = make_holder(world)
    gone = make_holder(world)
    later = make_holder(world, start=date(2026, 12, 1))
    for appt_id, state in ((in_notice, "in_notice"), (nominated, "nominated")):
        db.session.get(Appointment, appt_id).state = state
    gone_row = db.session.get(Appointment, gone)
    gone_row.state, gone_row.exited_on = "exited", date(2026, 11, 1)
    db.session.commit()
    ids = {a.id for a in service.holders(world.ids["a1a"], date(2026, 11, 1), date(2026, 11, 30))}
    assert ids == {on_duty}
    october = {a.id for a in service.holders(world.ids["a1a"], date(2026, 10, 1), date(2026, 10, 31))}
    assert october == {on_duty, gone}
    assert later in {a.id for a in service.holders(world.ids["a1a"], date(2026, 12, 1), date(2026, 12, 31))}
    assert service.holders(world.ids["a1b"], date(2026, 11, 1), date(2026, 11, 30)) == []


def test_marks_between_loads_a_village_month_by_holder_and_day(world, ctx):
    a, b = make_holder(world), make_holder(world)
    _save([Change(a, D, Mark.PRESENT), Change(b, D, Mark.HALF), Change(a, date(2026, 10, 30), Mark.LEAVE)],
          world=world)
    month = service.marks_between(world.ids["a1a"], date(2026, 11, 1), date(2026, 11, 30))
    assert {k: {d: m.mark for d, m in v.items()} for k, v in month.items()} == {a: {D: "present"}, b: {D: "half"}}


# ---- the county calendar and its overrides ----------------------------------------------------------


def test_the_county_calendar_applies_overrides(world, ctx):
    county = world.ids["ca"]
    monday, saturday = date(2026, 11, 23), date(2026, 11, 28)
    assert service.county_calendar(county).is_working_day(monday)
    overrides.add_override(user("admin"), monday, False, "县庆")
    overrides.add_override(user("admin"), saturday, True, "补班")
    cal = service.county_calendar(county)
    assert not cal.is_working_day(monday) and cal.is_working_day(saturday)
    assert len(cal.month_working_days(2026, 11)) == 21  # one off, one on
    assert service.county_calendar(world.ids["cb"]).is_working_day(monday)  # the other county is untouched


def test_an_override_is_audited_replaced_and_removed(world, ctx):
    admin = user("admin")
    row = overrides.add_override(admin, date(2026, 12, 7), False, "暴雪停工")
    again = overrides.add_override(admin, date(2026, 12, 7), False, "暴雪停工（延长）")
    assert again.id == row.id and again.note == "暴雪停工（延长）"
    overrides.remove_override(admin, row.id)
    assert db.session.scalar(select(func.count(WorkdayOverride.id))) == 0
    audit = list(db.session.execute(select(AuditEntry).where(AuditEntry.entity_type == "workday_override")
                                    .order_by(AuditEntry.seq)).scalars())
    assert [a.action for a in audit] == ["add_override", "add_override", "remove_override"]
    assert audit[0].before == "" and json.loads(audit[0].after)["working"] is False
    assert json.loads(audit[1].before)["note"] == "暴雪停工"
    assert json.loads(audit[2].before)["day"] == "2026-12-07" and audit[2].after == ""


@pytest.mark.parametrize("day", [date(2026, 10, 31), date(2026, 1, 5)])
def test_an_override_before_this_month_is_refused(world, ctx, day):
    with pytest.raises(RuleViolation) as err:
        overrides.add_override(user("admin"), day, False, "")
    assert err.value.code == "closed_month" and "2026年11月1日" in err.value.message


def test_the_first_day_of_this_month_is_open(world, ctx):
    assert overrides.add_override(user("admin"), date(2026, 11, 2), False, "").day == date(2026, 11, 2)


def test_an_override_in_a_month_a_village_has_locked_is_refused(world, ctx):
    service.lock_month(user("clerk_b"), world.ids["a1b"], 2026, 12)
    db.session.commit()
    with pytest.raises(RuleViolation) as err:
        overrides.add_override(user("admin"), date(2026, 12, 7), False, "")
    assert err.value.code == "locked_month"
    assert overrides.add_override(user("admin_b"), date(2026, 12, 7), False, "").county_id == world.ids["cb"]


def test_removing_is_refused_once_the_month_is_locked(world, ctx):
    row = overrides.add_override(user("admin"), date(2026, 12, 7), False, "")
    service.lock_month(user("clerk"), world.ids["a1a"], 2026, 12)
    db.session.commit()
    with pytest.raises(RuleViolation):
        overrides.remove_override(user("admin"), row.id)


def test_an_override_that_changes_nothing_is_refused(world, ctx):
    with pytest.raises(RuleViolation) as err:
        overrides.add_override(user("admin"), date(2026, 11, 23), True, "")  # already a working Monday
    assert err.value.code == "no_change"
    with pytest.raises(RuleViolation):
        overrides.add_override(user("admin"), date(2026, 11, 29), False, "")  # already a Sunday off


@pytest.mark.parametrize("who", ["clerk", "reviewer", "auditor"])
def test_only_the_county_admin_changes_the_calendar(world, ctx, who):
    with pytest.raises(NotAllowed):
        overrides.add_override(user(who), date(2026, 12, 7), False, "")
    row = overrides.add_override(user("admin"), date(2026, 12, 7), False, "")
    with pytest.raises(NotAllowed):
        overrides.remove_override(user(who), row.id)
    with pytest.raises(NotAllowed):
        overrides.remove_override(user("admin_b"), row.id)  # another county's override is not theirs


def test_the_year_sheets_show_holidays_adjusted_days_and_overrides(world, ctx):
    overrides.add_override(user("admin"), date(2026, 12, 7), False, "暴雪停工")
    sheets = overrides.year_sheets(world.ids["ca"], 2026, "zh_CN")
    days = {d.day: d for s in sheets for w in s.weeks for d in w if d}
    assert len(days) == 365
    assert (days[date(2026, 10, 1)].kind, days[date(2026, 10, 1)].name) == ("holiday", "国庆节")
    assert days[date(2026, 10, 10)].kind == "adjusted"
    assert days[date(2026, 10, 11)].kind == "weekend"
    assert days[date(2026, 12, 7)].kind == "holiday" and days[date(2026, 12, 7)].local
    assert sheets[9].working_days == 18 and sheets[10].working_days == 21 and sheets[11].working_days == 22


# ---- Rule 4 reads real attendance ------------------------------------------------------------------


def test_three_consecutive_absent_working_days_propose_an_absenteeism_exit(world, ctx):
    a = make_holder(world)
    _save([Change(a, date(2026, 11, day), Mark.ABSENT) for day in (18, 19, 20)], world=world)
    created = exit_triggers.propose_from_triggers(TODAY)
    assert [(e.appointment_id, e.reason) for e in created] == [(a, "absenteeism")]
    assert created[0].proposed_by is None and created[0].evidence


def test_two_absent_days_propose_nothing(world, ctx):
    a = make_holder(world)
    _save([Change(a, date(2026, 11, day), Mark.ABSENT) for day in (19, 20)], world=world)
    assert exit_triggers.propose_from_triggers(TODAY) == []


def test_a_present_day_breaks_the_streak_and_a_weekend_does_not_count(world, ctx):
    a = make_holder(world)
    _save([Change(a, date(2026, 11, 17), Mark.ABSENT), Change(a, date(2026, 11, 18), Mark.ABSENT),
           Change(a, date(2026, 11, 19), Mark.PRESENT), Change(a, date(2026, 11, 20), Mark.ABSENT),
           Change(a, date(2026, 11, 21), Mark.ABSENT)], world=world)  # the 21st is a Saturday
    assert exit_triggers.propose_from_triggers(TODAY) == []
