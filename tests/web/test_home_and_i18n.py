"""Home pages per role, Chinese by default, English per user, complete catalogue, formats."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlalchemy import update

from portal.accounts.models import User
from portal.core.i18n import date_label, money, month_label
from portal.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_each_role_lands_on_its_own_home(world, login):
    expect = {"clerk": ("青竹村", "村级经办员"), "reviewer": ("白石镇", "乡镇审核员"),
              "auditor": ("云溪县", "审计工作台"), "admin": ("云溪县", "县级管理员")}  # the auditor's: the desk
    for user, (place, role) in expect.items():
        html = login(user).get("/", follow_redirects=True).get_data(as_text=True)
        assert place in html and role in html, user
        assert "待办事项" in html


def test_admin_home_says_what_is_waiting(world, login):
    html = login("admin").get("/").get_data(as_text=True)
    # Village a2a has no clerk; township a2 has no reviewer.
    assert "没有在用经办员账户的行政村" in html and "没有在用审核员账户的乡镇" in html


def test_clerk_home_with_nothing_waiting(world, login):
    assert "目前没有待办事项" in login("clerk").get("/").get_data(as_text=True)


def test_english_is_selectable_per_user(world, login, app):
    c = login("clerk")
    resp = c.post("/account", data={"lang-csrf_token": c.csrf, "lang-locale": "en"})
    assert resp.status_code == 302
    html = c.get("/").get_data(as_text=True)
    assert 'lang="en"' in html and "Waiting for you" in html and "Home" in html
    assert 'lang="zh-CN"' in login("clerk_b").get("/").get_data(as_text=True)  # others stay Chinese


def test_login_page_language_switch(world, client):
    assert "Log in" in client.get("/login?lang=en").get_data(as_text=True)
    assert "Log in" in client.get("/login").get_data(as_text=True)  # remembered for the visit
    assert "登录" in client.get("/login?lang=zh_CN").get_data(as_text=True)


def test_every_user_facing_string_has_a_chinese_translation():
    """Extract every msgid from the code and templates; the zh catalogue must translate each, none fuzzy."""
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    extracted = {msg[2] if isinstance(msg[2], str) else msg[2][0]
                 for msg in extract_from_dir(str(ROOT), method_map, keywords=keywords)}
    with open(ROOT / "portal/translations/zh_Hans_CN/LC_MESSAGES/messages.po", "rb") as f:
        catalogue = read_po(f)
    missing = sorted(m for m in extracted if not (catalogue.get(m) and catalogue.get(m).string))
    fuzzy = sorted(m.id for m in catalogue if m.id and m.fuzzy)
    assert missing == [] and fuzzy == []


def test_formats(app):
    with app.test_request_context():
        assert month_label(date(2026, 11, 1)) == "2026年11月"
        assert date_label(date(2026, 11, 22)) == "2026年11月22日"
        assert money(Decimal("1234.5")) == "¥1,234.50"
        assert money(Decimal("0")) == "¥0.00"
    with app.test_request_context("/login?lang=en"):
        assert month_label(date(2026, 11, 1)) == "November 2026"
        assert money(Decimal("1234.5")) == "¥1,234.50"


def test_error_pages_are_translated(world, login, app):
    c = login("clerk")
    assert "未找到" in c.get("/no-such-page").get_data(as_text=True)
    assert "您无权打开此页面" in c.get("/admin/users").get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(User).where(User.username == "clerk").values(locale="en"))
        db.session.commit()
    assert "Not found" in c.get("/no-such-page").get_data(as_text=True)
