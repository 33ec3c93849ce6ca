"""The county auditor's journey (issue 10), in a real Chromium, one browser per user: the auditor runs the audit
from the page (executed in a background thread while the page polls its progress), reads the counts, opens the
findings list and a finding (a shared bank account, masked, ¥600.00 at stake); the township reviewer sees it
waiting on the home page and answers it; the auditor closes it, first with too much recovered (refused, the
input kept), then with ¥600.00 recovered. Screenshots at desktop width and at 360 px go to /tmp/audit_shots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.audit_factories import plant
from tests.browser.conftest import PHONE, confirm, problems
from tests.browser.test_login import log_in, open_menu_on_phone

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/audit_shots")
PHONE_OPTIONS = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def snap(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits(page: Page) -> None:
    """Nothing sticks out sideways: wide tables scroll inside their own box, not the page."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def clean(page: Page, *expected: str) -> None:
    """No console error, page error or CSP violation, but the refusals the test provoked (HTTP 422)."""
    assert [p for p in problems(page) if not any(e in p for e in expected)] == []


def test_run_list_finding_answer_and_close(world, app, live_server, open_page, monkeypatch):
    monkeypatch.setitem(app.config, "AUDIT_RUN_INLINE", False)  # the page's real way: a thread, and polling
    with app.app_context():
        people = plant(world, "a1a", paid=True)
        names = [p.name for p in people]
        account = people[0].bank_account
        from portal.extensions import db

        db.session.remove()
    masked = account[:6] + "******" + account[-4:]

    # ---- 1. the auditor runs the audit --------------------------------------------------------------------
    auditor = open_page()
    log_in(auditor, live_server, "auditor")
    auditor.locator("#audit-menu").click()
    auditor.locator("#mainnav").get_by_role("link", name="运行审计").click()
    expect(auditor.locator("main h1")).to_have_text("运行审计")
    auditor.get_by_label("起始月份").fill("2026-01")
    auditor.get_by_label("截止月份").fill("2026-10")
    auditor.get_by_role("button", name="全不选").click()
    expect(auditor.locator('#detector-list input[type="checkbox"]:checked')).to_have_count(0)
    auditor.get_by_label("共用账户").check()
    snap(auditor, "01-run-form-desktop")
    auditor.get_by_role("button", name="开始审计").click()
    expect(auditor.locator("#run-done")).to_be_visible(timeout=30_000)
    expect(auditor.locator("#run-state [data-state]")).to_have_text("已完成")
    row = auditor.locator('#run-counts tr[data-detector="shared_account"]')
    expect(row.locator('[data-col="hits"]')).to_have_text("1")
    expect(row.locator('[data-col="new"]')).to_have_text("1")
    snap(auditor, "02-run-done-desktop")

    # ---- 2. the findings list, then the finding ----------------------------------------------------------
    row.get_by_role("link", name="审计发现").click()
    expect(auditor.locator("main h1")).to_contain_text("审计发现")
    expect(auditor.locator("#f-detector")).to_have_value("shared_account")
    finding_row = auditor.locator("#findings tbody tr").first
    expect(finding_row).to_contain_text("¥600.00")
    expect(finding_row).to_contain_text("2026年1月–12月")
    expect(finding_row).to_contain_text(masked)
    expect(finding_row.locator("[data-severity]")).to_have_text("高")
    expect(finding_row.locator("[data-state]")).to_have_text("待处理")
    snap(auditor, "03-findings-desktop")
    finding_row.get_by_role("link", name="共用账户").click()
    expect(auditor.locator("main h1")).to_contain_text("共用账户")
    expect(auditor.locator("#evidence")).to_contain_text(masked)
    for name in names:
        expect(auditor.locator("#evidence")).to_contain_text(name)
        expect(auditor.locator("#records").get_by_role("link", name=f"人员：{name}")).to_be_visible()
    expect(auditor.locator("#amount-at-stake")).to_have_text("¥600.00")
    expect(auditor.locator('#history [data-action="finding.open"]')).to_have_count(1)
    finding_url = auditor.url
    snap(auditor, "04-finding-desktop")
    clean(auditor)

    # ---- 3. the township reviewer answers (seen first on a phone) -------------------------------------------------
    reviewer_phone = open_page(**PHONE_OPTIONS)
    log_in(reviewer_phone, live_server, "reviewer")
    expect(reviewer_phone.locator("main h1")).to_have_text("白石镇")
    expect(reviewer_phone.locator("#waiting .waiting-links a")).to_have_count(1)
    fits(reviewer_phone)
    snap(reviewer_phone, "05-reviewer-home-phone")
    reviewer_phone.locator("#waiting .waiting-links a").click()
    expect(reviewer_phone.locator("#respond-form")).to_be_visible()
    fits(reviewer_phone)
    snap(reviewer_phone, "05-reviewer-finding-phone")
    clean(reviewer_phone)
    reviewer = open_page()
    log_in(reviewer, live_server, "reviewer")
    waiting = reviewer.locator("#waiting .waiting-links a").first
    expect(waiting).to_contain_text("共用账户 · 青竹村 · 2026年1月–12月 · ¥600.00：已等待 0 天")
    snap(reviewer, "06-reviewer-home-desktop")
    waiting.click()
    expect(reviewer).to_have_url(finding_url)
    expect(reviewer.locator("#close-form")).to_have_count(0)
    reviewer.get_by_label("情况说明（乡镇核查结果）").fill("两人为夫妻，共用一张银行卡领取补贴")
    reviewer.get_by_label("整改措施").fill("已要求二人分别开立本人账户，下月起分别发放")
    reviewer.get_by_role("button", name="提交答复").click()
    expect(reviewer.locator("#finding-state [data-state]")).to_have_text("乡镇已答复")
    expect(reviewer.locator("#answer-action")).to_have_text("已要求二人分别开立本人账户，下月起分别发放")
    snap(reviewer, "06-reviewer-answered-desktop")
    clean(reviewer)

    # ---- 4. the auditor sees the answer waiting (on a phone), and closes it with an amount recovered ------------
    phone = open_page(**PHONE_OPTIONS)
    log_in(phone, live_server, "auditor")
    expect(phone.locator("#waiting")).to_contain_text("乡镇已答复、待您作出结论的审计发现")
    fits(phone)
    snap(phone, "07-auditor-home-phone")
    auditor.reload()
    expect(auditor.locator("#answer-response")).to_have_text("两人为夫妻，共用一张银行卡领取补贴")
    close = auditor.locator("#close-form")
    close.get_by_label("确认属实").check()
    close.get_by_label("追回金额（元）").fill("600.01")
    close.get_by_label("备注").fill("已追回多发补贴")
    close.get_by_role("button", name="办结审计发现").click()
    confirm(auditor)
    expect(auditor.locator("#close-form .invalid-feedback")).to_have_text("追回金额不能超过涉及金额。")
    expect(auditor.locator("#close-form").get_by_label("追回金额（元）")).to_have_value("600.01")
    expect(auditor.locator("#close-form").get_by_label("备注")).to_have_value("已追回多发补贴")
    snap(auditor, "08-close-refused-desktop")
    auditor.locator("#close-form").get_by_label("追回金额（元）").fill("600.00")
    auditor.locator("#close-form").get_by_role("button", name="办结审计发现").click()
    confirm(auditor)
    expect(auditor.locator("#finding-state [data-state]")).to_have_text("已办结")
    expect(auditor.locator("#closing-recovered")).to_have_text("¥600.00")
    expect(auditor.locator("#closing-decision")).to_have_text("确认属实")
    actions = auditor.locator("#history [data-action]").evaluate_all("rows => rows.map(r => r.dataset.action)")
    assert actions == ["finding.open", "finding.respond", "finding.close"]
    snap(auditor, "09-closed-desktop")
    clean(auditor, "HTTP 422")

    # ---- 5. the audit pages on a 360-px phone ---------------------------------------------------------------
    for name, path in (("10-run-phone", "/audit/run"), ("11-findings-phone", "/audit/findings"),
                       ("12-finding-phone", finding_url.removeprefix(live_server)),
                       ("13-run-detail-phone", "/audit/runs/1")):
        phone.goto(live_server + path)
        expect(phone.locator("main h1")).to_be_visible()
        fits(phone)
        snap(phone, name)
    open_menu_on_phone(phone)
    phone.locator("#audit-menu").click()
    expect(phone.locator("#mainnav .dropdown-menu").get_by_role("link", name="审计日志")).to_be_visible()
    snap(phone, "14-audit-menu-phone")
    clean(phone)

    # ---- 6. a run's page while it goes: the progress polled until the counts show -----------------------------
    from portal.audit import runs
    from portal.audit.rules import Month
    from tests.payroll_factories import user

    with app.app_context():
        run_id = runs.start_run(user("admin"), Month(2026, 1), Month(2026, 10), ["shared_account"]).id
    auditor.goto(f"{live_server}/audit/runs/{run_id}")
    expect(auditor.locator("#run-progress-text")).to_have_text("已完成 0 / 1 项审计规则")
    expect(auditor.locator("#run-current")).to_have_text("正在运行：共用账户")
    snap(auditor, "15-run-progress-desktop")
    with app.app_context():
        runs.execute_run(user("admin"), run_id)
        db.session.remove()
    expect(auditor.locator("#run-done")).to_be_visible()  # the page polled, saw the end and reloaded
    expect(auditor.locator('#run-counts tr[data-detector="shared_account"] [data-col="refreshed"]')).to_have_text("0")
    clean(auditor, "HTTP 422")



def test_the_admin_sets_a_budget_on_the_settings_page(world, app, live_server, open_page):
    admin = open_page()
    log_in(admin, live_server, "admin")
    admin.locator("#audit-menu").click()
    admin.locator("#mainnav").get_by_role("link", name="审计设置").click()
    expect(admin.locator("main h1")).to_have_text("审计设置")
    form = admin.locator("#budget-form")
    form.get_by_label("资金来源").select_option(label="衔接资金")
    form.get_by_label("年度预算（元）").fill("120000")
    form.get_by_role("button", name="保存预算").click()
    expect(admin.locator(".alert-success")).to_be_visible()
    expect(admin.locator('#budgets tr[data-source="linkage_fund"]')).to_contain_text("¥120,000.00")
    threshold = admin.locator("#threshold-form")
    threshold.get_by_label("参数").select_option("audit_late_mark_days")
    threshold.get_by_label("值").fill("0")
    threshold.get_by_role("button", name="保存设置").click()
    expect(admin.locator("#threshold-form .invalid-feedback")).to_be_visible()
    expect(admin.locator("#threshold-form").get_by_label("值")).to_have_value("0")
    snap(admin, "16-settings-desktop")
    clean(admin, "HTTP 422")
    phone = open_page(**PHONE_OPTIONS)
    log_in(phone, live_server, "admin")
    phone.goto(f"{live_server}/audit/settings")
    fits(phone)
    snap(phone, "17-settings-phone")
    clean(phone)
