"""One open exit per appointment and reason is held by the database (a partial unique index over the open
states), not by a read before the insert: a second open row is refused, closed ones do not count, and two
proposals racing each other (threads, own sessions; SQLite and PostgreSQL) make one exit."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.core.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.posts.exits import service as exits
from portal.posts.models import Exit
from tests.exit_factories import appointment, make_holder, user

TODAY = date(2026, 3, 2)


def _row(appt_id: int, state: str, reason: str = "absenteeism") -> Exit:
    return Exit(appointment_id=appt_id, village_id=appointment(appt_id).village_id, reason=reason,
                evidence="连续旷工三天", proposed_on=TODAY, effective_on=date(2026, 3, 3), state=state)


@pytest.mark.parametrize("first, second, allowed", [
    ("proposed", "proposed", False),
    ("approved", "proposed", False),
    ("appealed", "proposed", False),
    ("rejected", "proposed", True),
    ("withdrawn", "proposed", True),
    ("exited", "proposed", True),
])
def test_the_database_holds_one_open_exit_per_appointment_and_reason(world, ctx, first, second, allowed):
    appt_id = make_holder(world)
    db.session.add(_row(appt_id, first))
    db.session.commit()
    db.session.add(_row(appt_id, second))
    if allowed:
        db.session.commit()
    else:
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    db.session.add(_row(appt_id, "proposed", reason="term_ended"))  # another reason is another case
    db.session.commit()


def test_two_racing_proposals_make_one_exit(app, world):
    with app.app_context():
        appt_id = make_holder(world)
    barrier, outcomes, lock, unexpected = threading.Barrier(2), Counter(), threading.Lock(), []

    def worker(who) -> None:
        try:
            with app.app_context():
                try:
                    actor, appt = (user(who) if who else None), appointment(appt_id)
                    barrier.wait(timeout=30)
                    exits.propose(actor, appt, "absenteeism", "连续旷工三天，有考勤为证", date(2026, 3, 3), TODAY)
                    outcome = "ok"
                except (Conflict, RuleViolation) as refused:
                    outcome = refused.code
                finally:
                    db.session.remove()
            with lock:
                outcomes[outcome] += 1
        except BaseException as exc:  # pragma: no cover - reported below
            unexpected.append(exc)

    threads = [threading.Thread(target=worker, args=(who,)) for who in ("clerk", None)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert unexpected == []
    assert outcomes == Counter({"ok": 1, "exit_open": 1}), outcomes
    with app.app_context():
        assert db.session.scalar(select(func.count(Exit.id))) == 1
