"""A look at an uploaded .xlsx before any reader touches its cells: hostile files are refused, cheaply.

An .xlsx is a zip of XML parts. A reader that trusts it can be made to allocate memory for a sheet's whole
bounding box (one cell at A1 and one at XFD1048576, in a 1.8 KB file), to inflate a zip bomb, or to expand
XML entities. check_xlsx() opens the zip's directory and streams each part through a byte scan, never
building a cell: it refuses what is not an Office Open XML workbook (another file renamed .xlsx, an old
.xls, an encrypted workbook, which Office stores as an OLE compound file), a part that inflates beyond the
limits or at a zip bomb's ratio, XML with a DTD, and a sheet whose declared dimension or any cell or row
reference lies beyond the allowed rows and columns. Pure: the standard library and defusedxml only; the
caller turns a refusal's code into a message.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted OOXML workbook, or an .xls of Excel 97-2003
MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CHUNK = 1 << 20
# A cell reference (r="B7") or a row number (r="7"): the attribute is always ` r="…"` (never `r:id`).
REF_RE = re.compile(rb'\sr="([A-Za-z]{0,4})([0-9]{1,12})"')
DIMENSION_RE = re.compile(
    rb'<(?:\w+:)?dimension\s+ref="([A-Za-z]{0,4})([0-9]{0,12})(?::([A-Za-z]{0,4})([0-9]{0,12}))?"')
DTD_RE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    max_rows: int = 100_010  # a ledger's rows plus a few title rows above the header
    max_cols: int = 100  # the ledger has 22 columns; Excel allows 16 384
    max_part_bytes: int = 256 * 1024 * 1024  # one part, inflated
    max_total_bytes: int = 512 * 1024 * 1024  # all parts, inflated
    max_ratio: int = 200  # inflated / compressed for a part over 1 MB: a zip bomb's ratio is in the thousands
    max_parts: int = 2_000


class UnsafeWorkbook(ValueError):
    """A file refused before reading; `code` names why (the caller words it), `detail` adds a figure."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


def column_number(letters: bytes | str) -> int:
    """A column's letters as its number: A is 1, XFD is 16 384."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def check_xlsx(data: bytes, limits: Limits = Limits()) -> None:
    """Refuse a hostile or foreign file before any cell is read (raises UnsafeWorkbook)."""
    if not data:
        raise UnsafeWorkbook("empty")
    if data.startswith(OLE_MAGIC):
        raise UnsafeWorkbook("encrypted_or_xls")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnsafeWorkbook("not_xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            _check_directory(infos, limits)
            _check_content_types(zf)
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    _scan_part(zf, info, limits, sheet=info.filename.startswith("xl/worksheets/"))
    except UnsafeWorkbook:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError,
            NotImplementedError, RuntimeError) as exc:  # a damaged zip shows while reading a part
        raise UnsafeWorkbook("damaged") from exc


def _check_directory(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(infos) > limits.max_parts:
        raise UnsafeWorkbook("too_many_parts", str(len(infos)))
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnsafeWorkbook("encrypted_or_xls")
    total = 0
    for info in infos:
        if info.file_size > limits.max_part_bytes:
            raise UnsafeWorkbook("bomb")
        if info.file_size > CHUNK and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafeWorkbook("bomb")
        total += info.file_size
    if total > limits.max_total_bytes:
        raise UnsafeWorkbook("bomb")


def _check_content_types(zf: zipfile.ZipFile) -> None:
    names = set(zf.namelist())
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnsafeWorkbook("not_xlsx")
    info = zf.getinfo("[Content_Types].xml")
    if info.file_size > CHUNK:
        raise UnsafeWorkbook("bomb")
    try:
        root = SafeET.fromstring(zf.read(info))
    except (DefusedXmlException, SafeET.ParseError) as exc:
        raise UnsafeWorkbook("damaged") from exc
    types = {el.get("ContentType", "") for el in root.iter() if el.get("PartName") == "/xl/workbook.xml"}
    if MACRO_TYPE in types:
        raise UnsafeWorkbook("macros")
    if not types & MAIN_TYPES:
        raise UnsafeWorkbook("not_xlsx")
    if not any(n.startswith("xl/worksheets/") and n.endswith(".xml") for n in names):
        raise UnsafeWorkbook("no_sheet")


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, *, sheet: bool) -> None:
    """Stream one XML part: no DTD anywhere; in a sheet, no dimension, row or cell beyond the limits."""
    read, tail, first = 0, b"", True
    with zf.open(info) as part:
        while chunk := part.read(CHUNK):
            read += len(chunk)
            if read > limits.max_part_bytes:
                raise UnsafeWorkbook("bomb")
            window = tail + chunk
            if (first and DTD_RE.search(window[:4096])) or DTD_RE.search(window):
                raise UnsafeWorkbook("dtd")
            if sheet:
                if first and (m := DIMENSION_RE.search(window)):
                    _within(m.group(3) or m.group(1), m.group(4) or m.group(2), limits)
                for m in _suspects(limits).finditer(window):
                    _within(m.group(1) or m.group(3), m.group(2) or m.group(4), limits)
            first = False
            tail = window[-64:]


@lru_cache(maxsize=8)
def _suspects(limits: Limits) -> re.Pattern:
    """REF_RE narrowed to the references that could lie beyond the limits, in document order: a row number with
    as many digits as the first row too far, or as many column letters as the first column too far. A sheet of
    20 000 rows holds 450 000 references; checking each in Python took longer than reading the cells."""
    digits = len(str(limits.max_rows + 1))
    letters = next(n for n in range(1, 5) if n == 4 or column_number("Z" * n) > limits.max_cols)
    return re.compile(rb'\sr="(?:([A-Za-z]{0,4})([0-9]{%d,12})|([A-Za-z]{%d,4})([0-9]{1,12}))"' % (digits, letters))


def _within(letters: bytes, digits: bytes, limits: Limits) -> None:
    if digits and int(digits) > limits.max_rows:
        raise UnsafeWorkbook("too_many_rows", str(limits.max_rows))
    if letters and (len(letters) > 3 or column_number(letters) > limits.max_cols):
        raise UnsafeWorkbook("too_many_columns", str(limits.max_cols))
