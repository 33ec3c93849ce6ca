"""What a ledger file becomes: its person rows as read, and the plan a checked file makes of them (what to
write, beside what the village already holds); read by ledger.service, written by ledger.write."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from portal.places.models import Village
from portal.registry import rules

Progress = Callable[[int], None]


@dataclass
class LedgerRow:
    """One person row of the file: its number as Excel shows it, the values read, and unreadable cells."""

    row: int
    household: rules.HouseholdData
    person: rules.PersonData
    cell_errors: dict[str, str] = field(default_factory=dict)  # field -> CELL_PROBLEMS code


@dataclass
class LedgerPlan:
    """A checked file: what to write and what the village already holds."""

    user: object
    village: Village
    rows: list[tuple[LedgerRow, rules.ResidentId]]
    households: dict[str, object]  # number -> existing household row
    people: dict[str, object]  # id_number -> existing person row (this village)
