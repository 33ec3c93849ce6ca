"""A corpus of hostile upload files, generated (none is committed): each is small on disk, most are poison inside.

hostile_xlsx() -> {name: bytes} for the ledger import; hostile_csv() -> {name: bytes} for the place import.
"""

from __future__ import annotations

import io
import struct
import zipfile
from functools import cache

from tests.ledger_files import HEADERS, people, workbook

CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
      '<Default Extension="xml" ContentType="application/xml"/>'
      '<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
      '<Override PartName="/xl/worksheets/sheet1.xml" '
      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
        'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>')
WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook '
      'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
      '<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
           'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
           'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
           'Target="worksheets/sheet1.xml"/></Relationships>')
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _sheet(rows_xml: str, dimension: str | None = None, prolog: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {NS}>{dim}<sheetData>{rows_xml}'
            "</sheetData></worksheet>")


def _cell(ref: str, text: str = "x") -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def raw_xlsx(sheet: str | bytes, *, main: str = MAIN, extra: dict | None = None, drop: tuple = (),
             compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal workbook written part by part, so any part can be made hostile."""
    parts = {"[Content_Types].xml": CT.replace("{main}", main), "_rels/.rels": RELS, "xl/workbook.xml": WB,
             "xl/_rels/workbook.xml.rels": WB_RELS, "xl/worksheets/sheet1.xml": sheet, **(extra or {})}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in parts.items():
            if name not in drop:
                zf.writestr(name, content)
    return buf.getvalue()


def _header_row() -> str:
    return '<row r="1">' + "".join(_cell(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADERS[:21])) + "</row>"


def _encrypted_flag(data: bytes) -> bytes:
    """The same zip with every entry's 'encrypted' flag set (what a password-protected zip looks like)."""
    out = bytearray(data)
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        start = 0
        while (i := out.find(sig, start)) != -1:
            offset = i + (6 if sig == b"PK\x03\x04" else 8)
            flags = struct.unpack_from("<H", out, offset)[0]
            struct.pack_into("<H", out, offset, flags | 0x1)
            start = i + 4
    return bytes(out)


@cache
def hostile_xlsx() -> dict[str, bytes]:
    """At least thirty ledger uploads that must be refused with a message, nothing written, no worker harmed."""
    good = workbook(people(3))
    bomb_text = " " * (40 * 1024 * 1024)
    files: dict[str, bytes] = {
        "bounding_box_A1_XFD1048576": raw_xlsx(_sheet('<row r="1">' + _cell("A1") + '</row><row r="1048576">'
                                                     + _cell("XFD1048576") + "</row>")),
        "declared_dimension_whole_sheet": raw_xlsx(_sheet(_header_row(), "A1:XFD1048576")),
        "declared_dimension_rows": raw_xlsx(_sheet(_header_row(), "A1:U5000000")),
        "declared_dimension_columns": raw_xlsx(_sheet(_header_row(), "A1:ZZZ2")),
        "cell_in_last_row": raw_xlsx(_sheet(_header_row() + '<row r="1048576">' + _cell("A1048576") + "</row>")),
        "cell_in_last_column": raw_xlsx(_sheet(_header_row() + '<row r="2">' + _cell("XFD2") + "</row>")),
        "row_number_beyond_excel": raw_xlsx(_sheet(_header_row() + '<row r="99999999999"></row>')),
        "cell_reference_beyond_excel": raw_xlsx(_sheet(_header_row() + '<row r="3">' + _cell("AAAA3") + "</row>")),
        "thousands_of_columns": raw_xlsx(_sheet('<row r="1">' + "".join(
            _cell(f"{_letters(i)}1", "h") for i in range(1, 3001)) + "</row>")),
        "two_hundred_thousand_rows": raw_xlsx(_sheet("".join(
            f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>' for i in range(1, 200_002, 1000))
            + '<row r="200001"><c r="A200001"><v>1</v></c></row>')),
        "zip_bomb_sheet": raw_xlsx(_sheet(_header_row() + bomb_text)),
        "zip_bomb_shared_strings": raw_xlsx(_sheet(_header_row()), extra={"xl/sharedStrings.xml": (
            f'<?xml version="1.0"?><sst {NS}><si><t>' + bomb_text + "</t></si></sst>")}),
        "zip_bomb_stray_part": raw_xlsx(_sheet(_header_row()), extra={"xl/media/padding.xml": bomb_text}),
        "many_parts": raw_xlsx(_sheet(_header_row()), extra={f"xl/extra/{i}.xml": "<a/>" for i in range(2500)}),
        "billion_laughs_sheet": raw_xlsx(_sheet(_header_row(), prolog=(
            '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'))),
        "external_entity_shared_strings": raw_xlsx(_sheet(_header_row()), extra={"xl/sharedStrings.xml": (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            f"<sst {NS}><si><t>&e;</t></si></sst>")}),
        "doctype_in_content_types": _with_part(good, "[Content_Types].xml", (
            '<?xml version="1.0"?><!DOCTYPE Types [<!ENTITY a "b">]>' + CT.replace("{main}", MAIN).split("?>", 1)[1])),
        "encrypted_ole_container": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024,
        "old_xls_biff": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 2000,
        "zip_entries_encrypted": _encrypted_flag(good),
        "macro_enabled_workbook": raw_xlsx(_sheet(_header_row()), main="application/vnd.ms-excel.sheet."
                                                                        "macroEnabled.main+xml"),
        "empty_file": b"",
        "random_bytes": bytes(range(256)) * 16,
        "pdf_renamed": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        "csv_renamed": "户编号,姓名\nH1,张三\n".encode(),
        "png_renamed": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        "plain_zip_of_text": _zip({"readme.txt": "hello"}),
        "docx_renamed": _zip({"[Content_Types].xml": CT.replace("{main}", "application/vnd.openxmlformats-"
                                                                "officedocument.wordprocessingml.document.main+xml"),
                              "word/document.xml": "<w/>"}),
        "workbook_without_sheets": raw_xlsx(_sheet(""), drop=("xl/worksheets/sheet1.xml",)),
        "no_content_types": raw_xlsx(_sheet(_header_row()), drop=("[Content_Types].xml",)),
        "truncated_zip": good[: len(good) // 2],
        "zip_with_garbage_part": _with_part(good, "xl/worksheets/sheet1.xml", b"\x00\xff<not xml" * 10),
        "broken_xml_sheet": raw_xlsx(f"<worksheet {NS}><sheetData><row r=\"1\"><c r=\"A1\"".encode()),
        "nested_xlsx_in_zip": _zip({"ledger.xlsx": good}),
        "stored_not_deflated_bounding_box": raw_xlsx(_sheet('<row r="1">' + _cell("A1") + '</row><row r="1048576">'
                                                           + _cell("XFD1048576") + "</row>"),
                                                    compression=zipfile.ZIP_STORED),
    }
    return files


def _letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _zip(parts: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in parts.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _with_part(data: bytes, name: str, content) -> bytes:
    """A copy of a workbook with one part replaced."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        parts = {n: src.read(n) for n in src.namelist()}
    parts[name] = content
    return _zip(parts)


@cache
def hostile_csv() -> dict[str, bytes]:
    """Place-import uploads that must be refused with a message."""
    return {
        "csv_binary_nul": b"code,name\n\x00\x00\x00\n",
        "csv_not_text": bytes(range(256)) * 8,
        "csv_huge_field": b"code,name\n422825101000," + b"x" * 300_000 + b"\n",
        "csv_thousands_of_columns": b",".join([b"c"] * 5000) + b"\n" + b",".join([b"1"] * 5000) + b"\n",
        "csv_xlsx_sent_as_csv": workbook(people(1)),
        "csv_control_characters": "区划代码,名称\n422825101000,白\x07石\x1b镇\n".encode(),
    }
