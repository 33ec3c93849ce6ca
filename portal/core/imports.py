"""Shared shape of file imports: every bad row reported, nothing written until the file is clean."""

from __future__ import annotations

import csv
import gc
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from portal.core.errors import DomainError


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk load. Reading and checking 20 000 rows makes hundreds of
    thousands of objects that all stay alive until the end, and the collector scanned them again and again (a
    third of the parse). Reference counting still frees everything else; cycles wait for the next collection."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@dataclass(frozen=True)
class RowError:
    row: int  # the row number as the user sees it in the file (header is row 1)
    column: str
    reason: str


class ImportRejected(DomainError):
    """The file has bad rows; none of it was written."""

    code = "import_rejected"
    http_status = 422

    def __init__(self, message: str, errors: list[RowError]):
        super().__init__(message)
        self.errors = errors


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class UnreadableFile(DomainError):
    code = "unreadable_file"
    http_status = 400


def decode_text(data: bytes) -> str:
    """CSV text as saved by Excel in China: UTF-8 (with or without BOM) or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("csv", data, 0, 1, "neither UTF-8 nor GB18030")


def read_csv_rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (row number, cells) pairs; blank lines skipped; row numbers as Excel shows them."""
    text = decode_text(data)
    if "\x00" in text:
        raise ValueError("binary content")
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        return [], []
    header = [h.strip() for h in rows[0]]
    body = [(i + 2, [c.strip() for c in r]) for i, r in enumerate(rows[1:]) if any(c.strip() for c in r)]
    return header, body
