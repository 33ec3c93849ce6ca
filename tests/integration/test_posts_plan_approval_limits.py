"""Approving a post plan re-checks the village quota and the category standard in force on the approval day,
under the village's row lock: two plans submitted against the last quota places cannot both be approved, also
when two reviewers approve at the same moment (each in its own thread and session, SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from decimal import Decimal

import pytest

from portal.core.errors import Conflict, RuleViolation
from portal.extensions import db
from portal.posts import settings
from portal.posts.models import Post
from portal.posts.plans import service as plans
from tests.posts_plans_support import new_plan, setup_county, start, user


@pytest.fixture
def two_submitted(world, ctx):
    """Quota 6, two plans of 3 submitted; then the admin lowers the quota to 4 from this month on."""
    setup_county(quota=6)
    a, b = new_plan(headcount=3), new_plan(headcount=3)
    plans.submit(user("clerk"), a)
    plans.submit(user("clerk"), b)
    settings.set_quota(user("admin"), user("clerk").village_id, 4, start())
    return a.id, b.id


def test_the_second_plan_over_the_lowered_quota_is_not_approved(two_submitted):
    a, b = two_submitted
    plans.approve(user("reviewer"), db.session.get(Post, a))
    with pytest.raises(plans.PlanInvalid) as err:
        plans.approve(user("reviewer"), db.session.get(Post, b))
    assert "4" in err.value.problems["headcount"] and "3" in err.value.problems["headcount"]
    assert db.session.get(Post, b).state == "submitted"


def test_a_standard_lowered_after_the_submit_refuses_the_approval(world, ctx):
    setup_county(standard="800.00")
    post = new_plan(subsidy=Decimal("800.00"))
    plans.submit(user("clerk"), post)
    settings.set_standard(user("admin"), "cleaning", Decimal("700.00"), start())
    with pytest.raises(plans.PlanInvalid) as err:
        plans.approve(user("reviewer"), db.session.get(Post, post.id))
    assert "700.00" in err.value.problems["subsidy"]


def test_two_concurrent_approvals_against_the_last_places_approve_one(app, two_submitted):
    a, b = two_submitted
    db.session.remove()
    barrier, outcomes, lock, unexpected = threading.Barrier(2), Counter(), threading.Lock(), []

    def worker(post_id: int, reviewer: str) -> None:
        try:
            with app.app_context():
                try:
                    who, post = user(reviewer), db.session.get(Post, post_id)
                    barrier.wait(timeout=30)
                    plans.approve(who, post)
                    outcome = "ok"
                except (Conflict, RuleViolation) as refused:
                    outcome = refused.code or type(refused).__name__
                finally:
                    db.session.remove()
            with lock:
                outcomes[outcome] += 1
        except BaseException as exc:  # pragma: no cover - reported below
            unexpected.append(exc)

    threads = [threading.Thread(target=worker, args=args) for args in ((a, "reviewer"), (b, "reviewer2"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert unexpected == []
    assert outcomes["ok"] == 1 and sum(outcomes.values()) == 2, outcomes
    with app.app_context():
        states = sorted(db.session.get(Post, i).state for i in (a, b))
        assert states == ["approved", "submitted"]
