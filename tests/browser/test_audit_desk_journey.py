"""The auditor's desk in a real Chromium (issue 11): the auditor opens the dashboard (the ECharts charts
render on canvas, and the tables beside them carry the same figures) → draws a sample of October 2026 →
records a failed check → the township reviewer sees the field-check finding → the report PDF (pdftotext)
and Excel (openpyxl) carry it. Screenshots of every desk page at desktop width and at 360 px go to
/tmp/desk_shots/. A shared bank account is planted and found by the shared_account detector first."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, problems
from tests.browser.test_login import log_in
from tests.payroll_factories import make_holders, make_payroll, user

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/desk_shots")
TODAY = date(2026, 11, 22)
NOTE = "入户核实：补贴卡由村干部保管"


def snap(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def county(app, world):
    from portal.audit import runs
    from portal.audit.rules import Month
    from portal.extensions import db
    from portal.posts.models import Appointment
    from portal.registry.models import Person

    with app.app_context():
        make_payroll(world, "a1a", 2026, 10, holders=4, state="paid")
        make_payroll(world, "a1b", 2026, 10, holders=2, state="approved")
        ids = make_holders(world, "a2a", 2)
        people = [db.session.get(Person, db.session.get(Appointment, a).person_id) for a in ids]
        people[1].bank_account = people[0].bank_account
        db.session.commit()
        runs.run_audit(user("auditor"), Month(2026, 1), Month(2026, 10), ["shared_account"], today=TODAY)
        db.session.remove()


def chart_series(page: Page, element_id: str) -> list:
    return page.evaluate(
        "(id) => window.echarts.getInstanceByDom(document.getElementById(id)).getOption().series"
        ".map((s) => s.data)", element_id)


def test_auditor_desk_journey(county, live_server, open_page, app):
    auditor = open_page()
    log_in(auditor, live_server, "auditor")
    auditor.goto(f"{live_server}/audit/")
    expect(auditor.locator("#chart-heat canvas").first).to_be_visible()
    expect(auditor.locator("#chart-money canvas").first).to_be_visible()
    # The heat chart draws exactly the table's counts: [township index, detector index, count].
    cells = chart_series(auditor, "chart-heat")[0]
    table = auditor.locator("#heat-table tbody tr")
    for x, y, count in cells:
        assert table.nth(y).locator("td").nth(x).get_attribute("data-count") == str(count)
    assert sum(c for _x, _y, c in cells) == 1
    # The money chart's bars are the table's figures, month by month.
    at_stake, confirmed, recovered, _rate = chart_series(auditor, "chart-money")
    rows = auditor.locator("#money-table tbody tr")
    for i in range(12):
        values = [Decimal(v) for v in rows.nth(i).locator("td[data-value]").evaluate_all(
            "(tds) => tds.map((td) => td.dataset.value)")]
        assert values == [Decimal(str(at_stake[i])), Decimal(str(confirmed[i])), Decimal(str(recovered[i]))]
    snap(auditor, "dashboard-desktop")

    # Draw a sample of October 2026: 50 % of the 6 paid or approved lines, seed 2026.
    auditor.goto(f"{live_server}/audit/samples")
    auditor.get_by_label("月份或季度").fill("2026-10")
    auditor.get_by_label("按明细条数的比例").check()
    auditor.get_by_label("抽取比例（%）").fill("50")
    auditor.get_by_label("随机种子（留空则新生成）").fill("2026")
    snap(auditor, "samples-desktop")
    auditor.get_by_role("button", name="抽取样本").click()
    expect(auditor.locator("#sample-seed")).to_have_text("2026")
    expect(auditor.locator("#sample-size")).to_have_text("3")
    expect(auditor.locator("#sample-formula")).to_contain_text("⌈6 × 50%⌉ = 3")
    snap(auditor, "sample-desktop")
    sample_url = auditor.url

    # The first line fails its check: the account is not the holder's own.
    first = auditor.locator("#sample-lines tbody tr").first
    holder = first.locator("td").nth(2).inner_text()
    first.locator("a.check-link").click()
    expect(auditor.locator("h1")).to_contain_text(holder)
    auditor.locator("fieldset").nth(0).get_by_label("是").check()
    auditor.locator("fieldset").nth(1).get_by_label("是").check()
    auditor.locator("fieldset").nth(2).get_by_label("否").check()
    auditor.get_by_label("核查说明").fill(NOTE)
    snap(auditor, "check-desktop")
    auditor.get_by_role("button", name="保存核查结果").click()
    expect(auditor.locator(".alert-warning")).to_contain_text("审计发现")
    finding_id = int(re.search(r"(\d+)", auditor.locator(".alert-warning").inner_text()).group(1))
    expect(auditor.locator("#sample-progress")).to_contain_text("已核查 1 / 3 条，不符 1 条")
    expect(auditor.locator("#sample-estimate")).to_contain_text("Wilson")
    auditor.goto(f"{live_server}/audit/")
    expect(auditor.locator("#samples-table")).to_contain_text("1 / 3")
    assert problems(auditor) == []

    # The township reviewer sees the finding and its note.
    reviewer = open_page()
    log_in(reviewer, live_server, "reviewer")
    reviewer.goto(f"{live_server}/audit/findings/{finding_id}")
    expect(reviewer.locator("main")).to_contain_text(NOTE)
    expect(reviewer.locator("main")).to_contain_text(holder)
    assert problems(reviewer) == []

    # The report carries it: PDF text and the Excel's sheet of checks.
    auditor.goto(f"{live_server}/audit/report?from=2026-01&to=2026-12")
    snap(auditor, "report-desktop")
    pdf = auditor.request.get(f"{live_server}/audit/report.pdf?from=2026-01&to=2026-12")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    path = SHOTS / "report.pdf"
    path.write_bytes(pdf.body())
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert "审计报告" in text and "抽查不符" in text and holder in text and "2026" in text
    assert re.search(r"第\s*1\s*页\s*共\s*\d+\s*页", text)
    xlsx = auditor.request.get(f"{live_server}/audit/report.xlsx?from=2026-01&to=2026-12")
    wb = load_workbook(io.BytesIO(xlsx.body()))
    checks = list(wb["抽查核查"].iter_rows(values_only=True))
    failed = [r for r in checks[1:] if r[13] == "否"]
    assert len(checks) == 4 and len(failed) == 1 and failed[0][5] == holder and failed[0][14] == NOTE
    assert failed[0][16] == finding_id
    assert any(r[0] == finding_id for r in wb["审计发现"].iter_rows(values_only=True))

    # The search and the log, at desktop width.
    auditor.goto(f"{live_server}/audit/search")
    auditor.get_by_label("查询方式").select_option("name")
    auditor.get_by_label("查询内容").fill(holder)
    auditor.get_by_role("button", name="查找").click()
    expect(auditor.locator(".person-hit")).to_have_count(1)
    snap(auditor, "search-desktop")
    auditor.goto(f"{live_server}/audit/log")
    auditor.locator("#verify-form button").click()
    expect(auditor.locator("#verify-bar")).to_be_visible()
    expect(auditor.locator("#verify-result")).to_contain_text("哈希链完整")
    snap(auditor, "log-desktop")
    assert problems(auditor) == []

    # Every desk page at 360 px.
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(phone, live_server, "auditor")
    for name, url in [("dashboard", "/audit/"), ("samples", "/audit/samples"), ("sample", sample_url),
                      ("search", "/audit/search"), ("report", "/audit/report"), ("log", "/audit/log")]:
        phone.goto(url if url.startswith("http") else f"{live_server}{url}")
        if name == "dashboard":
            expect(phone.locator("#chart-heat canvas").first).to_be_visible()
        snap(phone, f"{name}-360")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, (name, width)
    assert problems(phone) == []
