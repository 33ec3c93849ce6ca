"""Foundation items for the home pages: accounts locked, places without a clerk or reviewer."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core.access import Role, scoped
from portal.core.home import Waiting, provides
from portal.core.types import utcnow
from portal.extensions import db
from portal.places.models import Township, Village


@provides(Role.COUNTY_ADMIN)
def locked_accounts(user) -> list[Waiting]:
    count = db.session.scalar(select(func.count(User.id)).where(User.locked_until > utcnow())) or 0
    return [Waiting(_("Accounts locked after failed logins"), count, url_for("accounts.users"), "danger")]


@provides(Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER)
def villages_without_clerk(user) -> list[Waiting]:
    staffed = select(User.village_id).where(User.role == Role.VILLAGE_CLERK.value, User.active.is_(True),
                                            User.village_id.is_not(None))
    count = db.session.scalar(
        scoped(select(func.count(Village.id)), Village, user).where(Village.id.not_in(staffed))) or 0
    target = url_for("accounts.users") if user.role == Role.COUNTY_ADMIN else url_for("places.index")
    return [Waiting(_("Villages without an active clerk account"), count, target)]


@provides(Role.COUNTY_ADMIN)
def townships_without_reviewer(user) -> list[Waiting]:
    staffed = select(User.township_id).where(User.role == Role.TOWNSHIP_REVIEWER.value,
                                             User.active.is_(True), User.township_id.is_not(None))
    count = db.session.scalar(
        scoped(select(func.count(Township.id)), Township, user).where(Township.id.not_in(staffed))) or 0
    return [Waiting(_("Townships without an active reviewer account"), count, url_for("accounts.users"))]
