"""Places without their officer: villages without an active clerk account, townships without an active reviewer
(the home counts and the places list's filter share these clauses), and accounts locked after failed logins."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core.access import Role, scoped
from portal.extensions import db
from portal.places.models import Township, Village
from portal.places.service import register_without


def village_without_clerk():
    staffed = select(User.village_id).where(User.role == Role.VILLAGE_CLERK.value, User.active.is_(True),
                                            User.village_id.is_not(None))
    return Village.id.not_in(staffed)


def township_without_reviewer():
    staffed = select(User.township_id).where(User.role == Role.TOWNSHIP_REVIEWER.value, User.active.is_(True),
                                             User.township_id.is_not(None))
    return Township.id.not_in(staffed)


def unstaffed_villages(user) -> int:
    return db.session.scalar(scoped(select(func.count(Village.id)), Village, user).where(village_without_clerk())) or 0


def unstaffed_townships(user) -> int:
    return db.session.scalar(scoped(select(func.count(Township.id)), Township, user)
                             .where(township_without_reviewer())) or 0


register_without("clerk", village_clause=village_without_clerk)
register_without("reviewer", township_clause=township_without_reviewer)
