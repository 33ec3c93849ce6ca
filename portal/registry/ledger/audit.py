"""The ledger import's audit rows: one per household it touched, carrying its members' changes.

A 20 000-person ledger wrote 25 001 rows, one per household and one per person; grouped by household it writes a
fifth of them and keeps every field. A household row is the household's own `create` (all its fields) or `update`
(the fields that changed, none if only members changed), plus `members`: on the after side each created person's
fields and each updated person's changed fields, on the before side the updated people's old values, each with its
`person_id`. Personal data is masked as on every audit row (service.audit_view). members_of() reads them back, so
the audit (a person's recorded deaths and employment) sees an imported change as it sees one made on the page.
"""

from __future__ import annotations

from decimal import Decimal
from operator import itemgetter

from portal.core.auditlog import Change
from portal.registry.service import SENSITIVE

MEMBERS = "members"
PERSON_KEY = "person_id"


def member(person_id: int, values: dict, fields: tuple[str, ...]) -> dict:
    """A member's entry on its household's row: the person's id, then `fields` of `values` as the audit log keeps
    them (personal data masked, amounts as their text), built in one go (a ledger has 20 000 of them)."""
    got = itemgetter(*fields)(values)
    entry = dict(zip((PERSON_KEY, *fields), (person_id, *(got if len(fields) > 1 else (got,))), strict=True))
    for field, mask in SENSITIVE.items():
        if entry.get(field):
            entry[field] = mask(entry[field])
    if isinstance(entry.get("monthly_income"), Decimal):
        entry["monthly_income"] = str(entry["monthly_income"])  # what the log's JSON writes for a Decimal
    return entry


def household_change(household_id: int, *, created: bool, before: dict, after: dict,
                     updated: list[tuple[dict, dict]], added: list[dict]) -> Change:
    """The household's row: its own fields (before/after as for a page's change), then its members' entries:
    (before, after) for each updated person, the after alone for each added one."""
    if updated:
        before = before | {MEMBERS: [old for old, _new in updated]}
    if updated or added:
        after = after | {MEMBERS: [new for _old, new in updated] + added}
    return Change("create" if created else "update", "household", str(household_id),
                  None if created else before, after)


def members_of(before: dict | None, after: dict | None) -> list[tuple[int, dict | None, dict | None]]:
    """(person id, before, after) for each person a household row carries, in its order; before is None for a
    person the row created. Rows written by the pages carry no members: []."""
    old = {m[PERSON_KEY]: _fields(m) for m in _members(before)}
    return [(m[PERSON_KEY], old.get(m[PERSON_KEY]), _fields(m)) for m in _members(after)]


def _members(side: dict | None) -> list[dict]:
    found = side.get(MEMBERS) if isinstance(side, dict) else None
    return [m for m in found if isinstance(m, dict) and isinstance(m.get(PERSON_KEY), int)] if isinstance(
        found, list) else []


def _fields(member: dict) -> dict:
    return {k: v for k, v in member.items() if k != PERSON_KEY}
