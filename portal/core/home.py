"""What is waiting for a user: each feature registers providers; the home page lists their items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from portal.core.access import Role


@dataclass(frozen=True)
class Waiting:
    label: str
    count: int
    url: str
    level: str = "warning"  # bootstrap colour: warning (act), danger (overdue), info
    details: tuple[str, ...] = ()  # a line per case worth naming on the home page (e.g. each overdue payroll)
    links: tuple[tuple[str, str], ...] = ()  # (text, url) per case with a page of its own (e.g. each open finding)
    oldest_days: int | None = None  # how long the longest-waiting case has waited (the queue shows oldest first)


_PROVIDERS: dict[Role, list[Callable]] = {r: [] for r in Role}


def provides(*roles: Role) -> Callable:
    """Register a function(user) -> list[Waiting] for the home page of `roles`."""

    def decorator(fn: Callable) -> Callable:
        for role in roles:
            _PROVIDERS[role].append(fn)
        return fn

    return decorator


URGENCY = {"danger": 0, "warning": 1, "info": 2}


def waiting_for(user) -> list[Waiting]:
    """Everything waiting for this user, items with nothing to do left out. The township's queue comes oldest
    first (the kinds without a waiting time after); the others see the overdue first, then what to act on,
    then what to know. Ties keep the order the features registered their items in."""
    role = Role(user.role)
    items: list[Waiting] = []
    for fn in _PROVIDERS[role]:
        items.extend(w for w in fn(user) if w.count)
    if role == Role.TOWNSHIP_REVIEWER:
        return sorted(items, key=lambda w: (w.oldest_days is None, -(w.oldest_days or 0)))
    return sorted(items, key=lambda w: URGENCY.get(w.level, 1))


def days_waiting(since: date | None, today: date) -> int | None:
    """Whole days from `since` (a county date) to `today`; None when nothing waits."""
    return None if since is None else max(0, (today - since).days)
