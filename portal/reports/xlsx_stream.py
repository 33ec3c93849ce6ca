"""Big Excel exports written as they stream (XlsxWriter in constant-memory mode): each row goes to disk as it comes.

openpyxl builds its XML in pure Python, about three times slower for the county's 20 000-person register. Here
no text is ever turned into a formula, a link or a number by the writer, and every text value is neutralised
(cells.py) as it is written, so a value typed by a clerk cannot run in the township's copy.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import xlsxwriter

from portal.reports.cells import neutralise

OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
           "strings_to_numbers": False}
HEADER = {"bold": True, "bg_color": "#DDEBF7", "pattern": 1}
TITLE = {"bold": True, "font_size": 14}


@dataclass(frozen=True)
class Sheet:
    """One sheet's layout: its name, header row, column widths, the columns kept as text, an optional title."""

    name: str
    headers: Sequence[str]
    widths: Sequence[float]
    text_columns: frozenset[int] = frozenset()
    title: str | None = None


def streamed_xlsx(sheet: Sheet, rows: Iterable[Sequence]) -> bytes:
    """A one-sheet workbook: the title (if any), the bold header row frozen above the rows, the rows as given
    (text neutralised, numbers typed, None empty). Columns in `text_columns` are text-formatted, so an ID typed
    into them later stays 18 digits."""
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, OPTIONS)
    ws = wb.add_worksheet(sheet.name[:31])
    text = wb.add_format({"num_format": "@"})
    for i, width in enumerate(sheet.widths):
        ws.set_column(i, i, width, text if i in sheet.text_columns else None)
    first = 0
    if sheet.title is not None:
        ws.write_string(0, 0, neutralise(sheet.title), wb.add_format(TITLE))
        first = 1
    ws.freeze_panes(first + 1, 0)
    ws.write_row(first, 0, [neutralise(h) for h in sheet.headers], wb.add_format(HEADER))
    write_row = ws.write_row
    for r, row in enumerate(rows, start=first + 1):
        write_row(r, 0, [neutralise(v) for v in row])
    wb.close()
    return out.getvalue()
