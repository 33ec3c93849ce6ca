"""Roles, scopes and the one access layer every query and load passes through.

A user is bound to one place: a village clerk to a village, a township reviewer to a township, the
county roles to a county. `scope_clause(Model, user)` turns that into a WHERE clause for any model
registered here; `get_scoped_or_404()` loads one record or answers 404, so a record of another place
is indistinguishable from one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, false, select, true
from sqlalchemy.sql.elements import ColumnElement

from portal.core.errors import NotAllowed
from portal.core.roles import COUNTY_ROLES, Role
from portal.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class ScopeSpec:
    """How a model reaches its place: through a village column, a township column or a county column."""

    village: Any = None
    township: Any = None
    county: Any = None


_SCOPES: dict[type, ScopeSpec] = {}


def register_scope(model: type, *, village=None, township=None, county=None) -> None:
    """Declare how records of `model` belong to places (called next to the model)."""
    _SCOPES[model] = ScopeSpec(village, township, county)


_PLACES: dict[str, type] = {}


def register_places(*, village: type, township: type) -> None:
    """Declare the place models (called next to them, in places.models): a village belongs to a township
    (`township_id`), a township to a county (`county_id`). The kernel reads them without importing them."""
    _PLACES.update(village=village, township=township)


def _village_ids_of_township(township_id: int):
    village = _PLACES["village"]
    return select(village.id).where(village.township_id == township_id)


def _village_ids_of_county(county_id: int):
    village, township = _PLACES["village"], _PLACES["township"]
    return select(village.id).join(township, village.township_id == township.id).where(
        township.county_id == county_id
    )


def _township_ids_of_county(county_id: int):
    township = _PLACES["township"]
    return select(township.id).where(township.county_id == county_id)


def scope_clause(model: type, user) -> ColumnElement[bool]:
    """The WHERE clause that keeps `user` inside their place for records of `model`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    spec = _SCOPES.get(model)
    if spec is None:
        raise LookupError(f"{model.__name__} has no registered scope")
    role = Role(user.role)
    if role in COUNTY_ROLES:
        if spec.county is not None:
            return spec.county == user.county_id
        if spec.township is not None:
            return spec.township.in_(_township_ids_of_county(user.county_id))
        return spec.village.in_(_village_ids_of_county(user.county_id))
    if role is Role.TOWNSHIP_REVIEWER:
        if spec.township is not None:
            return spec.township == user.township_id
        if spec.village is not None:
            return spec.village.in_(_village_ids_of_township(user.township_id))
        return spec.county == user.scope_county_id
    # village clerk
    if spec.village is not None:
        return spec.village == user.village_id
    if spec.township is not None:
        return spec.township == user.scope_township_id
    return spec.county == user.scope_county_id if spec.county is not None else true()


def scoped(stmt: Select, model: type, user) -> Select:
    """Add the scope of `user` to a SELECT over `model`."""
    return stmt.where(scope_clause(model, user))


def get_scoped(model: type[T], ident: Any, user) -> T | None:
    """One record of `model` inside the user's scope, or None."""
    pk = model.__mapper__.primary_key[0]
    return db.session.execute(
        select(model).where(pk == ident).where(scope_clause(model, user))
    ).scalar_one_or_none()


def get_scoped_or_404(model: type[T], ident: Any, user=None) -> T:
    """One record inside the user's scope; anything else is a 404 (no existence leak)."""
    obj = get_scoped(model, ident, user if user is not None else current_user)
    if obj is None:
        abort(404)
    return obj


def require_role(*roles: Role | str) -> Callable:
    """Refuse (403) a logged-in user whose role is not one of `roles`. Stack under @login_required."""
    allowed = {Role(r) for r in roles}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or Role(current_user.role) not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def check_can_approve(approver_id: int, submitter_id: int | None, *,
                      approver_household_id: int | None = None,
                      subject_household_ids: frozenset[int] | set[int] = frozenset(),
                      approver_kin_ids: frozenset[int] | set[int] = frozenset(),
                      subject_person_ids: frozenset[int] | set[int] = frozenset()) -> None:
    """Segregation of duties: nobody approves what they submitted, nor a case about their household or kin.

    `approver_kin_ids` are the approver's own register entry, household members and declared relatives
    (registry.kin.kin_of, as registry.kin.ensure_can_approve reads them); `subject_person_ids` the people
    the case is about.
    """
    from flask_babel import gettext as _

    if submitter_id is not None and approver_id == submitter_id:
        raise NotAllowed(_("You submitted this yourself; another reviewer must approve it."),
                         code="own_submission")
    if approver_household_id is not None and approver_household_id in subject_household_ids:
        raise NotAllowed(_("This case concerns your own household; another reviewer must approve it."),
                         code="own_household")
    if set(approver_kin_ids) & set(subject_person_ids):
        raise NotAllowed(_("This case concerns you or a declared relative of yours; another reviewer must "
                           "decide it."), code="related")
