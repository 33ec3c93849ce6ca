"""A workshop's October 2026 in a real Chromium (issue 6): the clerk of 青竹村 files the month's report (月调度) on
a phone, beside the aided employees derived from the records; the county admin sees the workshop move to
watch (监测待处置) with its condition and since when, on the register, the monitoring overview with its chart
and the workshop's page; then computes the 2025 assessment and approves the workshop's reward.

Prepared with the factories: 青竹帮扶车间1号 was certified on 1 January 2025 with six aided employees and reported
every month up to September 2026; two of them left on 30 June 2026, written straight into the employment records
(as an import would) without refreshing the monitoring, so the workshop still shows 正常运行 until a use case
refreshes it: the clerk's October report does, and four months under five aided (July to October) put it in
watch. Three other workshops fill the register: one in each state. The county clock is pinned to
22 November 2026 by patching every module that reads it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from portal.notice import views as notice_views
from portal.workshops import queries as ws_queries
from portal.workshops import settings as ws_settings
from portal.workshops.assessments import service as ws_assessments
from portal.workshops.certification import service
from portal.workshops.exits import service as ws_exits
from portal.workshops.monitoring import service as ws_monitoring
from portal.workshops.reports import service as ws_reports
from tests.browser.conftest import PHONE, _problems, confirm, problems, shot
from tests.browser.test_login import log_in
from tests.workshop_factories import employ, file_reports, make_people, make_workshop

pytestmark = pytest.mark.browser

TODAY = date(2026, 11, 22)
# Every module that reads "today" by name (grep -rn county_today portal/workshops portal/notice): the pages and
# home items read it through workshops.service.
TODAY_READERS = (service, ws_queries, ws_monitoring, ws_settings, ws_exits, ws_assessments, ws_reports, notice_views)
LEFT = date(2026, 6, 30)


def set_today(monkeypatch, day: date) -> None:
    for module in TODAY_READERS:
        monkeypatch.setattr(module, "county_today", lambda day=day: day)


def clean(page: Page, *expected: str) -> None:
    """Nothing went wrong in the browser but the refusals named (a refused form answers 422), which are then
    forgotten."""
    assert problems(page) == list(expected)
    _problems[page].clear()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def _prepare(world) -> dict[str, int]:
    from portal.extensions import db
    from portal.workshops.models import WorkshopEmployee

    journey = make_workshop(world, "a1a", aided=6, n=1, today=date(2025, 1, 2))
    file_reports(journey, (2025, 1), (2026, 9), total=12)
    left = db.session.execute(select(WorkshopEmployee).where(WorkshopEmployee.workshop_id == journey)
                              .order_by(WorkshopEmployee.id).limit(2)).scalars().all()
    for row in left:
        row.leave_date = LEFT
    db.session.commit()
    steady = make_workshop(world, "a1b", aided=12, n=2)
    file_reports(steady, (2025, 1), (2026, 10), by="clerk_b", total=30)
    newer = make_workshop(world, "a2a", aided=7, n=3, certified_on=date(2026, 3, 1))
    employ(newer, make_people(world, "a2a", 3), date(2026, 8, 1))
    failing = make_workshop(world, "a1b", aided=9, n=4, certified_on=date(2025, 6, 1))
    file_reports(failing, (2026, 9), (2026, 9), by="clerk_b", violation=True)
    db.session.remove()
    return {"journey": journey, "steady": steady, "newer": newer, "failing": failing}


def test_a_clerk_files_october_and_the_county_sees_the_watch_then_approves_2025(world, app, live_server, open_page,
                                                                                 monkeypatch):
    set_today(monkeypatch, TODAY)
    with app.app_context():
        ids = _prepare(world)
    journey = ids["journey"]

    # ---- the county admin's register before the report: still 正常运行 ---------------------------------------
    admin = open_page()
    log_in(admin, live_server, "admin")
    admin.goto(f"{live_server}/workshops/")
    expect(admin.locator("main h1")).to_contain_text("就业帮扶车间")
    row = admin.locator(f'#workshops tr[data-workshop="{journey}"]')
    expect(row.locator("[data-state]")).to_have_text("正常运行")
    expect(admin.locator('[data-count="watch"]')).to_have_text("0")
    expect(admin.locator('[data-count="exiting"]')).to_have_text("1")  # the violation proposed an exit
    clean(admin)

    # ---- the clerk on a phone: home → last month's missing reports → the report form -------------------------
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(phone, live_server, "clerk")
    item = phone.locator("#waiting a", has_text="2026年10月未填报月调度的帮扶车间")
    expect(item).to_contain_text("青竹帮扶车间1号")
    item.tap()
    expect(phone.locator("main h1")).to_have_text("月调度 · 2026年10月")
    listed = phone.locator(f'#report-list [data-workshop="{journey}"]')
    expect(listed.locator("[data-filed]")).to_have_text("未填报")
    listed.get_by_role("link", name="填报", exact=True).tap()
    expect(phone.locator("main h1")).to_contain_text("月调度 · 2026年10月")
    expect(phone.locator("#aided-count")).to_have_text("4")  # derived from the records, not typed
    expect(phone.locator("#aided-list li")).to_have_count(4)
    form = phone.locator("#report-form")
    expect(form.get_by_label("正常生产")).to_be_checked()
    form.get_by_label("月末务工总人数").fill("3")  # fewer than the aided on record: refused on the field
    form.get_by_label("当月发放工资（元）").fill("31200")
    form.get_by_label("当月产值（元）").fill("158000.50")
    no_sideways_scroll(phone)
    shot(phone, "workshop-journey-report-phone")
    form.get_by_role("button", name="提交月调度").tap()
    expect(phone.locator("#report-form .invalid-feedback")).to_contain_text("4")
    expect(form.get_by_label("当月产值（元）")).to_have_value("158000.50")  # the input is kept
    form.get_by_label("月末务工总人数").fill("10")
    form.get_by_role("button", name="提交月调度").tap()
    expect(phone.locator(".alert-success")).to_have_text("2026年10月月调度已填报。")
    expect(phone.locator(".alert-warning")).to_have_text(
        "该车间已进入监测待处置：吸纳脱贫劳动力不足，自2026年7月起。")
    expect(phone.locator(f'#report-list [data-workshop="{journey}"] [data-filed]')).to_have_text("已填报")
    no_sideways_scroll(phone)
    shot(phone, "workshop-journey-reports-phone")
    clean(phone, f"HTTP 422 {live_server}/workshops/{journey}/reports/2026/10")

    # ---- the county admin sees the watch: register, monitoring with its chart, the workshop ------------------
    admin.reload()
    expect(row.locator("[data-state]")).to_have_text("监测待处置")
    expect(row).to_contain_text("吸纳脱贫劳动力不足 · 自2026年7月起")
    expect(admin.locator('[data-count="watch"]')).to_have_text("1")
    shot(admin, "workshop-journey-register")
    clean(admin)

    admin.get_by_role("link", name="动态监测", exact=True).click()
    watch = admin.locator("#group-watch")
    expect(watch.locator(f'[data-workshop="{journey}"]')).to_contain_text("吸纳脱贫劳动力不足 · 自2026年7月起")
    expect(admin.locator("#group-exiting")).to_contain_text("青竹帮扶车间4号")
    # The chart is drawn by the vendored ECharts, as on the auditor's desk; the table under it folds once it is.
    chart = admin.locator("#aided-chart")
    title = "各帮扶车间逐月吸纳脱贫劳动力人数（2025年11月至2026年10月）"
    expect(chart).to_have_attribute("aria-label", re.compile("^" + re.escape(title)))
    expect(chart.locator("canvas")).to_be_visible()
    drawn = chart.evaluate("el => window.echarts.getInstanceByDom(el).getOption()")
    # October: 4 + 12 + 10 + 9 aided (the violation's workshop is still one until its exit)
    assert drawn["series"][0]["data"][0] == 27 and drawn["series"][0]["data"][-1] == 35
    assert drawn["xAxis"][0]["data"][0] == "11月" and len(drawn["xAxis"][0]["data"]) == 12
    assert chart.bounding_box()["height"] > 200
    table = admin.locator("#aided-chart-data")
    expect(table).not_to_have_attribute("open", "")
    table.locator("summary").click()
    expect(table.locator("tbody tr")).to_have_count(12)
    expect(table.locator('tr[data-month="2026-10"] td')).to_have_text("35")
    shot(admin, "workshop-journey-monitoring")
    clean(admin)

    watch.get_by_role("link", name="青竹帮扶车间1号").click()
    expect(admin.locator("main h1 [data-state]")).to_have_text("监测待处置")
    expect(admin.locator("#watch-cause")).to_have_text("自2026年7月起监测待处置：吸纳脱贫劳动力不足。")
    expect(admin.locator('#runs [data-condition="low_aided"]')).to_contain_text("连续4个月")
    expect(admin.locator("#employed-now")).to_have_text("4")
    expect(admin.locator("#m2026-10")).to_contain_text("¥158,000.50")
    shot(admin, "workshop-journey-detail")
    clean(admin)

    # ---- the 2025 assessment: computed and approved ----------------------------------------------------------
    admin.get_by_role("link", name="年度考核", exact=True).click()
    expect(admin.locator("main h1")).to_have_text("2025年度考核")
    admin.get_by_role("button", name="测算2025年度考核").click()
    expect(admin.locator(".alert-success")).to_contain_text("已测算3个车间的2025年度考核")
    line = admin.locator("#assessment-rows tr", has_text="青竹帮扶车间1号")
    expect(line).to_contain_text("新建一批")
    expect(line).to_contain_text("¥10,000.00")
    expect(line.locator("td").nth(2)).to_have_text("6")  # stable: all six were employed all 2025
    expect(line.locator("[data-assessment-state]")).to_have_text("奖补已测算")
    line.get_by_role("button", name="审定奖补资金").click()
    confirm(admin)
    expect(admin.locator(".alert-success")).to_have_text("青竹帮扶车间1号的2025年度奖补资金已审定。")
    expect(line.locator("[data-assessment-state]")).to_have_text("奖补已审定")
    expect(line.get_by_role("link", name="登记拨付")).to_be_visible()
    if "workshop_files.assessment_pdf" in app.view_functions:
        expect(admin.locator("#file-pdf")).to_have_attribute("href", "/workshops/assessments/2025.pdf")
    shot(admin, "workshop-journey-assessments")
    clean(admin)

    with app.app_context():
        from portal.extensions import db
        from portal.workshops.models import Assessment, Workshop

        assert db.session.get(Workshop, journey).state == "watch"
        approved = db.session.execute(select(Assessment).where(Assessment.workshop_id == journey)).scalar_one()
        assert (approved.state, approved.reward, approved.classification) == ("approved", 10000, "new")
        assert re.fullmatch(r"[0-9,]+", approved.stable_person_ids)
        db.session.remove()
