"""Logging in and out through the real login form, on a desktop and on a 360-px phone, in Chinese."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, problems, shot
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    # Wait for the page the login leads to (home, or the form again with its error) to load: a click on the
    # next page before its scripts ran would follow a dropdown's fallback link instead of opening it.
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="登录").click()


def open_menu_on_phone(page: Page) -> None:
    """Below the md breakpoint the navbar collapses behind the 菜单 toggler."""
    logout = page.get_by_role("button", name="退出")
    expect(logout).to_be_hidden()
    page.get_by_role("button", name="菜单").click()
    # Bootstrap animates the menu open ("collapsing", clipped) and adds "show" when done; a tap during the
    # animation can miss the clipped button, so wait for the end.
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    expect(logout).to_be_visible()


def expect_clerk_home(page: Page, base: str) -> None:
    expect(page).to_have_url(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_title(re.compile("^首页 · "))
    expect(page.locator("main h1")).to_have_text("青竹村")
    expect(page.get_by_role("heading", name="待办事项", level=2)).to_be_visible()
    # Present (hidden behind the toggler on a phone) and in Chinese.
    nav_home = page.locator("#mainnav").get_by_role("link", name="首页", exact=True, include_hidden=True)
    expect(nav_home).to_have_count(1)


def test_clerk_logs_in_to_village_home_in_chinese(world, live_server, page):
    log_in(page, live_server, "clerk")

    expect_clerk_home(page, live_server)
    expect(page.locator("#mainnav").get_by_role("link", name="首页", exact=True)).to_be_visible()
    shot(page, "clerk-home")
    assert problems(page) == []


def test_clerk_home_fits_a_phone(world, live_server, phone_page):
    page = phone_page
    log_in(page, live_server, "clerk")

    expect_clerk_home(page, live_server)
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "clerk-home-phone")
    open_menu_on_phone(page)
    expect(page.locator("#mainnav").get_by_role("link", name="首页", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "clerk-home-phone-menu")
    assert problems(page) == []


def test_wrong_password_is_refused_in_chinese(world, live_server, page):
    log_in(page, live_server, "clerk", "Not-the-password-1")

    expect(page.locator("#login-error")).to_have_text("用户名或密码错误。")
    assert urlsplit(page.url).path == "/login"
    expect(page.get_by_label("用户名")).to_have_value("clerk")
    expect(page.get_by_label("密码")).to_have_value("")
    shot(page, "login-wrong-password")
    assert problems(page) == []


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_logout_from_navbar_ends_the_session(world, live_server, device, request):
    page: Page = request.getfixturevalue(device)
    log_in(page, live_server, "clerk")
    expect(page).to_have_url(f"{live_server}/")
    if device == "phone_page":
        open_menu_on_phone(page)

    page.get_by_role("button", name="退出").click()

    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("alert")).to_have_text("您已退出登录。")
    expect(page.get_by_role("navigation")).to_have_count(0)

    page.go_back()  # back to the home page's history entry: it must be fetched again and refused
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/login?next=")))
    assert urlsplit(page.url).query == "next=%2F"
    expect(page.get_by_role("alert")).to_have_text("请先登录。")
    expect(page.get_by_label("密码")).to_be_visible()
    expect(page.locator("main h1")).not_to_have_text("青竹村")
    assert problems(page) == []


def test_pages_have_a_favicon(live_server, page):
    page.goto(f"{live_server}/login")
    icons = page.locator("link[rel~=icon]")
    href = icons.first.get_attribute("href") if icons.count() else "/favicon.ico"
    assert page.request.get(urljoin(page.url, href)).ok
