"""Text cells that a spreadsheet cannot run: every Excel and CSV file the portal writes goes through here.

A clerk types names, bank names and notes; a value such as `=HYPERLINK("http://…","点")` or `=1+1` would
become a live formula in the township's copy of the bank file (CSV injection, OWASP). A text value that
starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading apostrophe: it stays readable and
is shown as text by Excel, WPS and LibreOffice, and editing the cell does not bring the formula back.
Numbers, amounts and dates are not text and stay typed. The ledger import takes the apostrophe off again
(restore), so an exported ledger re-imports unchanged. Pure functions, except workbook_bytes (openpyxl).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(value: Any) -> Any:
    """A text value that a spreadsheet would read as a formula, prefixed with an apostrophe; others unchanged."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return QUOTE + value
    return value


def restore(text: str) -> str:
    """The value neutralise() was given: an apostrophe before a formula character is taken off."""
    if text.startswith(QUOTE) and text[1:2] and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text


def safe_row(values: Iterable[Any]) -> list[Any]:
    """A row for csv.writer or a worksheet's append(): every text value neutralised (openpyxl cells too)."""
    out = []
    for value in values:
        if hasattr(value, "value") and hasattr(value, "coordinate"):  # an openpyxl (write-only) cell
            value.value = neutralise(value.value)
            out.append(value)
        else:
            out.append(neutralise(value))
    return out


def workbook_bytes(wb) -> bytes:
    """Save an openpyxl workbook after neutralising every text cell of every sheet (write-only sheets neutralise
    their rows with safe_row as they are appended, since they cannot be read back)."""
    if not getattr(wb, "write_only", False):
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str):
                        cell.value = neutralise(cell.value)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
