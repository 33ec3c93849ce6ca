"""Ledger workbooks for the tests, built with openpyxl the way a village clerk's Excel would save them."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook, load_workbook

from portal.registry.rules import with_check_digit

HEADERS = ["户编号", "户类别", "监测户类型", "风险已消除", "家庭住址", "姓名", "身份证号", "与户主关系", "劳动能力",
           "是否残疾", "残疾等级", "联系电话", "开户银行", "银行账号", "就业状态", "月务工收入(元)", "培训意愿",
           "外出务工意愿", "村干部", "已故", "备注"]


def resident_id(i: int) -> str:
    """A valid, fictional ID per i (born 1980-1999; never one of the world's people, born 1970-1972)."""
    return with_check_digit(f"422825{1980 + (i // 1000) % 20}{1 + i % 12:02d}01{i % 1000:03d}")


def phone(i: int) -> str:
    return f"139{i:08d}"


def account(i: int) -> str:
    return f"62258800{i:08d}"


def person(i: int, household: str | None = None, **changes) -> dict:
    """One valid row: households of three people, every third one heads its household."""
    row = {"户编号": household or f"H{i // 3:04d}", "户类别": "脱贫户", "监测户类型": None, "风险已消除": "否",
           "家庭住址": f"一组{i // 3}号", "姓名": f"测试{i}", "身份证号": resident_id(i),
           "与户主关系": "户主" if i % 3 == 0 else "子女", "劳动能力": "全劳力", "是否残疾": "否", "残疾等级": None,
           "联系电话": phone(i), "开户银行": "农村商业银行", "银行账号": account(i),
           "就业状态": "县内务工" if i % 2 else "未就业", "月务工收入(元)": 2500 if i % 2 else 0,
           "培训意愿": "电工", "外出务工意愿": "是" if i % 4 == 0 else "否", "村干部": "否", "已故": "否", "备注": ""}
    row.update(changes)
    return row


def workbook(rows: list[dict], headers: list[str] = HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "台账"
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def people(n: int, start: int = 0) -> list[dict]:
    return [person(i) for i in range(start, start + n)]


def all_cells(data: bytes) -> list[str]:
    """Every cell of every sheet as text, to scan an export for personal data."""
    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                if v is not None]
    finally:
        wb.close()


def rows_of(data: bytes, sheet: int = 0) -> list[tuple]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return [tuple(r) for r in wb.worksheets[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def damaged(data: bytes) -> bytes:
    """The workbook with its sheet cut in half, as an interrupted download leaves it."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in src.namelist():
            body = src.read(name)
            z.writestr(name, body[: len(body) // 2] if name.startswith("xl/worksheets/") else body)
    return out.getvalue()


def zip_of_text() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "not a workbook")
    return out.getvalue()
