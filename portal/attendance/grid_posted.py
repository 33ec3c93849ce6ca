"""A posted month grid: its cells as typed (form fields, or the script's packed field), parsed into marks, and
a range filled before saving.

A posted grid is read as typed text per cell (`c<appointment id>_<day of month>`); only cells whose
typed mark differs from the stored one are written (service.save_marks with only_changes), so read-only
cells posted back unchanged and cells nobody touched are no-ops.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from portal.attendance import labels as alabels
from portal.attendance import service
from portal.attendance.grid import MonthData, assemble
from portal.attendance.rules import Mark, UnknownMark, parse_mark

CELL = re.compile(r"^c(\d+)_(\d{1,2})$")


# The page's script sends the changed cells as one field, `cells`: a JSON object of cell name → typed text
# ({"c12_5": "½", …}); one field parses in a fraction of the time of 1 760 form fields. Without the script the
# whole grid comes back as one field per cell; both may come together (the field wins for its cells).
PACKED = "cells"


def _packed(text: str) -> dict[str, str]:
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(name): value for name, value in found.items() if isinstance(value, str)}


def typed_cells(form: Mapping[str, str], year: int, month: int) -> dict[tuple[int, int], str]:
    """The cells of a posted grid: (appointment id, day of month) → typed text (days of the month only)."""
    last = service.month_bounds(year, month)[1].day
    cells = {}
    named = form.items()
    if PACKED in form:
        named = [*named, *_packed(form[PACKED]).items()]
    for name, value in named:
        found = CELL.match(name)
        if found and 1 <= int(found.group(2)) <= last:
            cells[(int(found.group(1)), int(found.group(2)))] = value
    return cells


def parse_cells(typed: Mapping[tuple[int, int], str], year: int, month: int
                ) -> tuple[list[service.Change], dict[tuple[int, date], str]]:
    """The marks a posted grid asks for, cell by cell (service.save_marks ignores those equal to the stored
    mark), and the cells whose text is not a mark."""
    changes, unknown = [], {}
    for (appointment_id, dom), text in typed.items():
        day = date(year, month, dom)
        try:
            mark = parse_mark(text)
        except UnknownMark:
            unknown[(appointment_id, day)] = _("“%(text)s” is not a mark: type %(keys)s or leave the cell empty.",
                                               text=text.strip()[:4], keys=alabels.keys_text())
            continue
        changes.append(service.Change(appointment_id, day, mark))
    return changes, unknown


@dataclass(frozen=True)
class Fill:
    """Fill a range: one mark (or clearing) for chosen holders (None: all) from one day to another."""

    start: int
    end: int
    mark: Mark | None
    holders: frozenset[int] | None = None
    only_working: bool = True
    only_empty: bool = True


def fill(data: MonthData, typed: dict[tuple[int, int], str], spec: Fill) -> int:
    """Apply a fill to the typed cells (refused cells are skipped); returns how many cells it set."""
    grid = assemble(data, True, typed)
    working = {d.day.day: d.working for d in data.days}
    count = 0
    for row in grid.rows:
        if spec.holders is not None and row.id not in spec.holders:
            continue
        for cell in row.cells:
            dom = cell.day.day
            if not spec.start <= dom <= spec.end or cell.refusal is not None:
                continue
            if (spec.only_working and not working[dom]) or (spec.only_empty and cell.value):
                continue
            value = alabels.symbol(spec.mark) if spec.mark is not None else ""
            if cell.value != value:
                typed[(row.id, dom)] = value
                count += 1
    return count
