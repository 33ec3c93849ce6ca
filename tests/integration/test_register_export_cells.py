"""The register export (streamed by XlsxWriter) read back with openpyxl: every value, the masking, no formula."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.core.masking import mask_account, mask_id, mask_phone
from portal.extensions import db
from portal.registry.ledger import service as ledger
from portal.registry.models import Person
from tests.ledger_files import HEADERS, account, people, phone, resident_id, workbook

EVIL = '=HYPERLINK("http://evil.example/x","点")'
MONITORED = {"户类别": "监测户", "监测户类型": "边缘易致贫户"}


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def sheet_of(data: bytes):
    wb = load_workbook(io.BytesIO(data))  # not read-only: formats and formulas are looked at too
    return wb, wb["台账"]


def load(world) -> None:
    rows = people(6)
    rows[1]["备注"] = "+86 1"
    rows[2]["培训意愿"] = "-3"
    for row in rows[3:6]:  # household H0001
        row.update(MONITORED)
    rows[3].update({"是否残疾": "是", "残疾等级": 2, "月务工收入(元)": 2500.5})
    rows[5].update({"联系电话": None, "银行账号": None, "开户银行": None})
    ledger.import_ledger(user("clerk"), world.ids["a1a"], ledger.parse_ledger(workbook(rows)))
    # a formula typed on the person page (a workbook would hold it as a formula, not as text)
    db.session.execute(update(Person).where(Person.id_number == resident_id(0)).values(name=EVIL))
    db.session.commit()


def test_every_cell_reads_back_as_the_register_holds_it_masked(world, ctx):
    load(world)
    wb, ws = sheet_of(ledger.export_register(user("clerk")))
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == [*HEADERS, "行政村"]
    mine = {r[6]: r for r in rows[1:] if r[6] and r[6].startswith(mask_id(resident_id(0))[:4]) and r[0] in (
        "H0000", "H0001")}
    assert len(mine) == 6
    fourth = mine[mask_id(resident_id(3))]
    assert fourth == ["H0001", "监测户", "边缘易致贫户", "否", "一组1号", "测试3", mask_id(resident_id(3)), "户主",
                      "全劳力", "是", 2, mask_phone(phone(3)), "农村商业银行", mask_account(account(3)), "县内务工",
                      2500.5, "电工", "否", "否", "否", None, "青竹村"]
    sixth = mine[mask_id(resident_id(5))]
    assert (sixth[11], sixth[12], sixth[13], sixth[15]) == (None, None, None, 2500)  # empty stays empty
    assert mine[mask_id(resident_id(0))][5] == "'" + EVIL  # a formula's text, never a formula
    assert mine[mask_id(resident_id(1))][20] == "'+86 1"
    assert mine[mask_id(resident_id(2))][16] == "'-3"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    wb.close()


def test_the_layout_keeps_ids_as_text_and_the_header_frozen(world, ctx):
    load(world)
    wb, ws = sheet_of(ledger.export_register(user("admin"), unmasked=True))
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b and ws["G1"].value == "身份证号"
    assert ws.column_dimensions["G"].width > 18
    ids = {c.value for c in ws["G"][1:]}
    assert {resident_id(i) for i in range(6)} <= ids  # in full for the admin: 18 digits, as text
    assert all(isinstance(v, str) for v in ids)
    wb.close()


def test_a_full_export_re_imports_unchanged(world, ctx):
    load(world)
    data = ledger.export_register(user("clerk"), village_id=world.ids["a1a"], unmasked=True)
    report = ledger.import_ledger(user("clerk"), world.ids["a1a"], ledger.parse_ledger(data))
    assert report.created == report.updated == 0 and report.unchanged >= 6
    incomes = {r.person.name: r.person.monthly_income for r in ledger.parse_ledger(data)}
    assert incomes["测试3"] == Decimal("2500.5") and incomes["测试2"] == 0
