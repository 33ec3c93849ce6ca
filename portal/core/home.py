"""What is waiting for a user: each feature registers providers; the home page lists their items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portal.core.access import Role


@dataclass(frozen=True)
class Waiting:
    label: str
    count: int
    url: str
    level: str = "warning"  # bootstrap colour: warning (act), danger (overdue), info
    details: tuple[str, ...] = ()  # a line per case worth naming on the home page (e.g. each overdue payroll)
    links: tuple[tuple[str, str], ...] = ()  # (text, url) per case with a page of its own (e.g. each open finding)


_PROVIDERS: dict[Role, list[Callable]] = {r: [] for r in Role}


def provides(*roles: Role) -> Callable:
    """Register a function(user) -> list[Waiting] for the home page of `roles`."""

    def decorator(fn: Callable) -> Callable:
        for role in roles:
            _PROVIDERS[role].append(fn)
        return fn

    return decorator


def waiting_for(user) -> list[Waiting]:
    """Everything waiting for this user, items with nothing to do left out."""
    items: list[Waiting] = []
    for fn in _PROVIDERS[Role(user.role)]:
        items.extend(w for w in fn(user) if w.count)
    return items
