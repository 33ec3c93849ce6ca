"""A village clerk keeps the labour register in the browser: a household with two members, then a ledger
imported from Excel (first with a bad row, which writes nothing, then clean)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from portal.registry.rules import with_check_digit
from tests.browser.conftest import problems, shot
from tests.browser.test_login import log_in
from tests.ledger_files import people, person, workbook

pytestmark = pytest.mark.browser

HEAD_ID = with_check_digit("42282519620714002")  # a woman born 14 July 1962
CHILD_ID = with_check_digit("42282519900203001")  # a man born 3 February 1990


def add_member(page: Page, name: str, number: str, relation: str, capacity: str, status: str) -> None:
    page.locator("#add-member").click()
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号").fill(number)
    page.get_by_label("与户主关系").select_option(label=relation)
    page.get_by_label("劳动能力").select_option(label=capacity)
    page.get_by_label("就业状态").select_option(label=status)
    page.get_by_role("button", name="保存").click()


def test_clerk_adds_a_household_with_two_members(world, live_server, page):
    log_in(page, live_server, "clerk")
    page.get_by_role("link", name="劳动力台账").click()
    page.get_by_role("link", name="新增户").click()
    page.get_by_label("户编号").fill("101201050")
    page.get_by_label("户类别").select_option(label="监测户")
    page.get_by_label("监测户类型").select_option(label="突发严重困难户")
    page.get_by_label("家庭住址").fill("青竹村五组")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".alert-success")).to_contain_text("已添加户 101201050")

    add_member(page, "郑桂兰", HEAD_ID, "户主", "弱劳力", "未就业")
    # A wrong check digit is refused next to the field, and what was typed stays.
    bad = CHILD_ID[:-1] + ("1" if CHILD_ID[-1] != "1" else "2")
    add_member(page, "郑小军", bad, "子女", "全劳力", "县内务工")
    expect(page.locator(".invalid-feedback")).to_contain_text("校验码错误")
    expect(page.get_by_label("姓名")).to_have_value("郑小军")
    page.get_by_label("身份证号").fill(CHILD_ID)
    page.get_by_role("button", name="保存").click()

    members = page.locator("#members tbody tr")
    expect(members).to_have_count(2)
    expect(members.nth(0)).to_contain_text("郑桂兰")
    expect(members.nth(1)).to_contain_text("郑小军")
    expect(page.locator("#members")).not_to_contain_text(HEAD_ID)  # masked in the list
    shot(page, "register-household-two-members")
    page.get_by_role("link", name="郑桂兰").click()
    expect(page.locator("main")).to_contain_text("1962年7月14日")  # derived from the ID, never typed
    expect(page.locator("main")).to_contain_text("女")
    assert problems(page) == []


def test_clerk_imports_a_ledger_all_or_nothing(world, live_server, page, tmp_path):
    bad_rows = people(12)
    bad_rows[7] = person(7, 户类别="贫困户")  # row 9 in the sheet: not a category
    bad_file, good_file = tmp_path / "台账-有误.xlsx", tmp_path / "台账.xlsx"
    bad_file.write_bytes(workbook(bad_rows))
    good_file.write_bytes(workbook(people(12)))

    log_in(page, live_server, "clerk")
    page.goto(f"{live_server}/registry/")
    page.get_by_role("link", name=re.compile("导入台账")).click()
    page.locator("input[type=file]").set_input_files(str(bad_file))
    page.get_by_role("button", name="导入", exact=True).click()
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("9")
    expect(errors.first).to_contain_text("户类别")
    shot(page, "register-import-refused")
    page.goto(f"{live_server}/registry/?q=测试7")
    expect(page.locator("#people")).to_contain_text("没有符合条件的人员")  # nothing was written

    page.goto(f"{live_server}/registry/import")
    page.locator("input[type=file]").set_input_files(str(good_file))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#import-report")).to_contain_text("12")
    shot(page, "register-import-done")
    page.goto(f"{live_server}/registry/?q=测试7")
    expect(page.locator("#people tbody tr")).to_have_count(1)
    assert problems(page) == []
