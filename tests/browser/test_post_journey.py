"""One post through Rules 1, 2 and 4 in a real Chromium, each user in their own browser:

the county admin sets the 保洁 standard and 青竹村's quota; the clerk drafts a plan (refused over the
standard, with the numbers), the township returns it, the clerk corrects it, another reviewer approves it;
the clerk nominates the top-ranked candidate, who appears on the public notice board (masked ID, no login);
the township cannot approve during the notice, approves after it; the agreement PDF is checked; the holder
goes on duty on the start date; an exit is proposed, approved, appealed, the appeal dismissed; the daily
run makes the exit effective and the post is vacant again. The calendar is moved by patching county_today.
"""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Page, expect

from portal.core.masking import mask_id
from portal.notice import views as notice_views
from portal.posts import settings
from portal.posts.exits import service as exits
from portal.posts.hiring import agreement
from portal.posts.hiring import rules as hiring_rules
from portal.posts.hiring import service as hiring
from portal.posts.hiring import views as hiring_views
from portal.posts.rules import DEFAULT_POLICY
from tests.browser.conftest import SCREENSHOTS, confirm, problems, shot
from tests.browser.test_login import log_in
from tests.hiring_factory import make_person

pytestmark = pytest.mark.browser

VILLAGE_CODE = "422825101201"  # 青竹村
TITLE = "青竹村道路保洁员"
NOMINEE = "李秀英"
# Every module that reads "today" by name (grep county_today): the live server runs in this process.
TODAY_READERS = (hiring, exits, settings, hiring_views, notice_views, agreement)


def set_today(monkeypatch, day: date) -> None:
    for module in TODAY_READERS:
        monkeypatch.setattr(module, "county_today", lambda day=day: day)


def zh(day) -> str:
    """A day as the pages write it in messages: 2026年12月15日."""
    return f"{day.year}年{day.month}月{day.day}日"


def clean(page: Page) -> None:
    assert problems(page) == []


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def save_pdf(page: Page, link: str, name: str):
    href = page.locator(link).get_attribute("href")
    response = page.request.get(urljoin(page.url, href))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    path.write_bytes(response.body())
    return path


def fill_plan(page: Page, start: date, end: date, subsidy: str) -> None:
    page.get_by_label("岗位类别").select_option(label="保洁")
    page.get_by_label("岗位名称").fill(TITLE)
    page.get_by_label("岗位职责").fill("负责村内主干道、村民活动广场的日常清扫和垃圾清运")
    page.get_by_label("工作量", exact=True).fill("5")
    page.get_by_label("工作量单位").fill("公里")
    page.get_by_label("岗位人数").fill("1")
    page.get_by_label("用工方式").select_option(label="全日制")
    page.get_by_label("月补贴（元）").fill(subsidy)
    page.get_by_label("资金来源").select_option(label="衔接资金")
    page.get_by_label("期限开始").fill(start.isoformat())
    page.get_by_label("期限截止").fill(end.isoformat())
    page.get_by_label("设岗理由").fill("村内主干道五公里无人清扫，群众反映强烈，需设专人保洁")


def test_one_post_from_plan_to_exit(world, app, live_server, phone_page, open_page, monkeypatch):
    t0 = hiring.county_today()
    set_today(monkeypatch, t0)
    with app.app_context():
        nominee = make_person(world, "a1a", category="monitored", capacity="weak", born=1968, name=NOMINEE)
        full_id = nominee.id_number
    masked = mask_id(full_id)
    post_end = t0 + timedelta(days=300)

    # ---- Rule 1: the county sets the standard and the quota ---------------------------------------
    admin = open_page()
    log_in(admin, live_server, "admin")
    admin.locator("#posts-menu").click()  # the posts menu: plans, nominations, exits, ledger, notice boards
    admin.locator("#mainnav").get_by_role("link", name="岗位计划").click()
    admin.get_by_role("link", name="标准与指标").click()
    first_day = t0.replace(day=1).isoformat()
    standard = admin.locator("#standard-form")
    standard.get_by_label("岗位类别").select_option(label="保洁")
    standard.get_by_label("补贴标准（元/月）").fill("900")
    standard.get_by_label("生效日期").fill(first_day)
    standard.get_by_role("button", name="设置标准").click()
    expect(admin.locator(".alert-success")).to_contain_text(f"新值自{t0.year}年{t0.month}月1日起执行")
    quota = admin.locator("#quota-form")
    quota.get_by_label("行政村").select_option(label="白石镇 青竹村")
    quota.get_by_label("岗位指标（人）").fill("2")
    quota.get_by_label("生效日期").fill(first_day)
    quota.get_by_role("button", name="设置指标").click()
    expect(admin.locator("#standards")).to_contain_text("¥900.00")
    expect(admin.locator("#quotas tr", has_text="青竹村")).to_contain_text("2")
    clean(admin)

    # ---- the clerk drafts the plan; over the standard it is refused with the numbers ----------------
    clerk = open_page()
    log_in(clerk, live_server, "clerk")
    clerk.locator("#posts-menu").click()
    clerk.locator("#mainnav").get_by_role("link", name="岗位计划").click()
    clerk.locator("#new-post").click()
    fill_plan(clerk, t0, post_end, "950")
    shot(clerk, "post-plan-form")
    clerk.get_by_role("button", name="保存草稿").click()
    expect(clerk.locator(".alert-success")).to_contain_text("草稿")
    expect(clerk.locator("#post-state")).to_have_text("草稿")
    post_url = clerk.url
    clerk.locator("#btn-submit").click()
    refusal = clerk.locator(".alert-danger")
    expect(refusal).to_contain_text("超过该类岗位补贴标准")
    expect(refusal).to_contain_text("900.00")
    expect(refusal).to_contain_text("950.00")
    expect(clerk.locator("#post-state")).to_have_text("草稿")
    clerk.get_by_role("link", name="编辑").click()
    clerk.get_by_label("月补贴（元）").fill("900")
    clerk.get_by_role("button", name="保存草稿").click()
    clerk.locator("#btn-submit").click()
    expect(clerk.locator(".alert-success")).to_have_text("岗位计划已提交乡镇审核。")
    clean(clerk)

    # ---- the township returns it with a reason; the clerk corrects and resubmits -------------------
    reviewer = open_page()
    log_in(reviewer, live_server, "reviewer")
    reviewer.goto(post_url)
    reason = "工作量单位请写明清扫范围，职责中补充垃圾分类"
    reviewer.get_by_label("退回理由").fill(reason)
    reviewer.get_by_role("button", name="退回村里").click()
    confirm(reviewer)
    expect(reviewer.locator(".alert-success")).to_have_text("岗位计划已退回村里。")
    clean(reviewer)

    clerk.goto(post_url)
    expect(clerk.locator("#post-state")).to_have_text("已退回")
    expect(clerk.locator("#return-reason")).to_contain_text(reason)
    expect(clerk.locator("#post-history")).to_contain_text(reason)
    shot(clerk, "post-returned")
    clerk.get_by_role("link", name="编辑").click()
    clerk.get_by_label("岗位职责").fill("负责村内主干道、村民活动广场的日常清扫、垃圾分类和清运")
    clerk.get_by_label("工作量单位").fill("公里主干道")
    clerk.get_by_role("button", name="保存草稿").click()
    clerk.locator("#btn-submit").click()
    expect(clerk.locator("#post-state")).to_have_text("已提交")
    clean(clerk)

    reviewer2 = open_page()
    log_in(reviewer2, live_server, "reviewer2")
    reviewer2.goto(post_url)
    reviewer2.locator("#btn-approve").click()
    confirm(reviewer2)
    expect(reviewer2.locator(".alert-success")).to_have_text("岗位计划已审核通过。")
    expect(reviewer2.locator("#post-state")).to_have_text("已通过")
    clean(reviewer2)

    # ---- Rule 2: candidates, nomination, public notice ---------------------------------------------
    clerk.goto(post_url)
    expect(clerk.locator("#post-state")).to_have_text("已通过")
    expect(clerk.locator("#post-fields")).to_contain_text("¥900.00")
    shot(clerk, "post-approved")
    clerk.locator("#btn-candidates").click()
    ranked = clerk.locator("#ranked tbody tr")
    expect(ranked).to_have_count(2)  # 李秀英 (monitored, weak) before the world's lifted full labourer
    expect(ranked.nth(0)).to_contain_text(NOMINEE)
    expect(ranked.nth(0).locator("td").nth(5)).not_to_be_empty()  # why this rank
    expect(ranked.nth(1)).to_contain_text("测试人p_a1a")
    expect(clerk.locator("#ranked")).to_contain_text(masked)
    expect(clerk.locator("main")).not_to_contain_text(full_id)
    shot(clerk, "candidates")
    ranked.nth(0).get_by_role("link", name="选择").click()
    expect(clerk).to_have_url(re.compile(rf"person={nominee.id}#nominate$"))  # the new page, not the old form
    form = clerk.locator("#nominate")
    expect(form.get_by_label("候选人", exact=True)).to_have_value(str(nominee.id))
    with app.app_context():
        notice_end = hiring_rules.notice_end(t0, DEFAULT_POLICY, hiring.work_calendar(world.ids["ca"]))
    t1 = notice_end + timedelta(days=1)  # the first day the township may approve
    start = t1 + timedelta(days=1)  # on duty the day after the approval
    form.get_by_label("开始日期").fill(start.isoformat())
    form.get_by_label("结束日期").fill(post_end.isoformat())
    form.get_by_role("button", name="提名并发布公示").click()
    expect(clerk.locator(".alert-success")).to_contain_text(f"公示期至{zh(notice_end)}")
    expect(clerk.locator("#state")).to_have_text("公示中")
    appointment_url = clerk.url
    shot(clerk, "appointment-in-notice")
    clean(clerk)

    public = open_page()  # nobody logged in
    public.goto(f"{live_server}/notice/")
    village = public.locator("#villages a", has_text="青竹村")
    expect(village).to_contain_text("公示中 1 条")
    village.click()
    expect(public).to_have_url(f"{live_server}/notice/{VILLAGE_CODE}")
    card = public.locator("#current .notice")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(NOMINEE)
    expect(card).to_contain_text(TITLE)
    expect(card).to_contain_text(masked)
    assert full_id not in public.content()
    expect(public.get_by_role("button", name="退出")).to_have_count(0)
    shot(public, "notice-board")
    clean(public)

    phone_page.goto(f"{live_server}/notice/{VILLAGE_CODE}")
    expect(phone_page.locator("#current .notice")).to_contain_text(masked)
    assert full_id not in phone_page.content()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone_page, "notice-board-phone")
    clean(phone_page)

    # ---- the township cannot approve during the notice ---------------------------------------------
    reviewer.goto(appointment_url)
    expect(reviewer.locator("#not-yet")).to_contain_text(f"公示期至{zh(notice_end)}，次日起方可审批")
    approve = reviewer.locator("#decision").get_by_role("button", name="审核通过")
    expect(approve).to_be_disabled()
    approve.evaluate("button => button.form.submit()")  # past the disabled button: the server refuses too
    expect(reviewer.locator(".alert-danger")).to_contain_text(f"公示期至{zh(notice_end)}")
    expect(reviewer.locator("#state")).to_have_text("公示中")
    clean(reviewer)

    # ---- after the notice: approval, the agreement -------------------------------------------------
    set_today(monkeypatch, t1)
    reviewer.goto(appointment_url)
    expect(reviewer.locator("#not-yet")).to_have_count(0)
    reviewer.locator("#decision").get_by_role("button", name="审核通过").click()
    confirm(reviewer)
    expect(reviewer.locator(".alert-success")).to_have_text("聘任已审核通过，可打印用工协议。")
    expect(reviewer.locator("#state")).to_have_text("已通过")
    clean(reviewer)

    clerk.goto(appointment_url)
    expect(clerk.locator("#state")).to_have_text("已通过")  # on duty from the start date only
    expect(clerk.locator("#propose-exit")).to_have_count(0)
    shot(clerk, "appointment-approved")
    pdf = save_pdf(clerk, "#agreement", "agreement.pdf")
    text = pdf_text(pdf)
    assert "乡村公益性岗位用工协议" in text
    assert NOMINEE in text and TITLE in text and "¥900.00" in text
    assert masked in text and full_id not in text
    assert "第 2 页" not in text  # one page: the signature block and its dates stay together
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(SCREENSHOTS / "agreement-1")], check=True)
    clean(clerk)

    # ---- Rule 4: on duty on the start date, an exit proposed, approved, appealed, dismissed ----------
    set_today(monkeypatch, start)
    clerk.goto(appointment_url)
    expect(clerk.locator("#state")).to_have_text("在岗")
    clerk.locator("#propose-exit").click()
    expect(clerk.get_by_label("在岗人员及岗位")).to_contain_text(NOMINEE)
    clerk.get_by_label("退岗原因").select_option(label="旷工")
    evidence = f"{start.month}月起连续多日未到岗清扫，村民小组长和两名村民可作证，考勤表在村委会存档"
    clerk.get_by_label("事实和依据").fill(evidence)
    effective = start + timedelta(days=3)
    clerk.get_by_label("退岗生效日期（离岗第一天）").fill(effective.isoformat())
    clerk.get_by_role("button", name="提出", exact=True).click()
    expect(clerk.locator(".alert-success")).to_contain_text("已提出退岗")
    exit_url = clerk.url
    clean(clerk)

    reviewer.goto(exit_url)
    reviewer.get_by_role("button", name="同意退岗").click()
    assert confirm(reviewer) == "同意该退岗？将于今日通知本人。"
    expect(reviewer.locator(".alert-success")).to_contain_text("已同意退岗")
    clean(reviewer)

    clerk.goto(exit_url)
    deadline = start + timedelta(days=DEFAULT_POLICY.appeal_days)
    expect(clerk.locator("#appeal-deadline")).to_have_text(f"{deadline.year}年{deadline.month}月{deadline.day}日")
    clerk.get_by_label("本人申诉内容").fill("本人因家中老人住院请假，已口头告知村干部，不属旷工")
    clerk.get_by_role("button", name="登记申诉").click()
    confirm(clerk)
    expect(clerk.locator(".alert-success")).to_have_text("已登记申诉，由乡镇处理。")
    clean(clerk)

    reviewer.goto(exit_url)
    decide = reviewer.locator("#decide-appeal")
    decide.get_by_label("申诉不成立：维持退岗").check()
    decide.get_by_label("理由").fill("经核实未办理请假手续，村干部未收到请假，旷工属实")
    decide.get_by_role("button", name="处理").click()
    confirm(reviewer)
    expect(reviewer.locator(".alert-success")).to_have_text("申诉已处理。")
    expect(reviewer.locator("#notice-link")).to_be_visible()
    clean(reviewer)

    clerk.goto(exit_url)
    expect(clerk.locator("main")).to_contain_text("经核实未办理请假手续")
    reason_row = clerk.locator("dt", has_text="退岗原因").locator("xpath=following-sibling::dd[1]")
    expect(reason_row).to_have_text("旷工")  # once, not 旷工（旷工）
    shot(clerk, "exit-detail")
    notice = pdf_text(save_pdf(clerk, "#notice-link", "exit-notice.pdf"))
    assert "乡村公益性岗位退岗通知书" in notice and NOMINEE in notice and TITLE in notice
    assert "旷工" in notice and masked in notice and full_id not in notice
    clean(clerk)

    # ---- past the appeal window and the effective date, the daily run ends the appointment ----------
    later = max(effective, deadline + timedelta(days=1))
    set_today(monkeypatch, later)
    result = app.test_cli_runner().invoke(args=["posts-daily", "--date", later.isoformat()])
    assert result.exit_code == 0, result.output
    assert "exited: 1" in result.output

    clerk.goto(post_url)
    holders = clerk.locator("#holders tbody tr")
    expect(holders).to_have_count(1)
    expect(holders.first).to_contain_text(NOMINEE)
    expect(holders.first).to_contain_text("已退岗")
    expect(holders.first.locator("td").nth(4)).to_have_text(
        f"{effective.year}年{effective.month}月{effective.day}日")
    expect(clerk.locator("#post-fields")).to_contain_text("空缺1人")
    expect(clerk.locator("#btn-candidates")).to_be_visible()
    shot(clerk, "post-after-exit")
    clerk.goto(exit_url)
    expect(clerk.locator("main h1")).to_contain_text("已退岗")
    clean(clerk)
