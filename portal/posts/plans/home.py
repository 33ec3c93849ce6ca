"""Home-page items of post plans: returned plans (clerk), plans to decide (township), missing settings (county)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.core.access import Role, scoped
from portal.core.home import Waiting, provides
from portal.extensions import db
from portal.places.models import Village
from portal.posts import settings
from portal.posts.models import Post
from portal.posts.rules import PostCategory, PostState


def _count(user, state: PostState) -> int:
    return db.session.scalar(scoped(select(func.count(Post.id)), Post, user).where(Post.state == state.value)) or 0


@provides(Role.VILLAGE_CLERK)
def returned_posts(user) -> list[Waiting]:
    return [Waiting(_("Post plans returned to fix"), _count(user, PostState.RETURNED),
                    url_for("plan_pages.index", state="returned"), "danger")]


@provides(Role.TOWNSHIP_REVIEWER)
def posts_to_approve(user) -> list[Waiting]:
    return [Waiting(_("Post plans waiting for approval"), _count(user, PostState.SUBMITTED),
                    url_for("plan_pages.index", state="submitted"))]


@provides(Role.COUNTY_ADMIN)
def missing_settings(user) -> list[Waiting]:
    today = settings.county_today()
    without_standard = sum(1 for c in PostCategory if settings.standard_on(user.county_id, c, today) is None)
    villages = db.session.execute(scoped(select(Village.id), Village, user)).scalars().all()
    without_quota = sum(1 for v in villages if settings.quota_on(v, today) is None)
    target = url_for("plan_pages.settings_page")
    return [Waiting(_("Post categories without a subsidy standard"), without_standard, target),
            Waiting(_("Villages without a post quota"), without_quota, target)]
