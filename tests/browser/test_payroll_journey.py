"""October 2026 of 青竹村 from the attendance to the paid payroll (issue 5), in a real Chromium, one browser per user:

the clerk fills the month grid (holidays shaded, 10 Oct an adjusted working day, a range filled, a half day,
a leave and an absence typed from the keyboard, live totals, saved, the same totals from the server; a
mid-month joiner's earlier cells are read-only with their reason); on a phone the clerk taps marks of a
November day (saved without a reload; a future day refused); the clerk generates the October payroll (each
amount as Rule 3 computes it) and submits it, which locks the month; reviewer opens the queue and a line's
drill-down and returns the payroll; the clerk corrects a mark, recomputes and resubmits; reviewer2 approves
(the clerk is offered no approve button); reviewer records the payment; the sheet PDF and the bank file are
checked. The county clock is pinned to 3 Nov 2026 by patching every module's county_today.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portal.attendance import overrides as attendance_overrides
from portal.attendance import service as attendance_service
from portal.attendance.rules import Mark
from portal.core.masking import mask_id
from portal.payroll import batch as payroll_batch
from portal.payroll import service as payroll_service
from portal.payroll import sheet_pdf
from portal.payroll.rules import pay_for_month
from tests.browser.conftest import PHONE, SCREENSHOTS, problems, shot
from tests.browser.conftest import confirm as answer
from tests.browser.test_login import log_in
from tests.payroll_factories import make_holders

pytestmark = pytest.mark.browser

TODAY = date(2026, 11, 3)  # a Tuesday: October 2026 has ended
YEAR, MONTH = 2026, 10
JOINS = date(2026, 10, 19)  # the mid-month joiner's first day
SUBSIDY = Decimal("600.00")
# Every module that reads "today" by name for attendance and payroll (grep -rn county_today portal/attendance
# portal/payroll): the views and home items read it through attendance.service and payroll.service.
TODAY_READERS = (attendance_service, attendance_overrides, payroll_service, payroll_batch, sheet_pdf)
SYMBOL = {Mark.PRESENT: "√", Mark.HALF: "½", Mark.LEAVE: "假", Mark.ABSENT: "×"}
CREDIT = {Mark.PRESENT: Decimal(1), Mark.HALF: Decimal("0.5"), Mark.LEAVE: Decimal(0), Mark.ABSENT: Decimal(0)}


def set_today(monkeypatch, day: date) -> None:
    for module in TODAY_READERS:
        monkeypatch.setattr(module, "county_today", lambda day=day: day)


def clean(page: Page) -> None:
    assert problems(page) == []


def days(value: Decimal) -> str:
    """Duty days as the pages write them: 18, 15.5."""
    return format(value.normalize(), "f")


def yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def confirm(page: Page, button) -> None:
    """Click a button that asks "are you sure?" (data-confirm) and say yes in the page's dialog."""
    button.click()
    answer(page)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


class Holder:
    """One holder as the test follows them: the marks it expects for October and what they pay."""

    def __init__(self, appointment_id: int, name: str, id_number: str, account: str, start: date,
                 working: list[date]):
        self.id, self.name, self.id_number, self.account, self.start = appointment_id, name, id_number, account, start
        self.window_days = [d for d in working if d >= start]
        self.marks: dict[date, Mark] = {d: Mark.PRESENT for d in self.window_days}  # what the fill sets
        self.month_days = len(working)

    def count(self, mark: Mark) -> int:
        return sum(1 for m in self.marks.values() if m == mark)

    @property
    def duty_days(self) -> Decimal:
        return sum((CREDIT[m] for m in self.marks.values()), Decimal(0))

    @property
    def amount(self) -> Decimal:
        return pay_for_month(SUBSIDY, self.duty_days, self.month_days, len(self.window_days), self.month_days)

    def cell(self, page: Page, day: int):
        return page.locator(f'input[name="c{self.id}_{day}"]')

    def row(self, page: Page):
        return page.locator(f'#att-grid tr[data-row="{self.id}"]')


def expect_totals(page: Page, holder: Holder) -> None:
    row = holder.row(page)
    expect(row.locator('[data-t="present"]')).to_have_text(str(holder.count(Mark.PRESENT)))
    expect(row.locator('[data-t="half"]')).to_have_text(str(holder.count(Mark.HALF)))
    expect(row.locator('[data-t="leave"]')).to_have_text(str(holder.count(Mark.LEAVE)))
    expect(row.locator('[data-t="absent"]')).to_have_text(str(holder.count(Mark.ABSENT)))
    expect(row.locator('[data-t="duty"]')).to_have_text(days(holder.duty_days))
    expect(row.locator('[data-t="required"]')).to_have_text(str(holder.month_days))


def expect_lines(page: Page, holders: list[Holder]) -> None:
    for holder in holders:
        line = page.locator("#lines tbody tr", has_text=holder.name)
        expect(line.locator("td").last).to_have_text(yuan(holder.amount))
        expect(line).to_contain_text(f"{days(holder.duty_days)} / {holder.month_days}")
    expect(page.locator("#payroll-total")).to_have_text(yuan(sum((h.amount for h in holders), Decimal(0))))


def test_october_from_attendance_to_paid_payroll(world, app, live_server, open_page, monkeypatch):
    set_today(monkeypatch, TODAY)
    with app.app_context():
        from portal.extensions import db
        from portal.posts.models import Appointment

        ids = make_holders(world, "a1a", 3, subsidy=SUBSIDY)
        db.session.get(Appointment, ids[2]).start_date = JOINS  # joins in the middle of October
        db.session.commit()
        calendar = attendance_service.county_calendar(world.ids["ca"])
        working = calendar.month_working_days(YEAR, MONTH)
        people = [db.session.get(Appointment, i).person for i in ids]
        starts = [date(YEAR, 1, 1), date(YEAR, 1, 1), JOINS]
        full, marked, joiner = (Holder(i, p.name, p.id_number, p.bank_account, start, working)
                                for i, p, start in zip(ids, people, starts, strict=True))
        db.session.remove()
    holders = [full, marked, joiner]
    assert date(YEAR, MONTH, 10) in working and date(YEAR, MONTH, 1) not in working  # the calendar of the issue

    # ---- 1. the month grid at the desk ------------------------------------------------------------------
    clerk = open_page()
    log_in(clerk, live_server, "clerk")
    clerk.locator("#mainnav").get_by_role("link", name="考勤", exact=True).click()
    clerk.locator("#to-grid").click()  # the day view of today → its month grid
    expect(clerk.locator("main h1")).to_have_text("青竹村 · 考勤 · 2026年11月")
    clerk.locator("#prev-month").click()
    expect(clerk.locator("main h1")).to_have_text("青竹村 · 考勤 · 2026年10月")
    grid_url = clerk.url
    # National Day is shaded as a holiday, Saturday 10 Oct is marked as an adjusted working day, Sundays shaded.
    expect(clerk.locator("#d1")).to_have_class(re.compile(r"\bk-holiday\b"))
    expect(full.cell(clerk, 1).locator("xpath=..")).to_have_class(re.compile(r"\bk-holiday\b"))
    expect(clerk.locator("#d10")).to_have_class(re.compile(r"\bk-adjusted\b"))
    expect(clerk.locator("#d10 .tag")).to_have_text("班")
    expect(clerk.locator("#d11")).to_have_class(re.compile(r"\bk-weekend\b"))
    expect(clerk.locator("#d12")).to_have_class(re.compile(r"\bk-work\b"))
    colour = "td => getComputedStyle(td).backgroundColor"
    work_bg = full.cell(clerk, 12).locator("xpath=..").evaluate(colour)
    assert full.cell(clerk, 1).locator("xpath=..").evaluate(colour) != work_bg
    assert full.cell(clerk, 11).locator("xpath=..").evaluate(colour) != work_bg
    # Before the joiner's first day the cells are read-only and say why.
    early = joiner.cell(clerk, 12)
    expect(early).to_have_attribute("readonly", "")
    expect(early).to_have_attribute("title", re.compile(
        rf"2026年10月12日 不在此人的在岗期间（2026年10月{JOINS.day}日 至 2026年12月31日）"))
    expect(clerk.locator(f"#w{joiner.id}")).to_contain_text(f"2026年10月{JOINS.day}日")
    expect(joiner.cell(clerk, JOINS.day)).not_to_have_attribute("readonly", "")

    fill = clerk.locator("#fill-range")
    expect(fill.locator("legend")).to_have_text("批量填充")
    expect(fill.get_by_label("全部")).to_be_checked()
    fill.get_by_label("从").select_option("1")
    fill.get_by_label("到").select_option("31")
    fill.get_by_label("考勤").select_option(label="出勤")
    expect(fill.get_by_label("只填工作日")).to_be_checked()
    fill.get_by_role("button", name="填充", exact=True).click()
    filled = sum(len(h.window_days) for h in holders)
    expect(clerk.locator("#fill-result")).to_have_text(f"已填入 {filled} 格，尚未保存。")
    expect(clerk).to_have_url(grid_url)  # filled in place, nothing posted
    expect(full.cell(clerk, 1)).to_have_value("")  # a holiday stays empty
    expect(full.cell(clerk, 10)).to_have_value("√")  # the adjusted working day is filled
    expect(early).to_have_value("")  # read-only cells are skipped
    for holder in holders:
        expect_totals(clerk, holder)

    # Keyboard: 2 half day, 3 leave (each moves right), an arrow skips a day, 4 absent.
    marked.cell(clerk, 12).focus()
    clerk.keyboard.press("2")
    expect(marked.cell(clerk, 13)).to_be_focused()
    clerk.keyboard.press("3")
    clerk.keyboard.press("ArrowRight")
    clerk.keyboard.press("4")
    expect(marked.cell(clerk, 16)).to_be_focused()
    marked.marks.update({date(YEAR, MONTH, 12): Mark.HALF, date(YEAR, MONTH, 13): Mark.LEAVE,
                         date(YEAR, MONTH, 15): Mark.ABSENT})
    for day, mark in ((12, Mark.HALF), (13, Mark.LEAVE), (14, Mark.PRESENT), (15, Mark.ABSENT)):
        expect(marked.cell(clerk, day)).to_have_value(SYMBOL[mark])
    clerk.keyboard.press("ArrowDown")  # onto the joiner's row, 16 Oct: before the joiner started
    expect(joiner.cell(clerk, 16)).to_be_focused()
    clerk.keyboard.press("1")  # refused in place: the cell is read-only
    expect(joiner.cell(clerk, 16)).to_have_value("")
    expect(clerk.locator("#cell-info")).to_contain_text("不在此人的在岗期间")
    for holder in holders:
        expect_totals(clerk, holder)  # live, before saving
    expect(clerk.locator("#grid-dirty")).to_have_text(f"已改动 {filled} 格，尚未保存。")
    shot(clerk, "payroll-journey-grid-typed")
    clerk.locator("#save-grid").click()
    expect(clerk.locator(".alert-success")).to_have_text(f"已保存 {filled} 个考勤")
    clerk.reload()  # the totals as the server counts them
    expect(clerk.locator(".alert-success")).to_have_count(0)
    for holder in holders:
        expect_totals(clerk, holder)
    expect(marked.cell(clerk, 12)).to_have_value("½")
    expect(marked.cell(clerk, 15)).to_have_value("×")
    expect(joiner.cell(clerk, 12)).to_have_value("")
    wrap = clerk.locator("#grid-wrap")  # at a 1280-px desk the month and its totals fit without scrolling sideways
    widths = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
    assert widths[0] <= widths[1], widths
    shot(clerk, "payroll-journey-grid")
    clean(clerk)

    # ---- 2. the day view on a phone ---------------------------------------------------------------------
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    log_in(phone, live_server, "clerk")
    phone.wait_for_load_state("load")  # the menu's script is in place before the tap (slow under load)
    phone.get_by_role("button", name="菜单").click()
    expect(phone.locator("#mainnav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    phone.locator("#mainnav").get_by_role("link", name="考勤", exact=True).tap()
    expect(phone.locator("main h1")).to_have_text("2026年11月3日")
    phone.locator("#prev-day").tap()
    expect(phone.locator("main h1")).to_have_text("2026年11月2日")  # a Monday
    expect(phone.locator("#day-kind")).to_have_text("星期一 · 工作日")
    expect(phone.locator("#att-marked")).to_have_text("0")
    expect(phone.locator("#att-holders")).to_have_text("3")
    day_url = phone.url
    phone.evaluate("window.__sameDocument = true")  # gone if the page were reloaded

    for holder, label in ((full, "出勤"), (marked, "半天")):
        row = phone.locator(f"#h{holder.id}")
        row.get_by_role("button", name=label, exact=True).tap()
        expect(row.locator(".att-msg")).to_have_text("已保存 ✓")
        expect(row.locator("[data-current]")).to_have_text(label)
        expect(row.get_by_role("button", name=label, exact=True)).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("#att-marked")).to_have_text("2")
    expect(phone).to_have_url(day_url)
    assert phone.evaluate("window.__sameDocument") is True
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "payroll-journey-day-phone")
    phone.reload()
    expect(phone.locator(f"#h{full.id} [data-current]")).to_have_text("出勤")
    expect(phone.locator(f"#h{marked.id} [data-current]")).to_have_text("半天")
    expect(phone.locator(f"#h{joiner.id} [data-current]")).to_have_text("未登记")
    expect(phone.locator("#att-marked")).to_have_text("2")

    phone.goto(f"{live_server}/attendance/day?day=2026-11-04")  # tomorrow: the › button is disabled today
    expect(phone.locator("#day-refused")).to_have_text("2026年11月4日 还没到：考勤只能在当天或之后登记。")
    expect(phone.locator("#holders .att-btn")).to_have_count(0)
    expect(phone.locator("#holders [data-current]")).to_have_count(3)
    shot(phone, "payroll-journey-day-phone-future")
    clean(phone)

    # ---- 3. the clerk generates and submits the October payroll ------------------------------------------
    clerk.locator("#mainnav").get_by_role("link", name="补贴发放", exact=True).click()
    october = clerk.locator("#month-2026-10")
    october.get_by_role("button", name="生成发放表").click()
    expect(clerk.locator(".alert-success")).to_have_text("补贴发放表已生成，共3行。请核对后提交。")
    payroll_url = clerk.url
    expect(clerk.locator("main h1 [data-state]")).to_have_text("草稿")
    assert full.amount == SUBSIDY and marked.amount < SUBSIDY and joiner.amount < SUBSIDY
    expect_lines(clerk, holders)
    confirm(clerk, clerk.get_by_role("button", name="提交乡镇审核"))
    expect(clerk.locator(".alert-success")).to_have_text("已提交乡镇审核，本月考勤已锁定。")
    expect(clerk.locator("main h1 [data-state]")).to_have_text("已提交待审核")
    expect(clerk.get_by_role("button", name="审核通过")).to_have_count(0)
    clean(clerk)

    clerk.goto(grid_url)  # the month is locked: every cell read-only, saying why
    lock = "2026年10月已锁定：该月补贴发放表已提交。需乡镇退回后才能修改考勤。"
    expect(clerk.locator("#month-locked")).to_have_text(lock)
    expect(clerk.locator("#att-grid td input:not([readonly])")).to_have_count(0)
    expect(marked.cell(clerk, 15)).to_have_attribute("title", re.compile(re.escape(lock)))
    expect(marked.cell(clerk, 15)).to_have_attribute("aria-describedby", "why-locked")
    clean(clerk)

    # ---- 4. reviewer returns it; the clerk corrects; reviewer2 approves -----------------------------------
    reviewer = open_page()
    log_in(reviewer, live_server, "reviewer")
    reviewer.locator("#mainnav").get_by_role("link", name="补贴发放", exact=True).click()
    expect(reviewer.locator("main h1")).to_contain_text("2026年10月")
    submitted_total = yuan(sum((h.amount for h in holders), Decimal(0)))
    waiting = reviewer.locator("#waiting tbody tr", has_text="青竹村")
    expect(waiting).to_contain_text("已提交待审核")
    expect(waiting).to_contain_text(submitted_total)
    expect(reviewer.locator("#total-amount")).to_have_text(submitted_total)
    expect(reviewer.locator(f'#queue tr[data-village="{world.ids["a1a"]}"]')).to_contain_text(submitted_total)
    shot(reviewer, "payroll-journey-queue")
    waiting.get_by_role("link", name="审核").click()
    expect(reviewer).to_have_url(payroll_url)
    expect_lines(reviewer, holders)
    shot(reviewer, "payroll-journey-detail-submitted")
    reviewer.locator("#lines").get_by_role("link", name=marked.name).click()
    formula = reviewer.locator("#formula")
    expect(formula).to_contain_text(f"min(600.00 × {days(marked.duty_days)} / {marked.month_days}, "
                                    f"600.00 × {len(marked.window_days)} / {marked.month_days})")
    expect(reviewer.locator("#line-amount")).to_have_text(yuan(marked.amount))
    day_rows = reviewer.locator("#days")
    expect(day_rows.locator('tr[data-day="2026-10-12"] td').nth(3)).to_have_text("半天")
    expect(day_rows.locator('tr[data-day="2026-10-13"] td').nth(3)).to_have_text("请假")
    expect(day_rows.locator('tr[data-day="2026-10-15"] td').nth(3)).to_have_text("旷工")
    expect(day_rows.locator('tr[data-day="2026-10-10"] td').nth(2)).to_have_text("工作日")
    expect(day_rows.locator('tr[data-day="2026-10-01"] td').nth(2)).to_have_text("法定节假日")
    shot(reviewer, "payroll-journey-line")
    clean(reviewer)
    reviewer.get_by_role("link", name="返回发放表").click()
    reason = f"{marked.name}10月15日实为出勤，请核对后更正考勤"
    decide = reviewer.locator("#decide")
    decide.get_by_label("需要村里更正的内容").fill(reason)
    confirm(reviewer, decide.get_by_role("button", name="退回村里"))
    expect(reviewer.locator(".alert-success")).to_have_text("已退回村里，该月考勤已解锁。")
    expect(reviewer.locator("main h1 [data-state]")).to_have_text("已退回")
    clean(reviewer)

    clerk.goto(payroll_url)
    expect(clerk.locator("#return-reason")).to_contain_text(reason)
    clerk.locator("#grid-link").click()
    expect(clerk.locator("#month-locked")).to_have_count(0)
    cell = marked.cell(clerk, 15)
    expect(cell).not_to_have_attribute("readonly", "")
    cell.focus()
    clerk.keyboard.press("1")
    marked.marks[date(YEAR, MONTH, 15)] = Mark.PRESENT
    expect_totals(clerk, marked)
    clerk.locator("#save-grid").click()
    expect(clerk.locator(".alert-success")).to_have_text("已保存 1 个考勤")
    expect_totals(clerk, marked)
    clean(clerk)

    clerk.goto(payroll_url)
    clerk.get_by_role("button", name="按考勤重新计算").click()
    expect(clerk.locator(".alert-success")).to_have_text("已按当前考勤重新计算。")
    expect_lines(clerk, holders)
    confirm(clerk, clerk.get_by_role("button", name="提交乡镇审核"))
    expect(clerk.locator("main h1 [data-state]")).to_have_text("已提交待审核")
    expect(clerk.get_by_role("button", name="审核通过")).to_have_count(0)  # never offered to the clerk
    expect(clerk.locator("#decide")).to_have_count(0)
    clean(clerk)

    reviewer2 = open_page()
    log_in(reviewer2, live_server, "reviewer2")
    reviewer2.goto(payroll_url)
    expect_lines(reviewer2, holders)
    confirm(reviewer2, reviewer2.locator("#decide").get_by_role("button", name="审核通过"))
    expect(reviewer2.locator(".alert-success")).to_have_text("审核通过。银行发放后请登记发放信息。")
    expect(reviewer2.locator("main h1 [data-state]")).to_have_text("审核通过待发放")
    expect(reviewer2.locator("#approved")).to_contain_text("测试reviewer2")
    clean(reviewer2)

    # ---- 5. reviewer records the payment ----------------------------------------------------------------
    reviewer.goto(payroll_url)
    payment = reviewer.locator("#payment")
    expect(payment.get_by_label("发放日期")).to_have_value(TODAY.isoformat())
    payment.get_by_label("发放日期").fill(TODAY.isoformat())
    payment.get_by_label("银行批次号/流水号").fill("NX20261103-0042")
    confirm(reviewer, payment.get_by_role("button", name="登记发放"))
    expect(reviewer.locator(".alert-success")).to_have_text("发放信息已登记，本发放表已办结。")
    expect(reviewer.locator("main h1 [data-state]")).to_have_text("已发放")
    expect(reviewer.locator("#paid")).to_contain_text("2026年11月3日")
    expect(reviewer.locator("#paid")).to_contain_text("NX20261103-0042")
    # nothing more to do: the only buttons left fetch the bank file (by POST, with the CSRF token)
    expect(reviewer.locator("main").get_by_role("button")).to_have_count(2)
    expect(reviewer.locator("main form")).to_have_count(2)
    expect(reviewer.locator("#files form button")).to_have_count(2)
    shot(reviewer, "payroll-journey-detail-paid")

    # ---- 6. the files -----------------------------------------------------------------------------------
    total = sum((h.amount for h in holders), Decimal(0))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with reviewer.expect_download() as bank:
        reviewer.locator("#file-bank-csv").click()
    rows = list(csv.reader(io.StringIO(Path(bank.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:6] == ["序号", "户名", "身份证号", "开户行", "银行账号", "金额"]
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name[marked.name][4] == marked.account  # the bank file carries the full account
    assert Decimal(by_name[marked.name][5]) == marked.amount
    assert sum(Decimal(r[5]) for r in rows[1:]) == total
    clean(reviewer)

    clerk.goto(payroll_url)
    expect(clerk.locator("main h1 [data-state]")).to_have_text("已发放")
    expect(clerk.locator("main").get_by_role("button")).to_have_count(0)
    expect(clerk.locator("#file-bank-csv")).to_have_count(0)  # full accounts: township and county only
    sheet = clerk.locator("#file-sheet")
    expect(sheet).to_have_text("补贴发放表（PDF）")
    pdf = SCREENSHOTS / "payroll-journey-sheet.pdf"
    with clerk.expect_download() as download:  # the sheet opens inline for printing; Alt+click saves the link
        sheet.click(modifiers=["Alt"])
    download.value.save_as(pdf)
    text = pdf_text(pdf)
    assert "补贴发放表" in text and "青竹村" in text and "2026年10月" in text
    for holder in holders:
        assert holder.name in text
        assert mask_id(holder.id_number) in text and holder.id_number not in text
    assert f"{total:,.2f}" in text
    assert "签字" in text and "测试reviewer2" in text
    subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(SCREENSHOTS / "payroll-journey-sheet-1")], check=True)
    clean(clerk)
