"""Home-page items of post plans: returned plans and vacancies (clerk), plans to decide, oldest first (township),
missing settings (county)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.access import Role, scoped
from portal.core.clock import county_date
from portal.core.home import Waiting, days_waiting, provides
from portal.extensions import db
from portal.places.models import Village
from portal.posts import settings
from portal.posts.models import Post
from portal.posts.plans import queries as plan_queries
from portal.posts.rules import PostCategory, PostState

SHOWN = 3  # the home page links the longest-waiting plans; the list has them all


def _count(user, state: PostState) -> int:
    return db.session.scalar(scoped(select(func.count(Post.id)), Post, user).where(Post.state == state.value)) or 0


@provides(Role.VILLAGE_CLERK)
def clerk_posts(user) -> list[Waiting]:
    vacant = plan_queries.count(plan_queries.plan_list(user, vacant=True))
    return [Waiting(_("Post plans returned to fix"), _count(user, PostState.RETURNED),
                    url_for("plan_pages.index", state="returned"), "danger"),
            Waiting(_("Approved posts with a vacancy: choose a holder"), vacant,
                    url_for("plan_pages.index", vacant="1"), "info")]


@provides(Role.TOWNSHIP_REVIEWER)
def posts_to_approve(user) -> list[Waiting]:
    today = settings.county_today()
    waiting = scoped(select(Post), Post, user).where(Post.state == PostState.SUBMITTED.value)
    count = plan_queries.count(waiting)
    oldest = db.session.execute(waiting.order_by(Post.submitted_at, Post.id).limit(SHOWN)).scalars().all()
    links = tuple((_("%(village)s · %(title)s, %(n)s places: waiting %(days)d days", village=p.village.name,
                     title=p.title, n=p.headcount, days=days_waiting(county_date(p.submitted_at), today)),
                   url_for("plan_pages.detail", post_id=p.id)) for p in oldest)
    first = county_date(oldest[0].submitted_at) if oldest else None
    return [Waiting(_("Post plans waiting for approval"), count, url_for("plan_pages.index", state="submitted"),
                    oldest_days=days_waiting(first, today), links=links)]


@provides(Role.COUNTY_ADMIN)
def missing_settings(user) -> list[Waiting]:
    today = settings.county_today()
    without_standard = sum(1 for c in PostCategory if settings.standard_on(user.county_id, c, today) is None)
    villages = db.session.scalar(scoped(select(func.count(Village.id)), Village, user)) or 0
    without_quota = villages - len(plan_queries.quotas_in_force(user, today))
    target = url_for("plan_pages.settings_page")
    return [Waiting(_("Post categories without a subsidy standard"), without_standard, target),
            Waiting(_("Villages without a post quota"), without_quota, target)]
