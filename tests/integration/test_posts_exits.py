"""Rule 4 (有序退岗) against a real database: propose → approve → notify → appeal → exit, and the triggers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from portal.attendance import exit_triggers
from portal.core.errors import Conflict, DomainError, NotAllowed
from portal.posts.exits import service as exits
from portal.posts.rules import HOLDING_STATES, ExitReason, IllegalMove
from tests.exit_factories import appointment, exit_row, make_holder, user

TODAY = date(2026, 3, 2)


def _propose(appt_id, reason="absenteeism", effective=date(2026, 3, 3), today=TODAY, by="clerk"):
    return exits.propose(user(by) if by else None, appointment(appt_id), reason, "连续旷工三天，有考勤为证",
                         effective, today)


@pytest.mark.parametrize("reason", [r.value for r in ExitReason])
def test_every_reason_can_be_proposed_on_a_full_time_post(world, ctx, reason):
    appt_id = make_holder(world)
    e = _propose(appt_id, reason)
    assert (e.state, e.reason, e.proposed_by) == ("proposed", reason, user("clerk").id)
    assert appointment(appt_id).state == "active"  # a proposal is never an exit


def test_employed_elsewhere_is_refused_on_a_part_time_post(world, ctx):
    appt_id = make_holder(world, schedule="part_time")
    with pytest.raises(exits.ExitRefused) as err:
        _propose(appt_id, "employed_elsewhere")
    assert "reason" in err.value.problems
    assert _propose(appt_id, "resigned").state == "proposed"


def test_effective_date_in_a_locked_month_is_refused_and_the_next_month_accepted(world, ctx, monkeypatch):
    monkeypatch.setattr(exits, "locked_months", lambda village_id: {(2026, 3)})
    appt_id = make_holder(world)
    with pytest.raises(exits.ExitRefused) as err:
        _propose(appt_id, effective=date(2026, 3, 20))
    assert "2026年3月" in err.value.problems["effective_on"]
    assert _propose(appt_id, effective=date(2026, 4, 1)).effective_on == date(2026, 4, 1)


def test_only_the_clerk_of_the_village_proposes(world, ctx):
    appt_id = make_holder(world)
    for other in ("clerk_b", "reviewer", "admin"):
        with pytest.raises(NotAllowed):
            _propose(appt_id, by=other)


def test_the_proposer_cannot_approve_and_a_clerk_cannot_approve(world, ctx):
    e = _propose(make_holder(world))
    with pytest.raises(NotAllowed):
        exits.approve(user("clerk"), e, TODAY)
    from portal.extensions import db

    e.proposed_by = user("reviewer").id  # as if the reviewer had proposed it
    db.session.commit()
    with pytest.raises(NotAllowed) as err:
        exits.approve(user("reviewer"), exit_row(e.id), TODAY)
    assert err.value.code == "own_submission"
    exits.approve(user("reviewer2"), exit_row(e.id), TODAY)
    assert exit_row(e.id).state == "approved"


def test_approval_starts_the_exit_and_notifies_today(world, ctx):
    appt_id = make_holder(world)
    e = _propose(appt_id)
    exits.approve(user("reviewer"), e, TODAY)
    e = exit_row(e.id)
    assert (e.state, e.notified_on, e.decided_by) == ("approved", TODAY, user("reviewer").id)
    assert appointment(appt_id).state == "exiting"


def test_approve_twice_has_one_success(world, ctx):
    e = _propose(make_holder(world))
    exits.approve(user("reviewer"), e, TODAY)
    with pytest.raises(IllegalMove):
        exits.approve(user("reviewer2"), exit_row(e.id), TODAY)


def test_a_stale_read_loses_the_compare_and_set(world, ctx):
    from portal.extensions import db

    e = _propose(make_holder(world))
    stale = exit_row(e.id)
    assert stale.state == "proposed"
    with db.engine.begin() as conn:  # another request approves meanwhile
        conn.execute(text("UPDATE exits SET state='rejected' WHERE id=:id"), {"id": e.id})
    with pytest.raises(Conflict):
        exits.approve(user("reviewer"), stale, TODAY)
    assert exit_row(e.id).state == "rejected"
    assert appointment(e.appointment_id).state == "active"  # the appointment's move was rolled back too


def test_reject_needs_a_note_and_keeps_the_holder(world, ctx):
    appt_id = make_holder(world)
    e = _propose(appt_id)
    with pytest.raises(exits.ExitRefused):
        exits.reject(user("reviewer"), e, "  ")
    exits.reject(user("reviewer"), exit_row(e.id), "证据不足")
    assert exit_row(e.id).state == "rejected" and appointment(appt_id).state == "active"


def test_withdraw_by_the_clerk_only_before_the_decision(world, ctx):
    e = _propose(make_holder(world))
    with pytest.raises(NotAllowed):
        exits.withdraw(user("clerk_b"), e)
    exits.withdraw(user("clerk"), exit_row(e.id))
    assert exit_row(e.id).state == "withdrawn"
    with pytest.raises(IllegalMove):
        exits.withdraw(user("clerk"), exit_row(e.id))


def _approved(world, effective=date(2026, 3, 3)):
    appt_id = make_holder(world)
    e = _propose(appt_id, effective=effective)
    exits.approve(user("reviewer"), e, TODAY)
    return appt_id, e.id


@pytest.mark.parametrize("days_after, ok", [(0, True), (5, True), (6, False)])
def test_appeal_within_five_days(world, ctx, days_after, ok):
    _appt, exit_id = _approved(world)
    day = TODAY + timedelta(days=days_after)
    if ok:
        exits.record_appeal(user("clerk"), exit_row(exit_id), "本人称已请假", day)
        assert exit_row(exit_id).state == "appealed"
    else:
        with pytest.raises(exits.ExitRefused) as err:
            exits.record_appeal(user("clerk"), exit_row(exit_id), "本人称已请假", day)
        assert "2026年3月7日" in err.value.problems["appeal"]


def test_a_death_cannot_be_appealed(world, ctx):
    appt_id = make_holder(world)
    e = _propose(appt_id, "deceased")
    exits.approve(user("reviewer"), e, TODAY)
    with pytest.raises(exits.ExitRefused):
        exits.record_appeal(user("clerk"), exit_row(e.id), "家属申诉", TODAY)


def test_upheld_appeal_puts_the_holder_back_on_duty(world, ctx):
    appt_id, exit_id = _approved(world)
    exits.record_appeal(user("clerk"), exit_row(exit_id), "本人称已请假", TODAY + timedelta(days=1))
    exits.decide_appeal(user("reviewer"), exit_row(exit_id), True, "请假条属实")
    assert exit_row(exit_id).state == "rejected"
    assert appointment(appt_id).state == "active"
    assert exits.finalize_due(date(2026, 4, 1)) == 0


def test_dismissed_appeal_exits_on_the_effective_date_once_the_window_closes(world, ctx):
    from portal.extensions import db
    from portal.posts.models import Appointment, Post
    from portal.posts.plans.rules import vacancies

    appt_id, exit_id = _approved(world)
    post = appointment(appt_id).post

    def open_places():
        held = db.session.scalar(select(func.count(Appointment.id)).where(
            Appointment.post_id == post.id, Appointment.state.in_([str(s) for s in HOLDING_STATES])))
        return vacancies(db.session.get(Post, post.id).headcount, held)

    assert open_places() == 0
    exits.record_appeal(user("clerk"), exit_row(exit_id), "不服", TODAY + timedelta(days=2))
    exits.decide_appeal(user("reviewer"), exit_row(exit_id), False, "旷工属实")
    assert exit_row(exit_id).state == "approved"
    with pytest.raises(exits.ExitRefused):  # one appeal only
        exits.record_appeal(user("clerk"), exit_row(exit_id), "再次申诉", TODAY + timedelta(days=3))
    assert exits.finalize_due(date(2026, 3, 7)) == 0  # effective 3 March, but the window is open to 7 March
    assert appointment(appt_id).state == "exiting"
    assert exits.finalize_due(date(2026, 3, 8)) == 1
    a = appointment(appt_id)
    assert (a.state, a.exited_on) == ("exited", date(2026, 3, 3))
    assert exit_row(exit_id).state == "exited"
    assert open_places() == 1  # the vacancy reopens
    assert exits.finalize_due(date(2026, 3, 9)) == 0


def test_a_later_effective_date_waits_for_its_day(world, ctx):
    appt_id, _exit_id = _approved(world, effective=date(2026, 3, 20))
    assert exits.finalize_due(date(2026, 3, 19)) == 0
    assert exits.finalize_due(date(2026, 3, 20)) == 1
    assert appointment(appt_id).exited_on == date(2026, 3, 20)


def test_every_step_is_in_the_audit_log(world, ctx):
    from portal.core.auditlog import AuditEntry, verify_chain
    from portal.extensions import db

    _approved(world)
    exits.finalize_due(date(2026, 3, 8))
    rows = db.session.execute(select(AuditEntry.actor_name, AuditEntry.action).where(
        AuditEntry.action.like("%exit%")).order_by(AuditEntry.seq)).all()
    assert [tuple(r) for r in rows] == [("clerk", "exit.propose"), ("reviewer", "appointment.start_exit"),
                                        ("reviewer", "exit.approve"), ("system", "appointment.exit"),
                                        ("system", "exit.exit")]
    assert verify_chain().ok


# ---- the portal's own proposals -------------------------------------------------------------------


def _system_reasons(appt_id):
    from portal.extensions import db
    from portal.posts.models import Exit

    return sorted(e.reason for e in db.session.execute(select(Exit).where(Exit.appointment_id == appt_id))
                  .scalars() if e.proposed_by is None)


def test_a_deceased_holder_is_proposed_and_twice_is_once(world, ctx):
    from portal.core.auditlog import AuditEntry
    from portal.extensions import db
    from portal.registry.models import Person

    appt_id = make_holder(world)
    db.session.get(Person, world.people["p_a1a"]).deceased = True
    db.session.commit()
    created = exit_triggers.propose_from_triggers(TODAY)
    assert [(e.reason, e.proposed_by, e.effective_on) for e in created] == [("deceased", None, TODAY)]
    assert exit_triggers.propose_from_triggers(TODAY) == []
    assert _system_reasons(appt_id) == ["deceased"]
    actors = db.session.scalars(select(AuditEntry.actor_name).where(AuditEntry.action == "exit.propose")).all()
    assert actors == ["system"]


@pytest.mark.parametrize("days_left, proposed", [(30, True), (31, False)])
def test_term_ending_within_thirty_days(world, ctx, days_left, proposed):
    appt_id = make_holder(world, end=TODAY + timedelta(days=days_left))
    created = exit_triggers.propose_from_triggers(TODAY)
    assert bool(created) is proposed
    if proposed:
        assert created[0].reason == "term_ended"
        assert created[0].effective_on == TODAY + timedelta(days=days_left + 1)  # the day after the term
    assert _system_reasons(appt_id) == (["term_ended"] if proposed else [])


def test_a_household_made_general_is_proposed_as_ineligible(world, ctx):
    from portal.extensions import db
    from portal.registry.models import Person

    make_holder(world)
    db.session.get(Person, world.people["p_a1a"]).household.category = "general"
    db.session.commit()
    created = exit_triggers.propose_from_triggers(TODAY)
    assert [e.reason for e in created] == ["ineligible"]
    assert created[0].evidence


def test_absences_read_through_marks_for(world, ctx, monkeypatch):
    marks = {date(2026, 2, 24): "absent", date(2026, 2, 25): "absent", date(2026, 2, 26): "absent"}
    monkeypatch.setattr(exit_triggers, "marks_for", lambda appointment, start, end: marks)
    make_holder(world)
    assert [e.reason for e in exit_triggers.propose_from_triggers(TODAY)] == ["absenteeism"]


def test_a_system_proposal_is_withdrawn_or_approved_by_people(world, ctx):
    from portal.extensions import db
    from portal.registry.models import Person

    appt_id = make_holder(world)
    db.session.get(Person, world.people["p_a1a"]).deceased = True
    db.session.commit()
    (e,) = exit_triggers.propose_from_triggers(TODAY)
    exits.approve(user("reviewer"), e, TODAY)  # no proposer: any reviewer of the township may approve
    assert exits.finalize_due(TODAY) == 1  # a death cannot be appealed: no window to wait for
    assert appointment(appt_id).state == "exited"


def test_run_daily_counts(world, ctx):
    from portal.extensions import db
    from portal.registry.models import Person

    make_holder(world)
    db.session.get(Person, world.people["p_a1a"]).deceased = True
    db.session.commit()
    counts = exit_triggers.run_daily(TODAY)
    assert counts["proposed"] == 1 and counts["exited"] == 0
    assert exit_triggers.run_daily(TODAY)["proposed"] == 0


def test_cli_posts_daily_prints_counts(world, app):
    with app.app_context():
        make_holder(world, end=date(2026, 3, 20))
    result = app.test_cli_runner().invoke(args=["posts-daily", "--date", "2026-03-02"])
    assert result.exit_code == 0, result.output
    assert "proposed: 1" in result.output and "exited: 0" in result.output


def test_domain_errors_are_domain_errors(world, ctx):
    e = _propose(make_holder(world))
    with pytest.raises(DomainError):
        exits.decide_appeal(user("reviewer"), e, True, "x")


# ---- the exit notice (退岗通知书) ----------------------------------------------------------------


def test_the_notice_pdf_names_holder_reason_and_dates_without_the_full_id(world, ctx, tmp_path):
    import shutil
    import subprocess

    from portal.extensions import db
    from portal.posts.exits.notice import notice_pdf
    from portal.registry.models import Person

    _appt, exit_id = _approved(world)
    pdf = notice_pdf(exit_row(exit_id))
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    flat = "".join(out.split())
    person = db.session.get(Person, world.people["p_a1a"])
    assert person.name in flat and "退岗通知书" in flat and "旷工" in flat
    assert "2026年3月3日" in flat  # effective
    assert "2026年3月7日" in flat  # last day to appeal
    assert "2026年3月2日" in flat  # notified and approved
    assert person.id_number not in flat and person.id_number[:4] + "*" in flat
