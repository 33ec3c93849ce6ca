"""The county admin's settings pages on a desktop and a 360-px phone (tiers as a table, a township's quotas on one
page), and the question asked before an action that cannot be undone: in the page's own dialog under the strict
CSP, cancelled without effect, and without script the form still works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DESKTOP, PHONE, confirm, problems, shot
from tests.browser.test_login import log_in

pytestmark = pytest.mark.browser


def _submitted_plan(app) -> int:
    from portal.extensions import db
    from portal.posts.plans import service as plans
    from tests.posts_plans_support import new_plan, setup_county, user

    with app.app_context():
        setup_county(quota=6)
        post = new_plan(headcount=2)
        plans.submit(user("clerk"), post)
        post_id = post.id
        db.session.remove()
    return post_id


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_admin_sets_the_tiers_and_a_townships_quotas(world, app, live_server, open_page, size):
    page: Page = open_page(viewport=DESKTOP if size == "desktop" else PHONE)
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/workshops/settings")
    table = page.locator("#tiers-form")
    expect(table.get_by_label("第 1 档: 稳定就业脱贫劳动力（不少于，人）")).to_have_value("5")
    table.get_by_label("第 5 档: 稳定就业脱贫劳动力（不少于，人）").fill("40")
    table.get_by_label("第 5 档: 年度奖补（元）").fill("60000")
    shot(page, f"settings-tiers-{size}")
    table.get_by_role("button", name="保存奖补档次").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存，新值自")
    expect(page.locator("#tiers tbody tr")).to_have_count(6)  # five tiers and "below the first"
    assert problems(page) == []

    page.goto(f"{live_server}/posts/settings")
    shot(page, f"settings-posts-{size}")
    page.locator("#township-quota-links").get_by_role("link", name="白石镇").click()
    expect(page.locator("main h1")).to_have_text("白石镇各村岗位数额")
    page.get_by_label("青竹村的新数额").fill("5")
    page.get_by_label("石门村的新数额").fill("3")
    shot(page, f"settings-quotas-{size}")
    page.get_by_role("button", name="保存岗位数额").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存白石镇 2 个村的岗位数额")
    row = page.locator(f'tr[data-village="{world.ids["a1a"]}"]')
    expect(row.locator("[data-quota]")).to_have_text("5")
    expect(row.locator("[data-left]")).to_have_text("5")
    assert problems(page) == []


def test_returning_a_plan_asks_first_and_a_no_changes_nothing(world, app, live_server, open_page):
    post_id = _submitted_plan(app)
    page = open_page()
    log_in(page, live_server, "reviewer")
    page.goto(f"{live_server}/posts/{post_id}")
    page.get_by_label("退回理由").fill("数额超出本村实际需要，请核减为1人")
    page.get_by_role("button", name="退回村里").click()
    dialog = page.get_by_role("dialog", name="请确认")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("确定按所填理由将这个岗位退回村里吗？")
    expect(dialog.get_by_role("button", name="取消")).to_be_focused()  # the safe answer is the default
    shot(page, "confirm-return-desktop")
    assert confirm(page, answer=False) == "确定按所填理由将这个岗位退回村里吗？"
    expect(page.locator("#post-state")).to_have_text("已提交")
    page.get_by_role("button", name="退回村里").click()
    confirm(page)
    expect(page.locator("#post-state")).to_have_text("已退回")
    assert problems(page) == []


def test_closing_a_post_asks_first_on_a_phone(world, app, live_server, phone_page):
    from portal.extensions import db
    from tests.posts_plans_support import new_plan, setup_county

    with app.app_context():
        setup_county()
        post_id = new_plan().id
        db.session.remove()
    page = phone_page
    log_in(page, live_server, "clerk")
    page.goto(f"{live_server}/posts/{post_id}")
    page.get_by_role("button", name="撤销岗位").click()
    expect(page.locator("#confirm-dialog")).to_be_visible()
    box = page.locator("#confirm-dialog").bounding_box()
    assert box["width"] <= PHONE["width"] and box["x"] >= 0
    expect(page.locator("#confirm-ok")).to_have_text("撤销岗位")
    shot(page, "confirm-close-phone")
    confirm(page)
    expect(page.locator("#post-state")).to_have_text("已撤销")
    assert problems(page) == []


def test_without_script_the_form_is_sent_at_once(world, app, live_server, browser):
    post_id = _submitted_plan(app)
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        log_in(page, live_server, "reviewer")
        page.goto(f"{live_server}/posts/{post_id}")
        page.get_by_label("退回理由").fill("请核减人数")
        page.get_by_role("button", name="退回村里").click()
        expect(page.locator("#post-state")).to_have_text("已退回")
    finally:
        context.close()
