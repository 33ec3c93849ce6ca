"""On a 360-px phone every control the clerk taps is at least 44 x 44 px (WCAG 2.5.5): the menus, the day's
attendance and the month grid. A link inside a sentence is exempt (it flows with the text); a checkbox or radio
counts with its label, which taps it too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, problems, shot
from tests.browser.test_login import log_in, open_menu_on_phone
from tests.exit_factories import make_holder

pytestmark = pytest.mark.browser

MINIMUM = 44
SMALL_TARGETS = """(minimum) => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== "hidden" && style.display !== "none";
  };
  const inSentence = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const text = (el.parentElement.textContent || "").replace(el.textContent, "").trim();
    return text.length > 0;
  };
  const box = (el) => {
    const r = el.getBoundingClientRect();
    let [left, top, right, bottom] = [r.left, r.top, r.right, r.bottom];
    if (el.matches("input[type=checkbox], input[type=radio]")) {
      const labels = Array.from(el.labels || []);
      for (const label of labels) {
        const l = label.getBoundingClientRect();
        [left, top, right, bottom] = [Math.min(left, l.left), Math.min(top, l.top), Math.max(right, l.right),
                                      Math.max(bottom, l.bottom)];
      }
    }
    return { width: right - left, height: bottom - top };
  };
  const name = (el) => (el.getAttribute("aria-label") || el.textContent || el.name || el.id || el.type || "").trim();
  const small = [];
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  document.querySelectorAll(selector).forEach((el) => {
    if (!visible(el) || inSentence(el) || el.closest("dialog:not([open])")) return;
    const { width, height } = box(el);
    if (width < minimum - 0.5 || height < minimum - 0.5) {
      small.push(`${el.tagName.toLowerCase()} "${name(el).slice(0, 30)}" ${Math.round(width)}x${Math.round(height)}`);
    }
  });
  return small;
}"""


def small_targets(page: Page) -> list[str]:
    """The visible controls smaller than 44 x 44 px on the page as it is now."""
    return page.evaluate(SMALL_TARGETS, MINIMUM)


@pytest.fixture
def holder(app, world):
    with app.app_context():
        make_holder(world)
        from portal.extensions import db

        db.session.remove()


def test_the_clerks_menu_and_home_are_big_enough_to_tap(world, live_server, phone_page):
    page = phone_page
    log_in(page, live_server, "clerk")
    expect(page).to_have_url(f"{live_server}/")
    page.wait_for_load_state()
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert small_targets(page) == []
    open_menu_on_phone(page)
    assert small_targets(page) == []
    shot(page, "phone-targets-menu")
    assert problems(page) == []


def test_the_days_attendance_is_big_enough_to_tap(world, holder, live_server, phone_page):
    page = phone_page
    log_in(page, live_server, "clerk")
    page.goto(f"{live_server}/attendance/day")
    buttons = page.locator(".att-buttons button")
    expect(buttons).to_have_count(4)
    assert small_targets(page) == []
    buttons.first.click()
    expect(page.locator("[data-current]")).to_have_text(re.compile("出勤"))
    assert small_targets(page) == []
    shot(page, "phone-targets-day")
    assert problems(page) == []


def test_the_month_grid_is_big_enough_to_tap(world, holder, live_server, phone_page):
    page = phone_page
    log_in(page, live_server, "clerk")
    page.goto(f"{live_server}/attendance/grid")
    expect(page.locator("#att-grid")).to_be_visible()
    assert small_targets(page) == []
    shot(page, "phone-targets-grid")
    assert problems(page) == []
