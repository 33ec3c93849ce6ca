"""Places: county admins add, rename and import townships and villages from CSV, all or nothing."""

import io

from sqlalchemy import func, select

from portal.core.auditlog import AuditEntry
from portal.extensions import db
from portal.places.models import Township, Village


def _upload(c, text: str, encoding="utf-8", name="places.csv"):
    data = {"file": (io.BytesIO(text.encode(encoding)), name)}
    return c.post("/places/import", data=data, content_type="multipart/form-data")


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count(Township.id))), db.session.scalar(select(func.count(Village.id))),
                db.session.scalar(select(func.count(AuditEntry.seq))))


GOOD = "区划代码,名称\n422825103000,松岭镇\n422825103201,松坪村\n422825103202,岭上村\n422825101203,桃源村\n"


def test_a_clean_file_imports_and_a_second_import_changes_nothing(world, login, app):
    c = login("admin")
    before = _counts(app)
    resp = _upload(c, GOOD)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "新增 4 个" in html
    after = _counts(app)
    assert after[:2] == (before[0] + 1, before[1] + 3)
    assert after[2] > before[2]  # every created place is in the audit log
    html = _upload(c, GOOD).get_data(as_text=True)
    assert "新增 0 个" in html and "未变 4 个" in html
    assert _counts(app) == after


def test_a_changed_name_is_a_rename(world, login, app):
    c = login("admin")
    _upload(c, GOOD)
    html = _upload(c, GOOD.replace("岭上村", "岭上新村")).get_data(as_text=True)
    assert "更名 1 个" in html
    with app.app_context():
        assert db.session.execute(select(Village.name).where(Village.code == "422825103202")).scalar() == "岭上新村"


def test_every_bad_row_is_reported_and_nothing_is_written(world, login, app):
    c = login("admin")
    before = _counts(app)
    bad = ("区划代码,名称\n"
           "422825103000,松岭镇\n"        # row 2 fine
           "42282510320,短码村\n"          # row 3 not 12 digits
           "422825103201,\n"               # row 4 no name
           "422825103000,重复镇\n"         # row 5 duplicate of row 2
           "422823101205,外县村\n"         # row 6 township of another county
           "422825199201,孤村\n"           # row 7 township neither in file nor portal
           "422823000000,外县\n")          # row 8 another county
    resp = _upload(c, bad)
    html = resp.get_data(as_text=True)
    assert "发现 6 处问题，未导入任何数据。" in html
    for row in (3, 4, 5, 6, 7, 8):
        assert f"<td>{row}</td>" in html, row
    assert "区划代码须为 12 位数字" in html and "缺少名称" in html and "已在第 2 行出现" in html
    assert _counts(app) == before


def test_gbk_csv_from_excel_is_read(world, login, app):
    c = login("admin")
    html = _upload(c, GOOD, encoding="gbk").get_data(as_text=True)
    assert "新增 4 个" in html


def test_a_non_csv_or_binary_file_is_refused_cleanly(world, login, app):
    c = login("admin")
    before = _counts(app)
    resp = c.post("/places/import", data={"file": (io.BytesIO(b"PK\x03\x04\x00\x00binary"), "places.xlsx")},
                  content_type="multipart/form-data")
    assert resp.status_code == 200 and "请选择 .csv 文件。" in resp.get_data(as_text=True)
    resp = c.post("/places/import", data={"file": (io.BytesIO(b"\x00\x01\x02\xff\xfe"), "places.csv")},
                  content_type="multipart/form-data")
    assert resp.status_code == 200 and "不是可读取的 CSV" in resp.get_data(as_text=True)
    resp = _upload(c, "foo,bar\n1,2\n")
    assert "表头须包含列" in resp.get_data(as_text=True)
    assert _counts(app) == before


def test_an_oversized_upload_is_refused(world, login, app, monkeypatch):
    # A small limit keeps the test client's body in memory; the real limit is 10 MB (config.py).
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    c = login("admin")
    big = "区划代码,名称\n" + "422825103201,村\n" * 200
    resp = _upload(c, big)
    assert resp.status_code == 413
    assert "文件过大" in resp.get_data(as_text=True)


def test_add_and_rename_a_place_through_the_pages(world, login, app):
    c = login("admin")
    resp = c.post("/places/new", data={"code": "422825101299", "name": "新建村"})
    assert resp.status_code == 302
    with app.app_context():
        village = db.session.execute(select(Village).where(Village.code == "422825101299")).scalar_one()
        assert village.township_id == world.ids["a1"]
        vid = village.id
    assert c.post(f"/places/villages/{vid}/edit", data={"name": "新建二村"}).status_code == 302
    assert "新建二村" in c.get("/places/").get_data(as_text=True)


def test_refusals_keep_what_was_typed(world, login):
    c = login("admin")
    html = c.post("/places/new", data={"code": "422825101201", "name": "重名村"}).get_data(as_text=True)
    assert "已被使用" in html and 'value="重名村"' in html and 'value="422825101201"' in html
    html = c.post("/places/new", data={"code": "422825777201", "name": "孤村"}).get_data(as_text=True)
    assert "所属乡镇 422825777000" in html and 'value="孤村"' in html
    html = c.post("/places/new", data={"code": "12345", "name": "短"}).get_data(as_text=True)
    assert "须为 12 位数字。" in html


def test_template_csv_downloads(world, login):
    resp = login("admin").get("/places/import/template.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.data.decode("utf-8-sig").startswith("区划代码,名称")


def test_cli_import_is_all_or_nothing(world, app, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text(GOOD + "1234,坏\n", encoding="utf-8")
    runner = app.test_cli_runner()
    before = _counts(app)
    result = runner.invoke(args=["places-import", str(bad)])
    assert result.exit_code == 1 and "row 6" in result.output
    assert _counts(app) == before
    result = runner.invoke(args=["places-import", str(good)])
    assert result.exit_code == 0 and "created 4" in result.output
