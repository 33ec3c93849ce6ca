"""Ledger exports: masked by default for every role, full only for who may reveal (audited); the two lists;
the import template; the registry-import command."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.accounts.models import User
from portal.core.auditlog import AuditEntry
from portal.core.errors import NotAllowed
from portal.core.i18n import month_label
from portal.extensions import db
from portal.registry.ledger import service as ledger
from portal.registry.ledger.export import county_today
from portal.registry.models import Person
from tests.ledger_files import HEADERS, account, all_cells, people, person, phone, resident_id, rows_of, workbook


def user(name: str) -> User:
    return db.session.execute(select(User).where(User.username == name)).scalar_one()


def load(world) -> None:
    """Ten people in each of 青竹村 (a1a, clerk) and 柳岸村 (a2a, township A2), imported by their keepers."""
    ledger.import_ledger(user("clerk"), world.ids["a1a"], ledger.parse_ledger(workbook(people(10))))
    ledger.import_ledger(user("admin"), world.ids["a2a"], ledger.parse_ledger(workbook(people(10, start=100))))


def secrets_of(indexes) -> set[str]:
    return {f(i) for i in indexes for f in (resident_id, phone, account)}


def audit_rows(action: str) -> int:
    return db.session.scalar(select(func.count(AuditEntry.seq)).where(AuditEntry.action == action))


@pytest.mark.parametrize("username", ["auditor", "reviewer", "clerk", "admin"])
def test_a_masked_export_holds_no_full_id_account_or_phone(world, ctx, username):
    load(world)
    everyone = set(db.session.execute(select(Person.id_number)).scalars()) | secrets_of(
        [*range(10), *range(100, 110)])
    cells = all_cells(ledger.export_register(user(username)))
    assert not [c for c in cells if any(s in c for s in everyone)]
    assert audit_rows("export_unmasked") == 0


def test_each_role_exports_its_own_scope(world, ctx):
    load(world)
    names = {u: {r[5] for r in rows_of(ledger.export_register(user(u)))[1:]}
             for u in ("clerk", "clerk_b", "reviewer", "auditor")}
    assert names["clerk"] == {f"测试{i}" for i in range(10)} | {"测试人p_a1a"}
    assert names["clerk_b"] == {"测试人p_a1b"}
    assert names["reviewer"] == names["clerk"] | names["clerk_b"]  # township A1 only, not 柳岸村
    assert names["auditor"] == names["reviewer"] | {f"测试{i}" for i in range(100, 110)}
    assert "测试人p_b1a" not in names["auditor"]  # another county
    only_a2a = rows_of(ledger.export_register(user("auditor"), village_id=world.ids["a2a"]))
    assert {r[-1] for r in only_a2a[1:]} == {"柳岸村"} and len(only_a2a) == 11
    assert list(only_a2a[0][:21]) == HEADERS


def test_a_full_export_is_for_the_village_clerk_and_the_county_admin_and_is_audited(world, ctx):
    load(world)
    for username in ("auditor", "reviewer"):
        with pytest.raises(NotAllowed):
            ledger.export_register(user(username), unmasked=True)
    assert audit_rows("export_unmasked") == 0
    full = all_cells(ledger.export_register(user("admin"), unmasked=True))
    assert secrets_of([*range(10), *range(100, 110)]) <= set(full)
    assert audit_rows("export_unmasked") == 1
    mine = all_cells(ledger.export_register(user("clerk"), unmasked=True))
    assert secrets_of(range(10)) <= set(mine) and not secrets_of(range(100, 110)) & set(mine)
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "export_unmasked")
                               .order_by(AuditEntry.seq.desc())).scalars().first()
    assert (entry.actor_name, entry.entity_id) == ("clerk", f"village:{world.ids['a1a']}")
    assert '"people":11' in entry.after


def test_the_two_lists_hold_the_right_people_masked(world, ctx):
    rows = people(12)
    rows[1]["已故"] = "是"  # in work on paper, but deceased: on neither list
    rows[8]["已故"] = "是"  # willing and not working, but deceased
    ledger.import_ledger(user("clerk"), world.ids["a1a"], ledger.parse_ledger(workbook(rows)))
    working = rows_of(ledger.export_list(user("clerk"), "working"))
    willing = rows_of(ledger.export_list(user("clerk"), "willing"))
    month = month_label(county_today())
    for sheet in (working, willing):
        assert sheet[0][0].startswith("青竹村") and sheet[0][0].endswith(month)
    assert {r[0] for r in working[2:]} == {f"测试{i}" for i in (3, 5, 7, 9, 11)}
    assert {r[0] for r in willing[2:]} == {f"测试{i}" for i in (0, 4)}
    cells = {str(c) for r in working + willing for c in r}
    assert not secrets_of(range(12)) & cells
    assert {r[2] for r in working[2:]} >= {"H0001", "H0003"} and {r[3] for r in working[2:]} == {"青竹村"}


def test_the_template_has_the_headers_dropdowns_and_instructions(world, ctx):
    wb = load_workbook(io.BytesIO(ledger.template_workbook()))
    ws = wb["台账"]
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.freeze_panes == "A2" and ws.max_row == 1
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "脱贫户" in lists["B2"] and "边缘易致贫户" in lists["C2"] and "外出务工-省外" in lists["O2"]
    assert lists["D2"] == '"是,否"'
    assert ws.column_dimensions["G"].number_format == "@" and ws.column_dimensions["G"].width > 18
    notes = wb["填写说明"]
    assert [r[0].value for r in notes.iter_rows(min_row=2, max_row=22)] == HEADERS
    assert ledger.parse_ledger(ledger.template_workbook()) == []


def test_cli_imports_a_good_file_and_refuses_a_bad_one(world, app, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook(people(30)))
    bad.write_bytes(workbook([*people(30), person(31, 身份证号="42282519800101000")]))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["registry-import", str(bad), "--village", "422825101201", "--as", "clerk"])
    assert result.exit_code == 1 and "row 32, 身份证号" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == 3
    result = runner.invoke(args=["registry-import", str(good), "--village", "422825101201", "--as", "clerk"])
    assert result.exit_code == 0 and "created 30, updated 0, unchanged 0" in result.output
    result = runner.invoke(args=["registry-import", str(good), "--village", "422825101201"])  # as admin
    assert result.exit_code == 0 and "created 0, updated 0, unchanged 30" in result.output
    result = runner.invoke(args=["registry-import", str(good), "--village", "422825101202", "--as", "clerk"])
    assert result.exit_code == 1  # another village's clerk
    result = runner.invoke(args=["registry-import", str(good), "--village", "422825101000"])
    assert result.exit_code != 0 and "not a village" in result.output
