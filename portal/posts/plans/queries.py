"""Post plans read for lists and figures: the plan list's filters (the home counts use the same clauses),
the quota use of the county's townships and of one village, a plan's figures under review. Scoped, grouped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from portal.core.access import scoped
from portal.extensions import db
from portal.places.models import Township, Village
from portal.posts.models import Appointment, Post, VillageQuota
from portal.posts.plans import rules as plan_rules
from portal.posts.rules import HOLDING_STATES, PostState
from portal.posts.settings import county_of_village, quota_on, standard_on

LIVE = "live"  # the list's pseudo-state: submitted or approved, the posts that count against the quota
LIVE_STATES = (PostState.SUBMITTED.value, PostState.APPROVED.value)


def _held():
    """Per post (correlated): the appointments holding a place on it."""
    return (select(func.count(Appointment.id)).where(
        Appointment.post_id == Post.id, Appointment.state.in_([s.value for s in HOLDING_STATES]))
        .correlate(Post).scalar_subquery())


def vacant_clause():
    """Approved posts with a place nobody holds (plan_rules.vacancies above 0)."""
    return (Post.state == PostState.APPROVED.value) & (Post.headcount > _held())


def plan_list(user, state: str = "", village_id: int | None = None, township_id: int | None = None,
              vacant: bool = False) -> Select:
    """The posts of the user's scope, filtered: a state (or LIVE), a village, a township, vacant only."""
    stmt = scoped(select(Post), Post, user).options(selectinload(Post.village))
    if state == LIVE:
        stmt = stmt.where(Post.state.in_(LIVE_STATES))
    elif state in set(PostState):
        stmt = stmt.where(Post.state == state)
    if village_id:
        stmt = stmt.where(Post.village_id == village_id)
    if township_id:
        stmt = stmt.where(Post.village_id.in_(select(Village.id).where(Village.township_id == township_id)))
    if vacant:
        stmt = stmt.where(vacant_clause())
    return stmt


def townships_of(user) -> list[Township]:
    return list(db.session.execute(scoped(select(Township), Township, user).order_by(Township.code)).scalars())


def count(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


# ---- quotas ------------------------------------------------------------------------------------------


def quotas_in_force(user, day: date) -> dict[int, int]:
    """The quota in force on `day` of every village of the user's scope that has one (one query)."""
    latest = (select(VillageQuota.village_id, func.max(VillageQuota.effective_from).label("since"))
              .where(VillageQuota.effective_from <= day).group_by(VillageQuota.village_id).subquery())
    stmt = scoped(select(VillageQuota.village_id, VillageQuota.headcount), VillageQuota, user).join(
        latest, (latest.c.village_id == VillageQuota.village_id) & (latest.c.since == VillageQuota.effective_from))
    return dict(db.session.execute(stmt).tuples().all())


def headcount_by_village(user, state: str) -> dict[int, int]:
    """The headcount of the posts in `state` per village of the user's scope (one grouped query)."""
    stmt = scoped(select(Post.village_id, func.sum(Post.headcount)), Post, user).where(
        Post.state == state).group_by(Post.village_id)
    return {village: int(total or 0) for village, total in db.session.execute(stmt).tuples()}


@dataclass
class TownshipQuota:
    township: Township
    villages: int
    quota: int  # of the villages with a quota
    approved: int
    waiting: int
    without_quota: int  # villages with no quota in force

    @property
    def left(self) -> int:
        """Places neither approved nor asked for by a waiting plan."""
        return self.quota - self.approved - self.waiting


def quota_use_by_township(user, day: date) -> list[TownshipQuota]:
    """Per township of the user's scope: the villages' quotas in force on `day`, the headcount of approved
    posts and of plans waiting for the township, and how many villages have no quota (four queries)."""
    townships = townships_of(user)
    village_township = dict(db.session.execute(scoped(select(Village.id, Village.township_id), Village, user))
                            .tuples().all())
    quotas = quotas_in_force(user, day)
    approved = headcount_by_village(user, PostState.APPROVED.value)
    waiting = headcount_by_village(user, PostState.SUBMITTED.value)
    rows = {t.id: TownshipQuota(t, 0, 0, 0, 0, 0) for t in townships}
    for village_id, township_id in village_township.items():
        row = rows.get(township_id)
        if row is None:
            continue
        row.villages += 1
        if village_id in quotas:
            row.quota += quotas[village_id]
        else:
            row.without_quota += 1
        row.approved += approved.get(village_id, 0)
        row.waiting += waiting.get(village_id, 0)
    return list(rows.values())


# ---- a plan under review ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFigures:
    """What the reviewer weighs: the village's quota and the category's standard, as approval will check them."""

    quota: plan_rules.QuotaUse
    standard: Decimal | None
    subsidy: Decimal

    @property
    def within_standard(self) -> bool:
        return plan_rules.within_standard(self.subsidy, self.standard)


def plan_figures(post: Post, today: date) -> PlanFigures:
    """The quota and standard in force on the approval day (those from the start date when none is in force
    yet, as plans.approve does), the village's other approved posts and other plans waiting."""
    county_id = county_of_village(post.village_id)
    quota = quota_on(post.village_id, today)
    if quota is None:
        quota = quota_on(post.village_id, post.start_date)
    standard = standard_on(county_id, post.category, today)
    if standard is None:
        standard = standard_on(county_id, post.category, post.start_date)
    totals = dict(db.session.execute(select(Post.state, func.coalesce(func.sum(Post.headcount), 0)).where(
        Post.village_id == post.village_id, Post.id != post.id, Post.state.in_(LIVE_STATES))
        .group_by(Post.state)).tuples().all())
    use = plan_rules.QuotaUse(quota, int(totals.get(PostState.APPROVED.value, 0)),
                              int(totals.get(PostState.SUBMITTED.value, 0)), post.headcount)
    return PlanFigures(use, standard, post.subsidy)
