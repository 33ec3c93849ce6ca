"""The village ledger in Excel: every row checked before anything is written, re-import is a no-op."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, update

from portal.accounts.models import User
from portal.core.auditlog import AuditEntry, verify_chain
from portal.core.errors import NotAllowed
from portal.core.imports import ImportRejected, UnreadableFile
from portal.core.masking import mask_id
from portal.extensions import db
from portal.registry.labels import problem_text
from portal.registry.ledger import service as ledger
from portal.registry.models import Household, Person
from portal.registry.rules import Problem
from tests.ledger_files import HEADERS, account, damaged, people, person, phone, resident_id, workbook, zip_of_text


def resident_sex(i: int) -> str:
    return "M" if int(resident_id(i)[16]) % 2 else "F"


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def counts() -> tuple[int, int, int]:
    return (db.session.scalar(select(func.count(Household.id))), db.session.scalar(select(func.count(Person.id))),
            db.session.scalar(select(func.count(AuditEntry.seq))))


def run(username: str, village_id: int, rows: list[dict]):
    return ledger.import_ledger(user(username), village_id, ledger.parse_ledger(workbook(rows)))


def rejected(username: str, village_id: int, rows: list[dict]) -> list[tuple[int, str, str]]:
    with pytest.raises(ImportRejected) as info:
        run(username, village_id, rows)
    db.session.rollback()
    return [(e.row, e.column, e.reason) for e in info.value.errors]


def test_a_clean_file_imports_in_one_go_and_a_second_import_changes_nothing(world, ctx):
    before = counts()
    report = run("clerk", world.ids["a1a"], people(30))
    assert (report.created, report.updated, report.unchanged) == (30, 0, 0)
    after = counts()
    assert after[:2] == (before[0] + 10, before[1] + 30)
    assert after[2] == before[2] + 10 + 1  # one row per household, its people on it, and the import itself
    p = db.session.execute(select(Person).where(Person.id_number == resident_id(1))).scalar_one()
    assert (p.household.number, p.household.category, p.employment_status, p.monthly_income) == (
        "H0000", "lifted", "in_county", Decimal("2500.00"))
    assert (p.birth_date, p.sex, p.village_id) == (date(1980, 2, 1), resident_sex(1), world.ids["a1a"])
    report = run("clerk", world.ids["a1a"], people(30))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 30)
    assert counts() == after
    assert verify_chain().ok


def test_changed_fields_are_updated_and_audited_masked(world, ctx):
    run("clerk", world.ids["a1a"], people(6))
    rows = people(6)
    rows[4]["联系电话"] = "13700001111"
    for r in rows[3:6]:
        r["户类别"], r["监测户类型"] = "监测户", "边缘易致贫户"
    seq = counts()[2]
    report = run("clerk", world.ids["a1a"], rows)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)
    assert db.session.scalar(select(Household.category).where(Household.number == "H0001")) == "monitored"
    new = db.session.execute(select(AuditEntry).where(AuditEntry.seq > seq).order_by(AuditEntry.seq)).scalars().all()
    assert [(e.action, e.entity_type) for e in new] == [("update", "household"), ("import_ledger", "village")]
    assert '"category":"monitored"' in new[0].after  # the household's change and its member's, on one row
    assert "13700001111" not in new[0].after and "137****1111" in new[0].after


def test_a_500_row_file_with_one_bad_row_writes_nothing_and_names_that_row(world, ctx):
    rows = people(500)
    rows[249]["身份证号"] = resident_id(249)[:17] + ("0" if resident_id(249)[17] != "0" else "1")
    before = counts()
    errors = rejected("clerk", world.ids["a1a"], rows)
    assert errors == [(251, "身份证号", problem_text(Problem("id_number", "id_checksum")))]
    assert counts() == before


@pytest.mark.parametrize("changes, column, reason", [
    ({"身份证号": float(resident_id(0))}, "身份证号", "id_as_number"),
    ({"身份证号": int(resident_id(1)[:17])}, "身份证号", "id_as_number"),
    ({"身份证号": mask_id(resident_id(0))}, "身份证号", "masked"),
    ({"银行账号": 6225880012345678}, "银行账号", "account_as_number"),
    ({"户类别": "贫困户"}, "户类别", Problem("category", "unknown_category")),
    ({"户类别": "监测户"}, "监测户类型", Problem("monitored_subtype", "subtype_required")),
    ({"监测户类型": "边缘易致贫户"}, "监测户类型", Problem("x", "subtype_only_for_monitored")),
    ({"户编号": None}, "户编号", Problem("number", "required")),
    ({"户编号": "H 01"}, "户编号", Problem("number", "household_number")),
    ({"姓名": "名" * 41}, "姓名", Problem("name", "too_long", (("max", "40"),))),
    ({"劳动能力": "强劳力"}, "劳动能力", Problem("x", "unknown_choice")),
    ({"是否残疾": "是", "残疾等级": 5}, "残疾等级", Problem("x", "grade_range")),
    ({"残疾等级": 2}, "残疾等级", Problem("x", "grade_without_disability")),
    ({"是否残疾": "也许"}, "是否残疾", "yes_no"),
    ({"月务工收入(元)": Decimal("1000000.01")}, "月务工收入(元)", Problem("x", "income_range")),
    ({"月务工收入(元)": "2500.123"}, "月务工收入(元)", Problem("x", "income_range")),
    ({"月务工收入(元)": "两千"}, "月务工收入(元)", "money"),
    ({"联系电话": "1381234567"}, "联系电话", Problem("x", "phone_format")),
    ({"开户银行": ""}, "开户银行", Problem("x", "bank_name_required")),
])
def test_each_bad_cell_is_refused_with_its_column(world, ctx, changes, column, reason):
    errors = rejected("clerk", world.ids["a1a"], [person(0), person(3, **changes)])  # 3 heads its own household
    assert [(row, col) for row, col, _ in errors] == [(3, column)]
    expected = str(ledger.CELL_PROBLEMS[reason]) if isinstance(reason, str) else problem_text(reason)
    assert errors[0][2].startswith(expected)


@pytest.mark.parametrize("changes", [
    {"姓名": "名" * 40}, {"是否残疾": "是", "残疾等级": 4}, {"是否残疾": "是", "残疾等级": "一级"},
    {"月务工收入(元)": Decimal("1000000")}, {"月务工收入(元)": "2,500.50"}, {"联系电话": "0718-1234567"},
    {"户类别": "low_income"}, {"户类别": "低保户"}, {"与户主关系": "妻子"}, {"联系电话": 13812345678},
])
def test_values_at_the_edge_of_the_rules_are_accepted(world, ctx, changes):
    report = run("clerk", world.ids["a1a"], [person(0), person(3, **changes)])
    assert report.created == 2


def test_a_duplicate_id_in_the_file_names_both_rows(world, ctx):
    errors = rejected("clerk", world.ids["a1a"], [person(0), person(1), person(2, 身份证号=resident_id(0))])
    assert [(row, col) for row, col, _ in errors] == [(2, "身份证号"), (4, "身份证号")]
    assert "4" in errors[0][2] and "2" in errors[1][2]


def test_an_id_registered_in_another_village_or_household_is_refused_with_where(world, ctx):
    run("clerk_b", world.ids["a1b"], [person(5)])
    run("clerk", world.ids["a1a"], [person(7)])
    errors = rejected("clerk", world.ids["a1a"], [person(0), person(5), person(7, household="H0009")])
    assert [(row, col) for row, col, _ in errors] == [(3, "身份证号"), (4, "身份证号")]
    assert "石门村" in errors[0][2] and mask_id(resident_id(5)) in errors[0][2]
    assert resident_id(5) not in errors[0][2] and "H0001" not in errors[0][2]
    assert "青竹村" in errors[1][2] and "H0002" in errors[1][2]


def test_rows_of_one_household_must_agree(world, ctx):
    errors = rejected("clerk", world.ids["a1a"], [person(0), person(1, 户类别="一般户"), person(2, 家庭住址="别处")])
    assert [(row, col) for row, col, _ in errors] == [(3, "户类别"), (4, "家庭住址")]
    assert "H0000" in errors[0][2] and "2" in errors[0][2]


def test_a_refused_household_cell_is_not_also_reported_as_a_disagreement(world, ctx):
    rows = [person(0), person(1, 户类别="贫困户"), person(2), person(3, 户类别="贫困户"), person(4), person(5)]
    errors = rejected("clerk", world.ids["a1a"], rows)
    assert [(row, col) for row, col, _ in errors] == [(3, "户类别"), (5, "户类别")]


def test_every_bad_row_is_reported_at_once(world, ctx):
    rows = [person(0, 身份证号="123"), person(1, 户类别="?"), person(2), person(3, 劳动能力="")]
    assert sorted({row for row, _c, _r in rejected("clerk", world.ids["a1a"], rows)}) == [2, 3, 5]


def test_missing_columns_are_named(world, ctx):
    data = workbook([person(0)], headers=[h for h in HEADERS if h not in ("身份证号", "就业状态")])
    with pytest.raises(ImportRejected) as info:
        ledger.parse_ledger(data)
    assert [(e.row, e.column) for e in info.value.errors] == [(1, "身份证号"), (1, "就业状态")]


def test_a_title_line_extra_columns_and_blank_rows_are_tolerated(world, ctx):
    wb = Workbook()
    ws = wb.active
    ws.append(["青竹村脱贫劳动力台账"])
    ws.append(["序号", *HEADERS])
    ws.append([1, *[person(0)[h] for h in HEADERS]])
    ws.append([])
    ws.append([2, *[person(1)[h] for h in HEADERS]])
    buf = io.BytesIO()
    wb.save(buf)
    rows = ledger.parse_ledger(buf.getvalue())
    assert [r.row for r in rows] == [3, 5] and rows[1].person.id_number == resident_id(1)


@pytest.mark.parametrize("data", [b"", b"not a spreadsheet", b"PK\x03\x04 broken zip", "区划代码,名称\n".encode(),
                                  zip_of_text(), damaged(workbook(people(50)))])
def test_a_file_that_is_not_excel_is_refused_cleanly(world, ctx, data):
    with pytest.raises(UnreadableFile):
        ledger.parse_ledger(data)


def test_an_empty_ledger_is_refused(world, ctx):
    with pytest.raises(UnreadableFile):
        ledger.import_ledger(user("clerk"), world.ids["a1a"], ledger.parse_ledger(workbook([])))


@pytest.mark.parametrize("username, village", [
    ("clerk_b", "a1a"), ("reviewer", "a1a"), ("auditor", "a1a"), ("admin_b", "a1a"), ("admin", "b1a")])
def test_only_the_village_clerk_or_the_county_admin_may_import(world, ctx, username, village):
    before = counts()
    with pytest.raises(NotAllowed):
        run(username, world.ids[village], people(3))
    assert counts() == before


def test_the_county_admin_imports_into_any_village_of_the_county(world, ctx):
    assert run("admin", world.ids["a2a"], people(3)).created == 3
    ids = [resident_id(i) for i in range(3)]
    assert set(db.session.execute(select(Person.village_id).where(Person.id_number.in_(ids))).scalars()) == {
        world.ids["a2a"]}


def test_an_unmasked_export_re_imports_as_a_no_op(world, ctx):
    # The world's household numbers (H-p_a1a) contain "_", which the household rule refuses; make it valid.
    db.session.execute(update(Household).where(Household.number == "H-p_a1a").values(number="H-pa1a"))
    db.session.commit()
    odd = person(20, 是否残疾="是", 残疾等级=2, 备注="多行\n备注", 户类别="监测户", 监测户类型="突发严重困难户",
                 户编号="M1")
    run("clerk", world.ids["a1a"], [*people(12), odd])
    data = ledger.export_register(user("clerk"), unmasked=True)
    before = counts()
    report = ledger.import_ledger(user("clerk"), world.ids["a1a"], ledger.parse_ledger(data))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 14)
    assert counts() == before


def test_a_masked_export_cannot_be_imported_back(world, ctx):
    run("clerk", world.ids["a1a"], people(3))
    data = ledger.export_register(user("clerk"), village_id=world.ids["a1a"])
    with pytest.raises(ImportRejected) as info:
        ledger.import_ledger(user("clerk"), world.ids["a1a"], ledger.parse_ledger(data))
    # Recognised as the masked export: one message naming the file to use, not a cell error per masked value.
    assert info.value.errors == [] and "导出完整台账（记入审计）" in info.value.message


def test_import_progress_counts_every_row_twice(world, ctx):
    seen = []
    ledger.import_ledger(user("clerk"), world.ids["a1a"], ledger.parse_ledger(workbook(people(1500))), seen.append)
    assert sum(seen) == 3000


def test_the_import_names_numbers_and_accounts_by_their_cells(world, ctx):
    run("clerk", world.ids["a1a"], [person(0, 户编号=17, 联系电话=phone(0), 银行账号=account(0))])
    p = db.session.execute(select(Person).where(Person.id_number == resident_id(0))).scalar_one()
    assert (p.household.number, p.phone, p.bank_account) == ("17", phone(0), account(0))
