"""Account use cases: log in, log out, passwords, users and API tokens. Each one commits once."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts import rules, sessions
from portal.accounts.models import ApiToken, User
from portal.core import auditlog
from portal.core.access import Role
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.core.types import utcnow
from portal.extensions import db

USER_FIELDS = ("username", "full_name", "role", "county_id", "township_id", "village_id", "locale",
               "active", "must_change_password", "person_id")
_DUMMY_HASHES: dict[str, str] = {}


def dummy_hash() -> str:
    """A hash of the portal's own method and cost, checked when the username is unknown: both paths cost the
    same (a cheap dummy made an unknown name answer 15 times faster)."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _DUMMY_HASHES[method]


class LoginRefused(Exception):
    def __init__(self, message: str, locked: bool = False):
        super().__init__(message)
        self.message = message
        self.locked = locked


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def authenticate(username: str, password: str) -> User:
    """Check a login: one hash of the same cost whether the user exists or not, the same answer to a wrong
    password and an unknown name; a locked or disabled account is named only to whoever gave its password.
    Repeated failures are throttled per client address and account (views); the count is kept for the admin."""
    now = utcnow()
    user = db.session.execute(select(User).where(User.username == username.strip())).scalar_one_or_none()
    wrong = LoginRefused(_("Wrong username or password."))
    if user is None:
        check_password_hash(dummy_hash(), password)
        raise wrong
    if not check_password_hash(user.password_hash, password):
        _count_failure(user, now)
        raise wrong
    if rules.is_locked(user.locked_until, now):
        raise LoginRefused(_("This account is locked after too many failed logins. Try again in "
                             "%(minutes)d minutes or ask the county administrator.",
                             minutes=_minutes_left(user.locked_until, now)), locked=True)
    if not user.active:
        raise LoginRefused(_("This account is disabled."))
    user.failed_logins = 0
    user.locked_until = None
    sessions.start_session(user)
    auditlog.record(user, "login", "user", user.id)
    db.session.commit()
    return user


def _minutes_left(until, now) -> int:
    return max(1, int((until - now).total_seconds() + 59) // 60)


def _count_failure(user: User, now) -> None:
    # Counted with an UPDATE in the database so concurrent processes cannot lose a failure.
    db.session.execute(update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1))
    db.session.refresh(user)
    auditlog.record(user, "login_failed", "user", user.id, after={"failed_logins": user.failed_logins})
    db.session.commit()


def logout(user: User) -> None:
    sessions.end_session()
    auditlog.record(user, "logout", "user", user.id)
    db.session.commit()


def _check_new_password(user: User, password: str) -> None:
    problems = rules.password_problems(password, username=user.username,
                                       min_length=current_app.config["PASSWORD_MIN_LENGTH"])
    messages = {
        "too_short": _("at least %(n)d characters", n=current_app.config["PASSWORD_MIN_LENGTH"]),
        "no_letter": _("at least one letter"),
        "no_digit": _("at least one digit"),
        "contains_username": _("must not contain the username"),
        "common": _("not a common or easily guessed password (avoid words, names, dates and keyboard runs)"),
    }
    if problems:
        raise RuleViolation(_("The new password needs: %(list)s.",
                              list="; ".join(messages[p] for p in problems)), field="new_password")


def change_password(user: User, current: str, new: str, keep_session: str | None) -> None:
    """Everyone may change their own password; other sessions of the user end."""
    if not check_password_hash(user.password_hash, current):
        raise RuleViolation(_("The current password is wrong."), field="current_password")
    _check_new_password(user, new)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    sessions.end_other_sessions(user.id, keep_session)
    revoke_all_tokens(user, "password_changed")
    auditlog.record(user, "change_password", "user", user.id)
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise RuleViolation(_("Unknown language."))
    before = user.locale
    user.locale = locale
    auditlog.record(user, "set_locale", "user", user.id, {"locale": before}, {"locale": locale})
    db.session.commit()


@dataclass(frozen=True)
class UserInput:
    username: str
    full_name: str
    role: Role
    place: str  # "village:12", "township:3" or "county:1"
    locale: str = "zh_CN"
    person: str = ""  # the resident ID of the user's own entry in the register; blank keeps the link as is


def _bind_place(user: User, role: Role, place_key: str, admin: User) -> None:
    from portal.core.access import get_scoped
    from portal.places.models import County, Township, Village

    field = rules.place_field_for(role)
    level, _sep, raw_id = place_key.partition(":")
    model = {"village_id": Village, "township_id": Township, "county_id": County}[field]
    place = get_scoped(model, int(raw_id), admin) if raw_id.isdigit() and f"{level}_id" == field else None
    if place is None:
        raise RuleViolation(_("Choose a place of the right level for this role: a village for a clerk, "
                              "a township for a reviewer, the county for county roles."), field="place")
    user.county_id = user.township_id = user.village_id = None
    setattr(user, rules.place_field_for(role), place.id)
    user.role = role.value


def _bind_person(user: User, id_number: str, admin: User) -> None:
    """Link the account to its person in the register (every official is a villager too)."""
    from portal.core.access import scoped
    from portal.registry.models import Person

    id_number = (id_number or "").strip().upper()
    if not id_number:
        return
    person = db.session.execute(scoped(select(Person), Person, admin).where(Person.id_number == id_number)
                                ).scalar_one_or_none()
    taken = db.session.execute(select(User.username).where(
        User.person_id == person.id, User.id != user.id, User.active.is_(True))).scalar() if person else None
    problem = rules.person_link_problem(found=person is not None, deceased=bool(person and person.deceased),
                                        linked_to=taken)
    if problem == "not_found":
        raise RuleViolation(_("No person with this resident ID is registered in the county."), field="resident_id")
    if problem == "deceased":
        raise RuleViolation(_("The register marks this person as deceased."), field="resident_id")
    if problem == "linked_elsewhere":
        raise Conflict(_("This person is already linked to the account %(name)s.", name=taken), field="resident_id")
    user.person_id = person.id


def create_user(admin: User, data: UserInput, password: str) -> User:
    """County admins create users bound to one place of their county; the first password is temporary."""
    if db.session.execute(select(User.id).where(User.username == data.username)).first():
        raise Conflict(_("The username %(name)s is taken.", name=data.username), field="username")
    user = User(username=data.username, full_name=data.full_name, locale=data.locale,
                must_change_password=True, active=True, failed_logins=0)
    _bind_place(user, data.role, data.place, admin)
    _bind_person(user, data.person, admin)
    _check_new_password(user, password)
    user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    auditlog.record(admin, "create", "user", user.id, None, auditlog.snapshot(user, USER_FIELDS))
    db.session.commit()
    return user


def update_user(admin: User, user: User, data: UserInput, active: bool) -> None:
    """Change a user's name, role, place, language or whether the account is active."""
    if user.id == admin.id and (not active or data.role is not Role(admin.role)):
        raise NotAllowed(_("You cannot disable yourself or change your own role."))
    before = auditlog.snapshot(user, USER_FIELDS)
    user.full_name, user.locale, user.active = data.full_name, data.locale, active
    _bind_place(user, data.role, data.place, admin)
    _bind_person(user, data.person, admin)
    if not active:
        sessions.end_other_sessions(user.id, None)
        revoke_all_tokens(user, "disabled")
    auditlog.record(admin, "update", "user", user.id, before, auditlog.snapshot(user, USER_FIELDS))
    db.session.commit()


def reset_password(admin: User, user: User, password: str) -> None:
    """A county admin sets a temporary password; the user must change it at next login; lock cleared."""
    _check_new_password(user, password)
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    sessions.end_other_sessions(user.id, None)
    revoke_all_tokens(user, "password_reset")
    auditlog.record(admin, "reset_password", "user", user.id)
    db.session.commit()


def unlock(admin: User, user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    auditlog.record(admin, "unlock", "user", user.id)
    db.session.commit()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def revoke_all_tokens(user: User, reason: str) -> int:
    """Every live token of the user ends (password changed or reset, account disabled); the caller commits."""
    now = utcnow()
    ids = list(db.session.execute(select(ApiToken.id).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))).scalars())
    if ids:
        db.session.execute(update(ApiToken).where(ApiToken.id.in_(ids)).values(revoked_at=now))
        auditlog.record("system", "revoke_all", "api_token", user.id, None, {"tokens": ids, "reason": reason})
    return len(ids)


def create_token(user: User, name: str) -> str:
    """A new personal API token, living the county's token lifetime; returned once, only its hash is stored.
    None while the user must still change a temporary password."""
    from datetime import timedelta

    from portal.accounts.settings import token_days
    from portal.core.clock import county_today

    if user.must_change_password:
        raise NotAllowed(_("Change your temporary password before you make an API token."))
    token = "pt_" + secrets.token_urlsafe(32)
    now = utcnow()
    days = token_days(user.scope_county_id, county_today())
    row = ApiToken(user_id=user.id, name=name.strip() or "token", prefix=token[:10],
                   token_hash=_token_hash(token), created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(row)
    db.session.flush()
    auditlog.record(user, "create", "api_token", row.id, None, {"name": row.name, "prefix": row.prefix})
    db.session.commit()
    return token


def revoke_token(user: User, token_id: int) -> None:
    """A user revokes one of their own tokens (another user's token is not found)."""
    row = db.session.execute(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        raise Conflict(_("No such active token."))
    row.revoked_at = utcnow()
    auditlog.record(user, "revoke", "api_token", row.id, {"revoked_at": None}, {"revoked_at": row.revoked_at})
    db.session.commit()


def user_for_token(token: str) -> User | None:
    """The active user behind a bearer token, or None for an unknown or revoked one."""
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None))
    ).scalar_one_or_none()
    now = utcnow()
    if row is None or not row.user.active or not rules.token_usable(row.created_at, row.expires_at,
                                                                     row.revoked_at, now):
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
        db.session.commit()
    return row.user


def place_key(user: User) -> str:
    """The value of the place selector for a user: "village:12" and so on."""
    field = rules.place_field_for(Role(user.role))
    return f"{field.removesuffix('_id')}:{getattr(user, field)}"


def _in_county(admin: User):
    from sqlalchemy import or_

    from portal.places.models import Township, Village

    county = admin.scope_county_id
    return or_(
        User.county_id == county,
        User.township_id.in_(select(Township.id).where(Township.county_id == county)),
        User.village_id.in_(select(Village.id).join(Township).where(Township.county_id == county)),
    )


def unlinked_count(admin: User) -> int:
    """Active accounts of the admin's county not yet linked to their person in the register (a gap)."""
    from sqlalchemy import func

    return db.session.scalar(select(func.count(User.id)).where(
        _in_county(admin), User.active.is_(True), User.person_id.is_(None))) or 0


def list_users(admin: User, q: str = "", role: str = "", unlinked: bool = False, locked: bool = False) -> list[User]:
    """Users of the admin's county, filtered by name, role, missing person link and lock, by role then username."""
    from sqlalchemy import or_

    stmt = select(User).where(_in_county(admin))
    if unlinked:
        stmt = stmt.where(User.person_id.is_(None), User.active.is_(True))
    if locked:
        stmt = stmt.where(User.locked_until > utcnow())
    if q:
        stmt = stmt.where(or_(User.username.contains(q), User.full_name.contains(q)))
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == role)
    return list(db.session.execute(stmt.order_by(User.role, User.username)).scalars())
