"""Account policy as pure functions: password strength, lockout, idle timeout, role binding."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import unquote, urlsplit

from portal.core.roles import COUNTY_ROLES, Role

STRONG_ENOUGH = 3  # zxcvbn's score: 3 is "safely unguessable" (about 10^8 guesses or more)


def password_problems(password: str, *, username: str, min_length: int) -> list[str]:
    """Reasons a new password is refused (codes): too short, no letter, no digit, containing the username, or
    common or guessable (a dictionary word, a keyboard run, a repeat: zxcvbn's score below 3)."""
    from zxcvbn import zxcvbn

    problems = []
    if len(password) < min_length:
        problems.append("too_short")
    if not any(c.isalpha() for c in password):
        problems.append("no_letter")
    if not any(c.isdigit() for c in password):
        problems.append("no_digit")
    if username and username.lower() in password.lower():
        problems.append("contains_username")
    if not problems and zxcvbn(password[:100], user_inputs=[username])["score"] < STRONG_ENOUGH:
        problems.append("common")
    return problems


_STRIPPED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def safe_next_path(target: str | None) -> str | None:
    """The `next` target of a login when it is a path of this site, else None (go home).

    Browsers drop tabs and line breaks inside a URL and read a backslash as a slash, so `/\t/evil.example`
    and `/\\evil.example` are `//evil.example`, another site. The target is judged as the browser will read
    it, also percent-decoded once: a path starting with a single slash, no scheme, no host.
    """
    if not target:
        return None
    for seen in (target, unquote(target)):
        browser = _STRIPPED_BY_BROWSERS.sub("", seen).replace("\\", "/")
        if not browser.startswith("/") or browser.startswith("//") or seen != seen.strip():
            return None
        parts = urlsplit(browser)
        if parts.scheme or parts.netloc:
            return None
    if _STRIPPED_BY_BROWSERS.search(target) or "\\" in target:
        return None
    return target


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


def person_link_problem(*, found: bool, deceased: bool, linked_to: str | None) -> str | None:
    """Why an account cannot be linked to a person: not registered in the county, deceased, or the person
    already belongs to another active account (one person, one account)."""
    if not found:
        return "not_found"
    if deceased:
        return "deceased"
    if linked_to:
        return "linked_elsewhere"
    return None
