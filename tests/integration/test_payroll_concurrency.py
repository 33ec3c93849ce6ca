"""No double anything: ten concurrent approvals, payments or generations of one payroll, each in its own
thread, app context and database session (SQLite and PostgreSQL): exactly one succeeds."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from portal.core.auditlog import AuditEntry, verify_chain
from portal.core.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.payroll import service
from portal.payroll.models import Payroll
from tests.payroll_factories import TODAY, get_payroll, make_holders, make_payroll, mark_month, user

THREADS = 10


def _race(app, call) -> Counter:
    """Run call(k) in THREADS threads released together; count the outcomes ("ok" or the refusal's code)."""
    outcomes: Counter = Counter()
    unexpected: list[BaseException] = []
    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()

    def worker(k: int) -> None:
        try:
            with app.app_context():
                try:
                    prepared = call(k)
                    barrier.wait(timeout=30)
                    prepared()
                    outcome = "ok"
                except (Conflict, RuleViolation) as refused:
                    outcome = refused.code
                finally:
                    db.session.remove()
            with lock:
                outcomes[outcome] += 1
        except BaseException as exc:  # pragma: no cover - reported below
            unexpected.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert unexpected == []
    assert sum(outcomes.values()) == THREADS
    return outcomes


def _audit_count(action: str, payroll_id: int) -> int:
    return db.session.scalar(select(func.count(AuditEntry.seq)).where(
        AuditEntry.action == action, AuditEntry.entity_id == str(payroll_id)))


def test_ten_concurrent_approvals_approve_once(app, world):
    with app.app_context():
        payroll_id = make_payroll(world, state="submitted")

    def approve(k):
        reviewer, payroll = user("reviewer" if k % 2 else "reviewer2"), get_payroll(payroll_id)
        return lambda: service.approve(reviewer, payroll, TODAY)

    outcomes = _race(app, approve)
    assert outcomes["ok"] == 1 and set(outcomes) <= {"ok", "conflict", "illegal_move"}, outcomes
    with app.app_context():
        assert get_payroll(payroll_id).state == "approved"
        assert _audit_count("payroll.approve", payroll_id) == 1
        assert verify_chain().ok


def test_ten_concurrent_payments_pay_once(app, world):
    with app.app_context():
        payroll_id = make_payroll(world, state="approved")

    def pay(k):
        reviewer, payroll = user("reviewer"), get_payroll(payroll_id)
        return lambda: service.record_payment(reviewer, payroll, TODAY, f"REF-{k}", TODAY)

    outcomes = _race(app, pay)
    assert outcomes["ok"] == 1 and set(outcomes) <= {"ok", "conflict", "illegal_move", "paid"}, outcomes
    with app.app_context():
        payroll = get_payroll(payroll_id)
        assert payroll.state == "paid" and payroll.bank_reference.startswith("REF-")
        assert _audit_count("payroll.pay", payroll_id) == 1
        assert verify_chain().ok


def test_ten_concurrent_generations_make_one_payroll(app, world):
    with app.app_context():
        mark_month(make_holders(world, n=3), 2026, 10)
        village_id = world.ids["a1a"]

    def generate(k):
        actor = user("clerk" if k % 2 else "reviewer")
        return lambda: service.generate(actor, village_id, 2026, 10, TODAY)

    outcomes = _race(app, generate)
    assert outcomes == Counter({"ok": 1, "payroll_exists": THREADS - 1}), outcomes
    with app.app_context():
        [payroll] = db.session.execute(select(Payroll)).scalars().all()
        assert payroll.line_count == 3 and len(payroll.lines) == 3
        assert _audit_count("payroll.generate", payroll.id) == 1


def test_a_batch_and_a_clerk_generating_at_once_make_one_payroll(app, world):
    with app.app_context():
        mark_month(make_holders(world, n=2), 2026, 10)
        village_id = world.ids["a1a"]

    def generate(k):
        if k % 2:
            actor = user("clerk")
            return lambda: service.generate(actor, village_id, 2026, 10, TODAY)
        admin = user("admin")
        return lambda: service.generate_month(admin, 2026, 10, [village_id], today=TODAY)

    outcomes = _race(app, generate)
    assert outcomes["ok"] >= 1 and set(outcomes) <= {"ok", "payroll_exists"}, outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count(Payroll.id))) == 1
        assert db.session.scalar(select(Payroll.line_count)) == 2
        assert _audit_count("payroll.generate", db.session.scalar(select(Payroll.id))) == 1
