"""The pages of issue 14 beyond the home pages: the menu of each role (every entry opens, nominations, exits and
the notice board are in it), the payroll under review beside last month's with its flags, the plan under
review with its quota and standard, and numbers written as people write them (never 3E+3)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from portal.core.i18n import number
from portal.extensions import db
from portal.posts.models import Appointment
from portal.posts.plans import service as plans
from tests.integration.test_review_figures import _payroll
from tests.payroll_factories import make_holders, user
from tests.posts_plans_support import approved_plan, new_plan, setup_county

MENU = re.compile(r'<div class="collapse navbar-collapse" id="mainnav">(.*?)</ul>\s*<div class="navbar-text', re.S)


@pytest.mark.parametrize("username, wanted, unwanted", [
    ("clerk", ["/posts/appointments", "/posts/exits", "/notice/422825101201", "/posts/ledger"], ["/admin/users"]),
    ("reviewer", ["/posts/appointments", "/posts/exits", "/notice/", "/audit/findings"], ["/audit/run"]),
    ("admin", ["/posts/appointments", "/posts/exits", "/notice/", "/admin/users", "/posts/settings",
               "/workshops/settings", "/attendance/calendar", "/audit/log"], []),
    ("auditor", ["/posts/appointments", "/posts/exits", "/notice/", "/audit/run", "/audit/samples"],
     ["/admin/users", "/posts/settings"]),
])
def test_every_menu_entry_opens_for_its_role(world, login, username, wanted, unwanted):
    client = login(username)
    menu = MENU.search(client.get("/posts/").get_data(as_text=True)).group(1)
    links = sorted(set(re.findall(r'href="([^"#]+)"', menu)))
    for url in wanted:
        assert url in links, (url, links)
    for url in unwanted:
        assert url not in links, url
    for url in links:
        assert client.get(url).status_code in (200, 302), url  # a redirect is the role's own page of it


def test_numbers_are_written_as_people_write_them(app):
    with app.test_request_context():
        assert [number(Decimal(v)) for v in ("3E+3", "3000.00", "15.50", "0.5", "0E-2", "1234567.125")] == [
            "3,000", "3,000", "15.5", "0.5", "0", "1,234,567.125"]
        assert number(None) == "" and number(40) == "40"


def test_the_plan_under_review_shows_quota_standard_and_workload(app, world, login):
    with app.app_context():  # not the ctx fixture: its context would carry one login into the next client
        setup_county(quota=6)
        approved_plan(headcount=2)
        asked = new_plan(headcount=3, workload_amount=Decimal("3000"), workload_unit="亩")
        plans.submit(user("clerk"), asked)
        over = new_plan(headcount=5, subsidy=Decimal("800.00"))
        asked_id, over_id = asked.id, over.id
        db.session.remove()
    reviewer = login("reviewer")
    html = reviewer.get(f"/posts/{asked_id}").get_data(as_text=True)
    assert "3,000 亩" in html and "3E+3" not in html
    figures = {k: v.strip() for k, v in re.findall(r'id="fig-([a-z-]+)">(.*?)</dd>', html, re.S)}
    assert (figures["quota"], figures["approved"], figures["waiting"], figures["left"], figures["asked"],
            figures["left-after"]) == ("6", "2", "0", "4", "3", "1")
    assert figures["standard"] == "¥800.00" and "¥800.00" in figures["subsidy"] and "badge" not in figures["subsidy"]
    over_html = login("clerk").get(f"/posts/{over_id}").get_data(as_text=True)  # a draft: the clerk sees it too
    assert "超出指标 1 人" in over_html and "审核将被拒绝：该村将超出岗位指标" in over_html


@pytest.fixture
def two_months(app, world):
    with app.app_context():
        ids = make_holders(world, "a1a", 3)
        same, raised, newcomer = (db.session.get(Appointment, i) for i in ids)
        village = world.ids["a1a"]
        _payroll(village, 2026, 9, [(same, "600.00", "15", 0, 0), (raised, "600.00", "15", 0, 0)])
        october = _payroll(village, 2026, 10, [(same, "600.00", "15", 0, 0), (raised, "800.00", "21", 1, 0),
                                               (newcomer, "0.00", "0", 0, 0)])
        names = {a.id: a.person.name for a in (same, raised, newcomer)}
        made = october.id, names, (same.id, raised.id, newcomer.id)
        db.session.remove()
    return made


LINE = re.compile(r'<tr data-line="\d+" data-flags="([^"]*)">\s*<td><a [^>]*>([^<]+)</a>')


def _lines(html: str) -> dict[str, str]:
    """Each duty line's holder and flags, in page order."""
    return {name: flags for flags, name in LINE.findall(html)}


def test_the_payroll_under_review_shows_each_line_beside_last_month(two_months, login):
    payroll_id, names, (same, raised, newcomer) = two_months
    html = login("reviewer").get(f"/payroll/{payroll_id}").get_data(as_text=True)
    assert _lines(html) == {names[same]: "", names[raised]: "above_last_month full_pay_with_leave",
                            names[newcomer]: "new_holder zero_days"}
    assert "与上月对比：2026年9月" in html and "上月 ¥600.00" in html and "上月无" in html
    counts = dict(re.findall(r'data-flag="(\w+)">.*?<span data-count>(\d+)</span>', html, re.S))
    assert counts == {"new_holder": "1", "above_last_month": "1", "full_pay_with_leave": "1", "zero_days": "1"}
    assert "3 条中有 2 条值得核看" in html


def test_a_flag_filters_the_lines(two_months, login):
    payroll_id, names, (_same, raised, _newcomer) = two_months
    reviewer = login("reviewer")
    html = reviewer.get(f"/payroll/{payroll_id}?flag=full_pay_with_leave").get_data(as_text=True)
    assert list(_lines(html)) == [names[raised]] and 'id="flag-filter"' in html
    unknown = reviewer.get(f"/payroll/{payroll_id}?flag=nonsense").get_data(as_text=True)
    assert len(_lines(unknown)) == 3  # an unknown flag shows every line


def test_another_village_payroll_stays_hidden(two_months, login):
    payroll_id, _names, _ids = two_months
    assert login("clerk_b").get(f"/payroll/{payroll_id}").status_code == 404


def test_a_first_payroll_has_nothing_to_compare_with(app, world, login):
    with app.app_context():
        first = db.session.get(Appointment, make_holders(world, "a1a", 1)[0])
        payroll_id = _payroll(world.ids["a1a"], 2026, 10, [(first, "600.00", "15", 0, 0)]).id
        db.session.remove()
    html = login("reviewer").get(f"/payroll/{payroll_id}").get_data(as_text=True)
    assert "上月没有补贴发放表可供对比" in html  # no September payroll
    assert list(_lines(html).values()) == [""] and "上月 ¥" not in html
