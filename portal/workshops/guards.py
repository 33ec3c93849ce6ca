"""What every workshop use case shares: who may act where, the refusal with one sentence per field, the
compare-and-set move and the rollback on refusal.

Who may act (domain.md "Who uses it"; decisions where it is silent):
- the county admin of the workshop's county certifies and edits workshops, proposes, rejects and
  approves exits, computes, approves and pays rewards, and may also keep employee records;
- the village clerk of the workshop's village and the township reviewer of its township keep employee
  records and file monthly reports;
- the township reviewer proposes exits and posts their notice (the county admin may post it too).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import wraps

from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.core.access import Role
from portal.core.errors import Conflict, DomainError, NotAllowed, RuleViolation
from portal.extensions import db
from portal.places.models import Township, Village
from portal.registry.rules import Problem
from portal.workshops.labels import FIELDS, problem_text


class WorkshopRefused(RuleViolation):
    """Input broke Rule 5; `problems` maps each field to its sentence (shown next to it on the page)."""

    code = "workshop_refused"

    def __init__(self, problems: dict[str, str]):
        field, first = next(iter(problems.items()))
        super().__init__(f"{FIELDS[field]}: {first}" if field in FIELDS else first, field=field)
        self.problems = problems


def refuse(problems: Iterable[Problem | None]) -> None:
    """Raise WorkshopRefused for the problems found (the first per field), if any."""
    found: dict[str, str] = {}
    for p in problems:
        if p is not None:
            found.setdefault(p.field, problem_text(p))
    if found:
        raise WorkshopRefused(found)


def atomic(fn: Callable) -> Callable:
    """Roll the unit of work back on a refusal, so row locks taken early are released at once."""
    @wraps(fn)
    def wrapped(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except DomainError:
            db.session.rollback()
            raise
    return wrapped


# ---- places and roles ------------------------------------------------------------------------------

def village(village_id: int) -> Village:
    found = db.session.get(Village, village_id)
    if found is None:
        raise NotAllowed(_("This village is outside your area."))
    return found


def county_of(village_id: int) -> int:
    return db.session.scalar(select(Township.county_id).join(Village, Village.township_id == Township.id)
                             .where(Village.id == village_id))


def is_admin_of(user, village_id: int) -> bool:
    return getattr(user, "role", None) == Role.COUNTY_ADMIN and user.county_id == county_of(village_id)


def is_clerk_of(user, village_id: int) -> bool:
    return getattr(user, "role", None) == Role.VILLAGE_CLERK and user.village_id == village_id


def is_reviewer_of(user, village_id: int) -> bool:
    return getattr(user, "role", None) == Role.TOWNSHIP_REVIEWER and user.township_id == village(village_id).township_id


def ensure_admin(user, village_id: int) -> None:
    if not is_admin_of(user, village_id):
        raise NotAllowed(_("Only the county admin of the workshop's county may do this."))


def ensure_keeper(user, village_id: int) -> None:
    """Employee records: the village's clerk, its township's reviewer or the county admin."""
    if not (is_clerk_of(user, village_id) or is_reviewer_of(user, village_id) or is_admin_of(user, village_id)):
        raise NotAllowed(_("Only the clerk of the workshop's village, its township reviewer or the county admin "
                           "keeps the employee records."))


def ensure_reporter(user, village_id: int) -> None:
    """Monthly reports: the village's clerk or its township's reviewer."""
    if not (is_clerk_of(user, village_id) or is_reviewer_of(user, village_id)):
        raise NotAllowed(_("Only the clerk of the workshop's village or its township reviewer files monthly "
                           "reports."))


# ---- moves ---------------------------------------------------------------------------------------

def hold(workshop) -> None:
    """Take the workshop's row lock (an UPDATE that changes nothing) and read it afresh: use cases that refresh
    its monitoring queue up here, so their state moves never race each other."""
    from portal.workshops.models import Workshop

    db.session.execute(update(Workshop).where(Workshop.id == workshop.id).values(updated_at=Workshop.updated_at)
                       .execution_options(synchronize_session=False))
    db.session.refresh(workshop)


def _after(moves: Mapping[tuple[str, str], str], action: str) -> set[str]:
    """Every state reachable once `action` has been taken."""
    reached = {str(new) for (_, act), new in moves.items() if act == action}
    while True:
        more = {str(new) for (old, _), new in moves.items() if old in reached} - reached
        if not more:
            return reached
        reached |= more


def expect(obj, action: str, moves: Mapping[tuple[str, str], str], state_text: str) -> None:
    """Refuse an action the record's state does not allow: as a Conflict when the record has already moved
    past it (a second approval, a race), as a RuleViolation when its turn has not come yet."""
    if (obj.state, str(action)) in moves:
        return
    if obj.state in _after(moves, str(action)):
        raise Conflict(_("This has already been done: the record is %(state)s.", state=state_text),
                       code="already_done")
    raise RuleViolation(_("This cannot be done now: the record is %(state)s.", state=state_text),
                        code="illegal_move")
