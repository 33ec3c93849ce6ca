"""Post plans (Rule 1) through the services: standard, quota and term at their edges, the workflow,
segregation of duties, compare-and-set, dated and audited settings, and the village post ledger."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import select

from portal.core.access import scope_clause
from portal.core.auditlog import AuditEntry, verify_chain
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.extensions import db
from portal.posts import settings
from portal.posts.models import Appointment, Exit, Post
from portal.posts.plans import ledger as plan_ledger
from portal.posts.plans import service as plans
from portal.posts.plans.rules import term_last_day
from portal.posts.rules import DEFAULT_POLICY
from portal.registry.models import Person
from tests.posts_plans_support import approved_plan, day_before_open, new_plan, setup_county, start, user


@pytest.fixture
def county(world, ctx):
    setup_county()
    return world


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.execute(select(AuditEntry).where(AuditEntry.action == action)
                                   .order_by(AuditEntry.seq)).scalars())


# ---- Rule 1 at its edges --------------------------------------------------------------------------


def test_a_subsidy_exactly_at_the_standard_is_accepted(county):
    post = new_plan(subsidy=Decimal("800.00"))
    plans.submit(user("clerk"), post)
    assert post.state == "submitted" and post.submitted_by == user("clerk").id


def test_one_fen_over_the_standard_is_refused_with_the_numbers(county):
    post = new_plan(subsidy=Decimal("800.01"))
    with pytest.raises(plans.PlanInvalid) as err:
        plans.submit(user("clerk"), post)
    assert "800.00" in err.value.problems["subsidy"] and "800.01" in err.value.problems["subsidy"]
    assert db.session.get(Post, post.id).state == "draft"


def test_reaching_the_quota_is_accepted_going_over_is_refused_with_the_numbers(county):
    plans.submit(user("clerk"), new_plan(headcount=4))
    plans.submit(user("clerk"), new_plan(headcount=2))  # 4 + 2 = 6 = quota
    over = new_plan(headcount=1)
    with pytest.raises(plans.PlanInvalid) as err:
        plans.submit(user("clerk"), over)
    message = err.value.problems["headcount"]
    assert "6" in message and "1" in message, message
    assert "6" in err.value.message  # the summary (flash, API) carries the numbers too


def test_drafts_and_returned_posts_do_not_use_the_quota(county):
    new_plan(headcount=6)  # a draft
    plans.submit(user("clerk"), new_plan(headcount=6))


def test_a_term_of_one_year_is_accepted_one_day_more_is_refused(county):
    plans.submit(user("clerk"), new_plan(headcount=1, end_date=term_last_day(start())))
    with pytest.raises(plans.PlanInvalid) as err:  # the term is part of the plan's shape: refused on save
        new_plan(headcount=1, end_date=term_last_day(start()) + timedelta(days=1))
    last = term_last_day(start())
    assert f"{last.year}年{last.month}月{last.day}日" in err.value.problems["end_date"]


def test_a_draft_with_a_broken_shape_is_refused_on_save(county):
    with pytest.raises(plans.PlanInvalid) as err:
        new_plan(need_reason="太短", end_date=start() - timedelta(days=1))
    assert set(err.value.problems) >= {"need_reason", "end_date"}


def test_no_standard_or_no_quota_refuses_the_submit(world, ctx):
    post = new_plan()
    with pytest.raises(plans.PlanInvalid) as err:
        plans.submit(user("clerk"), post)
    assert {"subsidy", "headcount"} <= set(err.value.problems)


# ---- the workflow ---------------------------------------------------------------------------------


def test_submit_approve_close_with_their_audit_rows(county):
    post = approved_plan()
    assert (post.state, post.decided_by) == ("approved", user("reviewer").id)
    assert plans.vacancies(post) == 2
    plans.close(user("reviewer"), post)
    assert post.state == "closed"
    assert [len(_audit(a)) for a in ("create", "submit", "approve", "close")] == [1, 1, 1, 1]
    assert verify_chain().ok


def test_return_with_a_reason_then_fix_and_resubmit(county):
    post = new_plan()
    plans.submit(user("clerk"), post)
    with pytest.raises(RuleViolation):
        plans.return_plan(user("reviewer"), post, "   ")
    plans.return_plan(user("reviewer"), post, "需说明保洁路段")
    assert (post.state, post.return_reason) == ("returned", "需说明保洁路段")
    plans.update_plan(user("clerk"), post, plans.PlanData.of(post, duties="主干道5公里保洁"))
    plans.submit(user("clerk"), post)
    plans.approve(user("reviewer2"), post)
    assert post.state == "approved" and post.duties == "主干道5公里保洁"
    assert json.loads(_audit("return")[0].after)["return_reason"] == "需说明保洁路段"


def test_a_submitted_or_approved_plan_cannot_be_edited(county):
    post = new_plan()
    plans.submit(user("clerk"), post)
    with pytest.raises(RuleViolation):
        plans.update_plan(user("clerk"), post, plans.PlanData.of(post, title="改"))


def test_the_submitter_cannot_approve(county):
    post = new_plan()
    plans.submit(user("clerk"), post)
    post.submitted_by = user("reviewer").id  # a reviewer who submitted (e.g. on behalf of the village)
    db.session.commit()
    with pytest.raises(NotAllowed) as err:
        plans.approve(user("reviewer"), post)
    assert err.value.code == "own_submission"
    plans.approve(user("reviewer2"), post)


def test_only_the_right_roles_move_a_plan(county):
    post = new_plan()
    for name in ("reviewer", "admin", "clerk_b"):
        with pytest.raises(NotAllowed):
            plans.submit(user(name), post)
    plans.submit(user("clerk"), post)
    for name in ("clerk", "admin", "auditor"):
        with pytest.raises(NotAllowed):
            plans.approve(user(name), post)


def test_a_double_approval_succeeds_exactly_once(county):
    post = new_plan()
    plans.submit(user("clerk"), post)
    stale = db.session.get(Post, post.id)
    db.session.expunge(stale)  # a second request that read the post while it was still submitted
    plans.approve(user("reviewer"), db.session.get(Post, post.id))
    with pytest.raises(Conflict):
        plans.approve(user("reviewer2"), stale)
    assert len(_audit("approve")) == 1
    assert db.session.get(Post, post.id).decided_by == user("reviewer").id


def test_an_illegal_move_is_refused_in_words(county):
    post = approved_plan()
    with pytest.raises(RuleViolation) as err:
        plans.approve(user("reviewer2"), post)
    assert err.value.code == "illegal_move"


def _appoint(post: Post, person_key: str, world, state="active", **kw) -> Appointment:
    person = db.session.get(Person, world.people[person_key])
    appt = Appointment(post_id=post.id, village_id=post.village_id, person_id=person.id,
                       household_id=person.household_id, state=state, rank=1, nominated_by=user("clerk").id,
                       start_date=post.start_date, end_date=post.end_date, **kw)
    db.session.add(appt)
    db.session.commit()
    return appt


def test_a_post_with_a_holder_cannot_close(county):
    post = approved_plan()
    _appoint(post, "p_a1a", county)
    assert plans.vacancies(post) == 1
    with pytest.raises(plans.PlanInvalid) as err:
        plans.close(user("clerk"), post)
    assert "1" in err.value.problems["post"]


# ---- settings -------------------------------------------------------------------------------------


def test_settings_are_dated_and_audited(world, ctx):
    admin = user("admin")
    settings.set_standard(admin, "cleaning", Decimal("800.00"), start())
    settings.set_standard(admin, "cleaning", Decimal("850.00"), start() + timedelta(days=40))
    assert settings.standard_on(world.ids["ca"], "cleaning", start()) == Decimal("800.00")
    assert settings.standard_on(world.ids["ca"], "cleaning", start() + timedelta(days=40)) == Decimal("850.00")
    assert settings.standard_on(world.ids["ca"], "cleaning", day_before_open()) is None
    row = _audit("set_standard")[-1]
    assert (json.loads(row.before)["monthly_amount"], json.loads(row.after)["monthly_amount"]) == ("800.00", "850.00")
    settings.set_quota(admin, world.ids["a1a"], 6, start())
    settings.set_quota(admin, world.ids["a1a"], 8, start())  # the same date again replaces the value
    assert settings.quota_on(world.ids["a1a"], start()) == 8
    assert json.loads(_audit("set_quota")[-1].before)["headcount"] == 6


def test_policy_for_lays_settings_over_the_defaults_from_their_date(world, ctx):
    admin, later = user("admin"), start() + timedelta(days=45)
    settings.set_setting(admin, "notice_working_days", "7", later)
    settings.set_setting(admin, "eligible_categories", "monitored,lifted", start())
    assert settings.policy_for(world.ids["ca"], start()).notice_working_days == DEFAULT_POLICY.notice_working_days
    policy = settings.policy_for(world.ids["ca"], later)
    assert policy.notice_working_days == 7 and policy.eligible_categories == {"monitored", "lifted"}
    assert settings.policy_for(world.ids["cb"], later) == DEFAULT_POLICY
    assert json.loads(_audit("set_setting")[0].before)["value"] == "5"


@pytest.mark.parametrize("call", [
    lambda a, w, d: settings.set_standard(a, "cleaning", Decimal("800"), d),
    lambda a, w, d: settings.set_quota(a, w.ids["a1a"], 6, d),
    lambda a, w, d: settings.set_setting(a, "appeal_days", "7", d),
])
def test_a_setting_before_the_current_month_is_refused(world, ctx, call):
    with pytest.raises(RuleViolation) as err:
        call(user("admin"), world, day_before_open())
    assert err.value.code == "closed_month"
    assert _audit("set_standard") == _audit("set_quota") == _audit("set_setting") == []


def test_only_the_county_admin_changes_settings_and_only_in_their_county(world, ctx):
    for name in ("clerk", "reviewer", "auditor"):
        with pytest.raises(NotAllowed):
            settings.set_standard(user(name), "cleaning", Decimal("800"), start())
    with pytest.raises(NotAllowed):
        settings.set_quota(user("admin_b"), world.ids["a1a"], 6, start())
    with pytest.raises(RuleViolation):
        settings.set_setting(user("admin"), "posts_per_household", "0", start())
    with pytest.raises(RuleViolation):
        settings.set_standard(user("admin"), "cleaning", Decimal("800.001"), start())


# ---- the ledger and scope -------------------------------------------------------------------------


def test_the_ledger_export_opens_and_lists_holders_past_and_present(county):
    from openpyxl import load_workbook

    post = approved_plan()
    _appoint(post, "p_a1a", county)
    gone = _appoint(post, "p_a1b", county, state="exited", exited_on=start() + timedelta(days=20))
    db.session.add(Exit(appointment_id=gone.id, village_id=post.village_id, reason="resigned", evidence="本人申请",
                        proposed_by=user("clerk").id, proposed_on=start(), effective_on=gone.exited_on,
                        state="exited"))
    db.session.commit()
    rows = plan_ledger.ledger(user("clerk"), [post.village_id])
    assert [h.exit_reason for h in rows[0].holders] == ["", "resigned"]
    book = load_workbook(BytesIO(plan_ledger.workbook(rows)))
    values = [[c.value for c in r] for r in book.active.iter_rows()]
    assert len(values[0]) == 17 and all(values[0])  # the headers (Chinese once the catalogue is merged)
    names = {r[10] for r in values[1:]}
    assert {"测试人p_a1a", "测试人p_a1b"} <= names
    assert any(r[16] for r in values[1:])  # the exit reason of the one who left
    assert all("*" in (r[11] or "*") for r in values[1:])  # resident IDs masked


def test_every_role_sees_only_the_posts_of_its_scope(county):
    a1a = approved_plan()
    b = new_plan("clerk_b")
    names = ("clerk", "clerk_b", "reviewer", "admin", "auditor", "admin_b")
    visible = {name: set(db.session.execute(select(Post.id).where(scope_clause(Post, user(name)))).scalars())
               for name in names}
    assert visible == {"clerk": {a1a.id}, "clerk_b": {b.id}, "reviewer": {a1a.id, b.id},
                       "admin": {a1a.id, b.id}, "auditor": {a1a.id, b.id}, "admin_b": set()}
