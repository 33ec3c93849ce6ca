"""Account policy as pure functions: password strength, lockout, idle timeout, role binding."""

from __future__ import annotations

from datetime import datetime, timedelta

from portal.core.access import COUNTY_ROLES, Role


def password_problems(password: str, *, username: str, min_length: int) -> list[str]:
    """Reasons a new password is refused (codes): too short, no letter, no digit, same as username."""
    problems = []
    if len(password) < min_length:
        problems.append("too_short")
    if not any(c.isalpha() for c in password):
        problems.append("no_letter")
    if not any(c.isdigit() for c in password):
        problems.append("no_digit")
    if username and username.lower() in password.lower():
        problems.append("contains_username")
    return problems


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """An account is locked while `locked_until` lies in the future."""
    return locked_until is not None and locked_until > now


def lock_after_failure(failures: int, threshold: int) -> bool:
    """The failure that reaches the threshold locks the account."""
    return failures >= threshold


def session_expired(last_seen: datetime, now: datetime, idle: timedelta) -> bool:
    """A session idle for `idle` or longer has ended."""
    return now - last_seen >= idle


def token_usable(created_at: datetime, expires_at: datetime | None, revoked_at: datetime | None,
                 now: datetime, default_days: int = 90) -> bool:
    """A token works until it is revoked or expires (a token without an expiry lives `default_days`)."""
    if revoked_at is not None:
        return False
    return now < (expires_at or created_at + timedelta(days=default_days))


def place_field_for(role: Role) -> str:
    """Which place a role is bound to: village_id, township_id or county_id."""
    if role is Role.VILLAGE_CLERK:
        return "village_id"
    if role is Role.TOWNSHIP_REVIEWER:
        return "township_id"
    assert role in COUNTY_ROLES
    return "county_id"
