"""The audit row of a mark save, compact: every changed cell's before and after in a few short strings.

One row per save; per holder and month one string with a character per day of the month — "." the day was
not part of the save, "-" no mark, else the mark's letter (p present, h half, l leave, a absent). `before` and
`after` carry the same keys, so every changed cell reads back as (before, after) with cells_of_audit; a grid
of 80 holders is 80 strings of ~30 characters instead of 1 760 entries. Pure.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date

from portal.attendance.rules import Mark

LETTER = {Mark.PRESENT: "p", Mark.HALF: "h", Mark.LEAVE: "l", Mark.ABSENT: "a", None: "-"}
FROM_LETTER = {v: k for k, v in LETTER.items()}


def audit_cells(cells: Iterable[tuple[int, date, str | None, str | None]]) -> tuple[dict, dict]:
    """The audit row's before and after of a save's changed cells (appointment id, day, old mark, new mark)."""
    before: dict[str, list[str]] = {}
    after: dict[str, list[str]] = {}
    for appointment_id, day, old, new in cells:
        key = f"{appointment_id}/{day.year:04d}-{day.month:02d}"
        if key not in before:
            length = calendar.monthrange(day.year, day.month)[1]
            before[key], after[key] = ["."] * length, ["."] * length
        before[key][day.day - 1], after[key][day.day - 1] = LETTER[old], LETTER[new]
    return ({k: "".join(v) for k, v in before.items()}, {k: "".join(v) for k, v in after.items()})


def cells_of_audit(before: dict, after: dict) -> dict[tuple[int, date], tuple[str | None, str | None]]:
    """Every cell an attendance audit row changed: (appointment id, day) → (mark before, mark after).
    Reads the compact rows and the older ones keyed by "<appointment id>/<day>"."""
    cells = {}
    for key in after.keys() | before.keys():
        appointment_id, _sep, when = key.partition("/")
        old, new = before.get(key), after.get(key)
        if len(when) == 10:  # an older row: one key per cell, the marks as they are
            cells[(int(appointment_id), date.fromisoformat(when))] = (old, new)
            continue
        year, month = int(when[:4]), int(when[5:7])
        for dom, (b, a) in enumerate(zip(old, new, strict=True), start=1):
            if a != ".":
                cells[(int(appointment_id), date(year, month, dom))] = (FROM_LETTER[b], FROM_LETTER[a])
    return cells
