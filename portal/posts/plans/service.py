"""Post plans (Rule 1, 按需设岗): the village clerk drafts and submits, the township approves or returns.

Each use case is one transaction with its audit row. State moves only through rules.next_post_state and
is written as a compare-and-set UPDATE (`... WHERE id = :id AND state = :old`): of two concurrent
submits or approvals exactly one changes the row; the other gets Conflict.

Decisions where domain.md is silent:
- Saving a draft checks the plan's shape (fields, term, schedule) but not the standard and the quota:
  those are checked on submit, against the standard and quota in force on the post's start date and the
  headcount of the village's other submitted and approved posts.
- Submits of one village queue on the village's row, so two posts cannot both take the last quota places.
- A post plan is closed by the village clerk (giving up a plan, or ending a post) or by the township
  reviewer; only without holders (plan_rules.close_problems).
- A return needs a written reason; the last one stays on the post, every one is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from portal.core import auditlog
from portal.core.access import Role, get_scoped
from portal.core.clock import county_today
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.core.types import utcnow
from portal.extensions import db
from portal.places.models import Village
from portal.posts.labels import POST_STATE
from portal.posts.models import Appointment, Post
from portal.posts.plans import labels as plan_labels
from portal.posts.plans import rules as plan_rules
from portal.posts.rules import HOLDING_STATES, IllegalMove, PostAction, PostState, next_post_state
from portal.posts.settings import county_of_village, policy_for, quota_on, standard_on
from portal.registry.kin import ensure_can_approve

PLAN_FIELDS = ("category", "title", "duties", "workload_amount", "workload_unit", "headcount", "schedule",
               "required_days", "subsidy", "funding_source", "start_date", "end_date", "need_reason")
EDITABLE = (PostState.DRAFT, PostState.RETURNED)
LIVE = (PostState.SUBMITTED, PostState.APPROVED)  # count against the village quota
POLICY_CODES = {"quota_not_set", "over_quota", "standard_not_set", "over_standard"}
RETURN_REASON_MAX = 1000


class PlanInvalid(RuleViolation):
    """The plan breaks Rule 1; `problems` maps each form field to its message (with the numbers)."""

    code = "invalid_plan"

    def __init__(self, problems: dict[str, str]):
        super().__init__(plan_labels.summary(problems), field=next(iter(problems)))
        self.problems = problems


@dataclass
class PlanData:
    """The fields of a post as the form or the API gives them."""

    category: str
    title: str
    duties: str
    workload_amount: Decimal
    workload_unit: str
    headcount: int
    schedule: str
    required_days: int | None
    subsidy: Decimal
    funding_source: str
    start_date: date
    end_date: date
    need_reason: str

    @classmethod
    def of(cls, post: Post, **changes) -> PlanData:
        return cls(**({f: getattr(post, f) for f in PLAN_FIELDS} | changes))

    def as_plan(self) -> plan_rules.PostPlan:
        values = {f: getattr(self, f) for f in PLAN_FIELDS if f not in ("start_date", "end_date")}
        return plan_rules.PostPlan(start=self.start_date, end=self.end_date, **values)


def _raise(problems) -> None:
    if problems:
        raise PlanInvalid(plan_labels.problems_by_field(problems))


def _policy(village_id: int, day: date):
    return policy_for(county_of_village(village_id), day)


def _shape_problems(data: PlanData, village_id: int) -> list:
    problems = plan_rules.check_post_plan(data.as_plan(), None, None, 0, _policy(village_id, data.start_date))
    return [p for p in problems if p.code not in POLICY_CODES]


def _ensure_clerk_of(user, village_id: int) -> None:
    if user.role != Role.VILLAGE_CLERK or user.village_id != village_id:
        raise NotAllowed(_("Only the clerk of the post's village may do this."))


def _ensure_reviewer_of(user, village_id: int) -> None:
    if user.role != Role.TOWNSHIP_REVIEWER or get_scoped(Village, village_id, user) is None:
        raise NotAllowed(_("Only a reviewer of the village's township may decide on this post."))


def _snapshot(post: Post) -> dict:
    return auditlog.snapshot(post, (*PLAN_FIELDS, "state"))


def _next(post: Post, action: str) -> PostState:
    """rules.next_post_state, refusing an illegal move in the user's words."""
    try:
        return next_post_state(post.state, action)
    except IllegalMove:
        raise RuleViolation(_("This is not possible while the post is %(state)s.",
                              state=POST_STATE.get(post.state, post.state)), code="illegal_move") from None


def _compare_and_set(post: Post, action: str, **values) -> tuple[str, str]:
    """Move the post with one UPDATE guarded by its current state; Conflict when someone moved it first."""
    old = post.state
    new = _next(post, action)
    result = db.session.execute(
        update(Post).where(Post.id == post.id, Post.state == old)
        .values(state=new.value, updated_at=utcnow(), **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("This post was changed by someone else meanwhile. Reload the page and try again."),
                       code="state_changed")
    return old, new.value


def _finish(user, post: Post, action: str, old: str, new: str, extra: dict | None = None) -> None:
    auditlog.record(user, action, "post", post.id, {"state": old}, {"state": new, **(extra or {})})
    db.session.commit()
    db.session.refresh(post)


# ---- drafting -------------------------------------------------------------------------------------


def create_plan(user, data: PlanData) -> Post:
    """The village clerk drafts a post for their village (checked for shape; policy is checked on submit)."""
    if user.role != Role.VILLAGE_CLERK:
        raise NotAllowed(_("Only the village clerk proposes posts."))
    _raise(_shape_problems(data, user.village_id))
    post = Post(village_id=user.village_id, state=PostState.DRAFT.value, created_by=user.id,
                **{f: getattr(data, f) for f in PLAN_FIELDS})
    db.session.add(post)
    db.session.flush()
    auditlog.record(user, "create", "post", post.id, None, _snapshot(post))
    db.session.commit()
    return post


def update_plan(user, post: Post, data: PlanData) -> None:
    """The village clerk changes a draft or returned plan (never a submitted or approved one)."""
    _ensure_clerk_of(user, post.village_id)
    if post.state not in EDITABLE:
        raise RuleViolation(_("Only a draft or returned plan can be changed."), code="not_editable")
    _raise(_shape_problems(data, post.village_id))
    before = _snapshot(post)
    values = {f: getattr(data, f) for f in PLAN_FIELDS}
    result = db.session.execute(
        update(Post).where(Post.id == post.id, Post.state.in_([s.value for s in EDITABLE]))
        .values(updated_at=utcnow(), **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_("This post was changed by someone else meanwhile. Reload the page and try again."),
                       code="state_changed")
    auditlog.record(user, "update", "post", post.id, before, {k: v for k, v in values.items()})
    db.session.commit()
    db.session.refresh(post)


# ---- the workflow ---------------------------------------------------------------------------------


def headcount_in_use(village_id: int, except_post_id: int | None = None) -> int:
    """The headcount of the village's submitted and approved posts (the plan under check left out)."""
    stmt = select(func.coalesce(func.sum(Post.headcount), 0)).where(
        Post.village_id == village_id, Post.state.in_([s.value for s in LIVE]))
    if except_post_id is not None:
        stmt = stmt.where(Post.id != except_post_id)
    return int(db.session.scalar(stmt) or 0)


def policy_problems(post: Post) -> list:
    """Rule 1 for a stored plan: standard and quota in force on its start date, the village's other posts."""
    county_id = county_of_village(post.village_id)
    day = post.start_date
    return plan_rules.check_post_plan(
        PlanData.of(post).as_plan(), standard_on(county_id, post.category, day), quota_on(post.village_id, day),
        headcount_in_use(post.village_id, post.id), policy_for(county_id, day))


def submit(user, post: Post) -> None:
    """The village clerk submits a plan; refused with the numbers when over standard, quota or term."""
    _ensure_clerk_of(user, post.village_id)
    _next(post, PostAction.SUBMIT)  # an illegal move is refused before any work
    # Take the village's row lock first: submits of one village queue here, so the quota check holds.
    _hold_village(post.village_id)
    problems = policy_problems(post)
    if problems:
        db.session.rollback()
        _raise(problems)
    old, new = _compare_and_set(post, PostAction.SUBMIT, submitted_by=user.id, submitted_at=utcnow())
    _finish(user, post, "submit", old, new)


def _hold_village(village_id: int) -> None:
    """Take the village's row lock: submits and approvals of one village queue here (SQLite and PostgreSQL)."""
    db.session.execute(update(Village).where(Village.id == village_id).values(name=Village.name)
                       .execution_options(synchronize_session=False))


def approved_headcount(village_id: int, except_post_id: int) -> int:
    """The headcount of the village's other approved posts."""
    return int(db.session.scalar(select(func.coalesce(func.sum(Post.headcount), 0)).where(
        Post.village_id == village_id, Post.state == PostState.APPROVED.value, Post.id != except_post_id)) or 0)


def approval_limit_problems(post: Post, today: date) -> list:
    """The standard and quota in force on the approval day (those set from the start date when none is in
    force yet), against the village's other approved posts."""
    county_id = county_of_village(post.village_id)
    standard = standard_on(county_id, post.category, today)
    quota = quota_on(post.village_id, today)
    if standard is None:
        standard = standard_on(county_id, post.category, post.start_date)
    if quota is None:
        quota = quota_on(post.village_id, post.start_date)
    return plan_rules.approval_limit_problems(PlanData.of(post).as_plan(), standard, quota,
                                              approved_headcount(post.village_id, post.id))


def approve(user, post: Post, today: date | None = None) -> None:
    """A reviewer of the village's township approves a submitted plan; never the one who submitted it; the
    quota and the standard are checked again, as they stand on the approval day."""
    _ensure_reviewer_of(user, post.village_id)
    ensure_can_approve(user, post.submitted_by)
    _next(post, PostAction.APPROVE)
    _hold_village(post.village_id)  # concurrent approvals of one village queue: the last places go once
    problems = approval_limit_problems(post, today or county_today())
    if problems:
        db.session.rollback()
        _raise(problems)
    old, new = _compare_and_set(post, PostAction.APPROVE, decided_by=user.id, decided_at=utcnow())
    _finish(user, post, "approve", old, new)


def return_plan(user, post: Post, reason: str) -> None:
    """A reviewer of the township returns a submitted plan to the village with a written reason."""
    _ensure_reviewer_of(user, post.village_id)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Say why the plan is returned."), field="reason")
    if len(reason) > RETURN_REASON_MAX:
        raise RuleViolation(_("The reason is longer than %(max)s characters.", max=RETURN_REASON_MAX),
                            field="reason")
    ensure_can_approve(user, post.submitted_by)
    old, new = _compare_and_set(post, PostAction.RETURN, decided_by=user.id, decided_at=utcnow(),
                                return_reason=reason)
    _finish(user, post, "return", old, new, {"return_reason": reason})


def holders(post_id: int) -> int:
    """Appointments that hold a place on the post (rules.HOLDING_STATES)."""
    return int(db.session.scalar(select(func.count(Appointment.id)).where(
        Appointment.post_id == post_id, Appointment.state.in_([s.value for s in HOLDING_STATES]))) or 0)


def holders_by_post(post_ids) -> dict[int, int]:
    ids = list(post_ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Appointment.post_id, func.count(Appointment.id)).where(
        Appointment.post_id.in_(ids), Appointment.state.in_([s.value for s in HOLDING_STATES]))
        .group_by(Appointment.post_id)).all())


def vacancies(post: Post) -> int:
    """Open places on the post: its headcount less the appointments holding it."""
    return plan_rules.vacancies(post.headcount, holders(post.id))


def close(user, post: Post) -> None:
    """The village clerk or the township reviewer closes a post; only when nobody holds it."""
    if user.role == Role.VILLAGE_CLERK:
        _ensure_clerk_of(user, post.village_id)
    else:
        _ensure_reviewer_of(user, post.village_id)
    _next(post, PostAction.CLOSE)
    _raise(plan_rules.close_problems(holders(post.id)))
    old, new = _compare_and_set(post, PostAction.CLOSE)
    _finish(user, post, "close", old, new)


def may(user, post: Post, action: str) -> bool:
    """Whether to show `action`'s button to this user for this post (the service still decides)."""
    try:
        next_post_state(post.state, action)
    except RuleViolation:
        return False
    if action == PostAction.SUBMIT:
        return user.role == Role.VILLAGE_CLERK and user.village_id == post.village_id
    if action in (PostAction.APPROVE, PostAction.RETURN):
        return user.role == Role.TOWNSHIP_REVIEWER and user.id != post.submitted_by
    if action == PostAction.CLOSE:
        return user.role in (Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER)
    return False
