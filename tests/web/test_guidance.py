"""Safety and guidance: the masked export is recognised on import, a wrong check digit says what to check, dates
and money in messages are written as people write them, the portal's own actors have Chinese names, the language
chosen on the login page survives the login, and English pages have English labels."""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.attendance import service as attendance
from portal.core import auditlog
from portal.core.auditlog import AuditEntry
from portal.extensions import db
from portal.posts.plans import labels as plan_labels
from portal.registry.models import Person
from portal.registry.rules import Problem, with_check_digit
from tests.conftest import PASSWORD, csrf_from
from tests.exit_factories import make_holder, user
from tests.ledger_files import people, workbook

CJK = re.compile(r"[\u4e00-\u9fff]")


def _upload(c, data: bytes):
    return c.post("/registry/import", data={"file": (io.BytesIO(data), "台账.xlsx")},
                  content_type="multipart/form-data")


def test_the_language_chosen_on_the_login_page_survives_the_login(world, client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert 'lang="en"' in page
    resp = client.post("/login?lang=en", data={"csrf_token": csrf_from(page), "username": "clerk",
                                               "password": PASSWORD})
    assert resp.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in home and "Home" in home
    # ... and is the user's language from then on, also on the next login.
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/account").get_data(as_text=True))})
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"csrf_token": csrf_from(page), "username": "clerk", "password": PASSWORD})
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_logging_in_without_choosing_keeps_the_users_language(world, client):
    page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"csrf_token": csrf_from(page), "username": "clerk", "password": PASSWORD})
    assert 'lang="zh-CN"' in client.get("/").get_data(as_text=True)


def test_importing_the_masked_export_names_the_file_to_use_instead(world, login, app):
    c = login("clerk")
    assert "ledger-import" in _upload(c, workbook(people(6))).get_data(as_text=True)
    masked = c.get("/registry/export.xlsx").data
    with app.app_context():
        before = db.session.scalar(select(func.count(Person.id)))
    html = _upload(c, masked).get_data(as_text=True)
    assert "脱敏" in html and "导出完整台账（记入审计）" in html and "导入模板" in html
    assert 'id="import-errors"' not in html  # one message, not a cell error for every masked value
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == before


def test_a_wrong_check_digit_says_what_to_check(world, login):
    c = login("clerk")
    resp = c.post("/registry/households/new", {"number": "H-9", "category": "lifted", "monitored_subtype": "",
                                                    "address": "一组"})
    hid = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    good = with_check_digit("42282519850315002")
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    html = c.post(f"/registry/households/{hid}/people/new", {
        "name": "李秀英", "id_number": bad, "relation_to_head": "head", "labour_capacity": "full",
        "employment_status": "unemployed", "monthly_income": "0"}).get_data(as_text=True)
    assert "校验码错误" in html and "对照身份证逐位核对" in html and "不要只改最后一位" in html


def test_dates_and_money_in_messages_are_written_as_people_write_them(app):
    from portal.core.i18n import readable

    with app.test_request_context():
        over = Problem("subsidy", "over_standard", (("standard", "800.00"), ("subsidy", "9600.00")))
        text = plan_labels.problem_text(over)
        assert "¥800.00" in text and "¥9,600.00" in text and "元" not in text
        assert readable({"end": "2026-12-15", "month": "2026-10", "n": "3"}) == {
            "end": "2026年12月15日", "month": "2026年10月", "n": "3"}
        future = attendance.refusal_text("future", date(2026, 12, 15))
        assert "2026年12月15日" in future and "2026-12-15" not in future
        locked = attendance.refusal_text("locked", date(2026, 10, 5))
        assert "2026年10月" in locked and "2026-10" not in locked


def test_the_portal_and_the_demo_are_named_in_chinese(world, login, app):
    with app.app_context():
        auditlog.record("system", "exit.propose", "exit", 1, None, {"reason": "deceased"})
        auditlog.record("demo", "set_quota", "village_quota", 1, None, {"headcount": 5})
        db.session.commit()
    from portal.core.i18n import actor_label

    with app.test_request_context():
        assert (actor_label("system"), actor_label("demo"), actor_label("clerk")) == ("系统", "演示数据", "clerk")
    html = login("auditor").get("/audit/log").get_data(as_text=True)
    cells = re.findall(r"<td>([^<]*)</td><td>", html)
    assert "系统" in cells and "演示数据" in cells and "system" not in cells and "demo" not in cells
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(AuditEntry.actor_name == "system")) == 1


@pytest.fixture
def english_clerk(world, login, app):
    with app.app_context():
        user("clerk").locale = "en"
        db.session.commit()
        make_holder(world, start=date(2026, 1, 1))
    return login("clerk")


def test_the_grid_legend_is_english_on_english_pages(english_clerk, monkeypatch):
    monkeypatch.setattr(attendance, "county_today", lambda: date(2026, 11, 22))
    html = english_clerk.get("/attendance/grid?month=2026-11").get_data(as_text=True)
    legend = html.split('id="legend"')[1].split('id="grid-wrap"')[0]
    assert "Leave" in legend and "<b>L</b>" in legend
    assert not CJK.search(re.sub(r"<[^>]+>", " ", legend)), CJK.findall(legend)
    assert '"L": "leave"' in html.replace("&#34;", '"')  # the grid's script reads the English symbol


def test_post_categories_are_english_on_english_pages(english_clerk, app):
    with app.app_context():
        from portal.posts.models import Appointment

        appointment_id = db.session.scalar(select(Appointment.id))
    html = english_clerk.get(f"/posts/appointments/{appointment_id}").get_data(as_text=True)
    assert " · Cleaning · " in html and " · 保洁 · " not in html


def test_money_in_a_payroll_refusal_is_written_with_the_yuan_sign(app):
    from portal.payroll import guards

    with app.test_request_context(), pytest.raises(guards.RuleViolation) as refused:
        guards.refuse_negative(Decimal("-9600.00"))
    assert "-¥9,600.00" in refused.value.message or "¥-9,600.00" in refused.value.message
