"""Audit runs and findings: one run at a time, bad periods refused, re-runs never duplicate, the finding
workflow (township answers, county auditor closes) with its scope and its audit rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.payroll_factories import make_holders, make_payroll, mark_month, user

TODAY = date(2026, 11, 22)


def _month(text):
    from portal.audit.rules import Month

    return Month.parse(text)


def _share_account(appointment_ids):
    """Give every holder's person the first holder's bank account."""
    from portal.extensions import db
    from portal.posts.models import Appointment
    from portal.registry.models import Person

    people = [db.session.get(Person, db.session.get(Appointment, a).person_id) for a in appointment_ids]
    for p in people[1:]:
        p.bank_account = people[0].bank_account
    db.session.commit()
    return people


def _findings(detector=None):
    from portal.audit.models import Finding
    from portal.extensions import db

    stmt = select(Finding).order_by(Finding.id)
    if detector:
        stmt = stmt.where(Finding.detector == detector)
    return db.session.execute(stmt).scalars().all()


def test_a_shared_account_is_one_finding_and_a_rerun_refreshes_it(world, ctx):
    from portal.audit import findings as service
    from portal.audit import runs

    _share_account(make_holders(world, "a1a", 2))
    auditor = user("auditor")
    run = runs.run_audit(auditor, _month("2026-01"), _month("2026-10"), ["shared_account"], today=TODAY)
    assert run.state == "done" and run.running_key is None
    assert runs.run_counts(run)["shared_account"]["new"] == 1
    (finding,) = _findings("shared_account")
    assert finding.state == "open" and finding.period_key == "2026-01..2026-12"
    assert "622848******" in service.evidence_of(finding)
    assert finding.township_id == world.ids["a1"]
    run2 = runs.run_audit(auditor, _month("2026-03"), _month("2026-03"), ["shared_account"], today=TODAY)
    assert runs.run_counts(run2)["shared_account"] == {**runs.run_counts(run2)["shared_account"], "new": 0}
    assert len(_findings("shared_account")) == 1


@pytest.mark.parametrize("first, last, code", [
    ("2026-05", "2026-04", "period_reversed"),
    ("2026-10", "2026-12", "period_future"),
    ("2023-01", "2026-01", "period_too_long"),
])
def test_bad_periods_are_refused_with_the_reason(world, ctx, first, last, code):
    from portal.audit import runs
    from portal.audit.models import AuditRun
    from portal.core.errors import RuleViolation
    from portal.extensions import db

    with pytest.raises(RuleViolation) as caught:
        runs.run_audit(user("auditor"), _month(first), _month(last), today=TODAY)
    assert caught.value.code == code
    assert db.session.scalar(select(func.count(AuditRun.id))) == 0


def test_thirty_six_months_is_the_longest_run(world, ctx):
    from portal.audit import runs

    run = runs.run_audit(user("auditor"), _month("2023-12"), _month("2026-11"), ["shared_account"], today=TODAY)
    assert run.state == "done"


def test_a_second_run_while_one_is_going_is_told_so(world, ctx):
    from portal.audit import runs
    from portal.core.errors import Conflict

    runs.start_run(user("auditor"), _month("2026-01"), _month("2026-10"), today=TODAY)
    with pytest.raises(Conflict) as caught:
        runs.start_run(user("admin"), _month("2026-01"), _month("2026-10"), today=TODAY)
    assert caught.value.code == "run_in_progress"


def test_clerks_and_reviewers_do_not_run_the_audit(world, ctx):
    from portal.audit import runs
    from portal.core.errors import NotAllowed

    for name in ("clerk", "reviewer"):
        with pytest.raises(NotAllowed):
            runs.start_run(user(name), _month("2026-01"), _month("2026-10"), today=TODAY)


def test_township_answers_and_auditor_closes_with_an_amount_recovered(world, ctx):
    from portal.audit import findings as service
    from portal.audit import runs
    from portal.core.auditlog import AuditEntry, verify_chain
    from portal.core.errors import NotAllowed, RuleViolation
    from portal.extensions import db

    ids = make_holders(world, "a1a", 2)
    _share_account(ids)
    mark_month(ids, 2026, 10)
    make_payroll(world, "a1a", 2026, 10, holders=0, state="paid")
    runs.run_audit(user("auditor"), _month("2026-10"), _month("2026-10"), ["shared_account"], today=TODAY)
    (finding,) = _findings("shared_account")
    assert finding.amount_at_stake == Decimal("600.00")
    with pytest.raises(NotAllowed):
        service.respond(user("clerk"), finding, "x", "y")
    with pytest.raises(RuleViolation):
        service.respond(user("reviewer"), finding, "  ", "已核实")
    service.respond(user("reviewer"), finding, "两人为夫妻，共用一卡", "已要求分别开户")
    db.session.expire_all()
    finding = _findings("shared_account")[0]
    assert finding.state == "responded"
    with pytest.raises(NotAllowed):
        service.close(user("reviewer"), finding, "confirmed", Decimal("0"), "x")
    with pytest.raises(RuleViolation) as caught:
        service.close(user("auditor"), finding, "confirmed", Decimal("600.01"), "追回")
    assert caught.value.code == "recovered_above_stake"
    service.close(user("auditor"), finding, "confirmed", Decimal("600.00"), "已追回")
    db.session.expire_all()
    finding = _findings("shared_account")[0]
    assert (finding.state, finding.amount_recovered) == ("closed", Decimal("600.00"))
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "finding")
                                      .order_by(AuditEntry.seq)))
    assert actions == ["finding.open", "finding.respond", "finding.close"]
    assert verify_chain().ok
    # answered findings are left alone by a re-run
    runs.run_audit(user("auditor"), _month("2026-10"), _month("2026-10"), ["shared_account"], today=TODAY)
    assert [f.state for f in _findings("shared_account")] == ["closed"]


def test_a_reviewer_of_another_township_sees_nothing(world, ctx):
    from portal.accounts.models import User
    from portal.audit import findings as service
    from portal.audit import runs
    from portal.audit.models import Finding
    from portal.extensions import db

    _share_account(make_holders(world, "a1a", 2))
    runs.run_audit(user("auditor"), _month("2026-01"), _month("2026-10"), ["shared_account"], today=TODAY)
    other = User(username="reviewer_a2", full_name="x", password_hash="x", role="township_reviewer",
                 township_id=world.ids["a2"])
    db.session.add(other)
    db.session.commit()
    visible = lambda u: db.session.scalar(select(func.count(Finding.id)).where(service.finding_scope(u)))  # noqa: E731
    assert visible(user("reviewer")) == 1
    assert visible(other) == 0
    assert visible(user("clerk")) == 0
    assert visible(user("admin_b")) == 0


def test_a_run_whose_process_was_killed_does_not_block_the_next(world, ctx):
    """A `flask audit-run` killed mid-run leaves its run `running`; its process is gone, so the next run takes
    over at once (a run of a live process still blocks, one of another host waits for the two hours)."""
    import socket
    import subprocess
    import sys

    from portal.audit import runs
    from portal.audit.models import AuditRun
    from portal.core.errors import Conflict
    from portal.extensions import db

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    first = runs.start_run(user("auditor"), _month("2026-01"), _month("2026-10"), today=TODAY)
    assert first.runner == runs.this_runner()  # this process is alive: the run blocks
    with pytest.raises(Conflict):
        runs.start_run(user("auditor"), _month("2026-01"), _month("2026-10"), today=TODAY)
    db.session.get(AuditRun, first.id).runner = f"{socket.gethostname()[:100]}:{gone.pid}"
    db.session.commit()
    second = runs.start_run(user("auditor"), _month("2026-01"), _month("2026-10"), today=TODAY)
    db.session.expire_all()
    assert (db.session.get(AuditRun, first.id).state, db.session.get(AuditRun, first.id).running_key) == (
        "failed", None)
    assert db.session.get(AuditRun, second.id).state == "running"
    db.session.get(AuditRun, second.id).runner = "another-host:1"
    db.session.commit()
    with pytest.raises(Conflict):
        runs.start_run(user("auditor"), _month("2026-01"), _month("2026-10"), today=TODAY)
