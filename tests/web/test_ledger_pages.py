"""Ledger pages: the clerk (or the county admin, choosing the village) imports all or nothing; everyone
downloads masked exports and the two lists; only who may reveal downloads a full export."""

from __future__ import annotations

import io

import pytest
from flask_babel import gettext
from sqlalchemy import func, select

from portal.core.auditlog import AuditEntry
from portal.extensions import db
from portal.registry.models import Person
from tests.ledger_files import HEADERS, all_cells, people, person, resident_id, rows_of, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(c, data: bytes, name: str = "台账.xlsx", **fields):
    return c.post("/registry/import", data={"file": (io.BytesIO(data), name), **fields},
                  content_type="multipart/form-data")


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(Person.id))), db.session.scalar(select(func.count(AuditEntry.seq))))


def said(app, message: str, **params) -> str:
    """A message as the page shows it (Chinese once the catalogue has it)."""
    with app.test_request_context():
        return gettext(message, **params)


def test_the_clerk_imports_a_clean_file_and_a_second_import_changes_nothing(world, login, app):
    c = login("clerk")
    assert "ledger-import" in c.get("/registry/import").get_data(as_text=True)
    before = counts(app)
    html = upload(c, workbook(people(9))).get_data(as_text=True)
    summary = "Ledger imported: %(c)d people added, %(u)d updated, %(n)d unchanged."
    assert said(app, summary, c=9, u=0, n=0) in html
    after = counts(app)
    assert after[0] == before[0] + 9 and after[1] > before[1]
    html = upload(c, workbook(people(9))).get_data(as_text=True)
    assert said(app, summary, c=0, u=0, n=9) in html
    assert counts(app) == after


def test_every_bad_row_is_shown_and_nothing_is_written(world, login, app):
    c = login("clerk")
    rows = people(40)
    rows[9]["身份证号"] = float(resident_id(9))
    rows[30]["户类别"] = "贫困户"
    before = counts(app)
    resp = upload(c, workbook(rows))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="import-errors"' in html
    assert "<td>11</td><td>身份证号</td>" in html and "<td>32</td><td>户类别</td>" in html
    assert said(app, "%(n)d problems found; nothing was imported.", n=2) in html
    assert counts(app) == before


def test_a_file_that_is_not_excel_is_refused_cleanly(world, login, app):
    c = login("clerk")
    before = counts(app)
    html = upload(c, b"PK\x03\x04 not really a workbook").get_data(as_text=True)
    assert said(app, "The file is not an Excel .xlsx workbook.") in html
    html = upload(c, "户编号,姓名\n1,张三\n".encode(), name="ledger.csv").get_data(as_text=True)
    assert said(app, "Choose an Excel .xlsx file.") in html
    html = upload(c, workbook([person(0)], headers=HEADERS[:5])).get_data(as_text=True)
    assert "<td>1</td><td>身份证号</td>" in html
    assert counts(app) == before


def test_the_county_admin_chooses_a_village_of_the_county(world, login, app):
    c = login("admin")
    html = c.get("/registry/import").get_data(as_text=True)
    assert "柳岸村" in html and "北坡村" not in html
    before = counts(app)
    resp = upload(c, workbook(people(3)), village=str(world.ids["b1a"]))  # another county's village
    assert resp.status_code == 200 and counts(app) == before
    html = upload(c, workbook(people(3)), village=str(world.ids["a2a"])).get_data(as_text=True)
    assert 'id="import-report"' in html
    with app.app_context():
        assert set(db.session.execute(select(Person.village_id).where(
            Person.id_number.in_([resident_id(i) for i in range(3)]))).scalars()) == {world.ids["a2a"]}


@pytest.mark.parametrize("username", ["reviewer", "auditor"])
def test_readers_may_not_import(world, login, app, username):
    c = login(username)
    assert c.get("/registry/import").status_code == 403
    assert upload(c, workbook(people(3))).status_code == 403
    assert "/registry/import" not in c.get("/registry/").get_data(as_text=True)


def test_an_import_needs_the_csrf_token(world, login, app):
    c = login("clerk")
    c.csrf = "forged"
    resp = upload(c, workbook(people(3)))
    assert resp.status_code in (302, 303, 400) and counts(app)[0] == 3


def test_the_template_downloads_with_the_headers(world, login):
    resp = login("clerk").get("/registry/import/template.xlsx")
    assert resp.status_code == 200 and resp.mimetype == XLSX
    assert "attachment" in resp.headers["Content-Disposition"]
    assert list(rows_of(resp.data)[0]) == HEADERS


def test_exports_are_masked_and_a_full_one_is_audited(world, login, app):
    upload(login("clerk"), workbook(people(6)))
    with app.app_context():
        full_ids = set(db.session.execute(select(Person.id_number)).scalars())
    for username in ("auditor", "reviewer"):
        c = login(username)
        resp = c.get("/registry/export.xlsx")
        assert resp.status_code == 200 and resp.mimetype == XLSX
        assert not [v for v in all_cells(resp.data) if any(i in v for i in full_ids)]
        assert c.post("/registry/export.xlsx", data={"unmasked": "1"}).status_code == 403
    c = login("admin")
    audited = counts(app)[1]
    assert c.get(f"/registry/export.xlsx?unmasked=1&township_id={world.ids['a1']}").status_code == 405
    assert counts(app)[1] == audited  # a link cannot export in full
    resp = c.post("/registry/export.xlsx", data={"unmasked": "1", "township_id": world.ids["a1"]})
    cells = set(all_cells(resp.data))
    assert {resident_id(i) for i in range(6)} <= cells and "测试人p_b1a" not in cells
    assert counts(app)[1] == audited + 1
    html = c.get("/registry/").get_data(as_text=True)
    assert 'id="export-ledger-full"' in html and "/registry/lists/working.xlsx" in html


def test_the_two_lists_download(world, login, app):
    c = login("clerk")
    upload(c, workbook(people(8)))
    resp = c.get("/registry/lists/working.xlsx")
    assert resp.status_code == 200 and resp.mimetype == XLSX
    rows = rows_of(resp.data)
    assert rows[0][0].startswith("青竹村") and {r[0] for r in rows[2:]} == {"测试1", "测试3", "测试5", "测试7"}
    assert {r[0] for r in rows_of(c.get("/registry/lists/willing.xlsx").data)[2:]} == {"测试0", "测试4"}
    assert c.get("/registry/lists/everyone.xlsx").status_code == 404
    assert login("reviewer").get("/registry/lists/willing.xlsx").status_code == 200
