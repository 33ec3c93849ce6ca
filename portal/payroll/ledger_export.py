"""The village's payroll ledger (公益性岗位补贴发放台账) for a year, in Excel.

Two sheets, as a village keeps its ledger on paper:
- 发放台账: a row per person, a column per month (the amount of that month's payroll, adjustments
  included), the year's total; a second header row says what state each month's payroll is in
  (草稿 … 已发放), so an unpaid month is never mistaken for a paid one; a 合计 row at the bottom.
- 明细: every payroll line of the year with its days, standard and amount, adjustments with the
  month they correct and why, and the payment date and bank reference of the month.
IDs and accounts are masked (this is not the bank file). Money is a number formatted 0.00; the
header rows are frozen. The text is Chinese: a filing document, like the payroll sheet.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.core.masking import mask_account, mask_id
from portal.extensions import db
from portal.payroll.models import Payroll
from portal.payroll.sheet_pdf import STATE_CN, cn_date
from portal.places.models import Village
from portal.reports.cells import workbook_bytes

MONEY = "0.00"
BOLD = Font(bold=True)
FILL = PatternFill("solid", fgColor="DDEBF7")
ZERO = Decimal("0.00")
DETAIL_COLUMNS = (("月份", 10), ("状态", 10), ("序号", 6), ("姓名", 10), ("身份证号", 21), ("岗位", 18),
                  ("类别", 8), ("应出勤天数", 10), ("实际出勤天数", 12), ("出勤", 6), ("半天", 6), ("请假", 6),
                  ("旷工", 6), ("补贴标准", 10), ("发放金额", 11), ("调整月份", 10), ("调整原因", 24),
                  ("开户行", 16), ("银行账号", 21), ("发放日期", 14), ("银行流水号", 18))


def _payrolls(village: Village, year: int) -> list[Payroll]:
    stmt = (select(Payroll).where(Payroll.village_id == village.id, Payroll.year == year)
            .options(selectinload(Payroll.lines)).order_by(Payroll.month))
    return list(db.session.execute(stmt).scalars())


def _head(ws, values: list, row: int) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, value)
        cell.font, cell.fill = BOLD, FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _by_person(payrolls: list[Payroll]) -> dict[int, dict]:
    people: dict[int, dict] = {}
    for p in payrolls:
        for line in p.lines:
            entry = people.setdefault(line.person_id, {"name": line.person_name, "id": mask_id(line.id_number),
                                                       "posts": [], "months": {}})
            if line.post_title not in entry["posts"]:
                entry["posts"].append(line.post_title)
            entry["months"][p.month] = entry["months"].get(p.month, ZERO) + line.amount
    return people


def _summary(wb: Workbook, village: Village, year: int, payrolls: list[Payroll]) -> None:
    ws = wb.active
    ws.title = "发放台账"
    by_month = {p.month: p for p in payrolls}
    ws.cell(1, 1, f"{village.township.name}{village.name} {year}年公益性岗位补贴发放台账").font = Font(bold=True,
                                                                                                size=14)
    _head(ws, ["序号", "姓名", "身份证号", "岗位", *[f"{m}月" for m in range(1, 13)], "全年合计"], 2)
    _head(ws, ["", "", "", "状态", *[STATE_CN.get(by_month[m].state, by_month[m].state) if m in by_month else "未生成"
                                    for m in range(1, 13)], ""], 3)
    people = _by_person(payrolls)
    row = 3
    for i, entry in enumerate(people.values(), start=1):
        row += 1
        amounts = [entry["months"].get(m) for m in range(1, 13)]
        values = [i, entry["name"], entry["id"], "、".join(entry["posts"]), *amounts,
                  sum((a for a in amounts if a is not None), ZERO)]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            if col >= 5:
                cell.number_format = MONEY
    row += 1
    totals = [sum((e["months"].get(m, ZERO) for e in people.values()), ZERO) if m in by_month else None
              for m in range(1, 13)]
    year_total = sum((t for t in totals if t is not None), ZERO)
    for col, value in enumerate(["合计", f"{len(people)} 人", "", "", *totals, year_total], start=1):
        cell = ws.cell(row, col, value)
        cell.font = BOLD
        if col >= 5:
            cell.number_format = MONEY
    for col, width in enumerate([6, 10, 21, 18, *[11] * 12, 13], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "E4"


def _details(wb: Workbook, payrolls: list[Payroll]) -> None:
    ws = wb.create_sheet("明细")
    _head(ws, [h for h, _w in DETAIL_COLUMNS], 1)
    for p in payrolls:
        state = STATE_CN.get(p.state, p.state)
        for i, ln in enumerate(p.lines, start=1):
            adjustment = ln.kind == "adjustment"
            ws.append([
                f"{p.year}年{p.month}月", state, i, ln.person_name, mask_id(ln.id_number), ln.post_title,
                "调整" if adjustment else "在岗补贴", None if adjustment else ln.required_days,
                *((None,) * 6 if adjustment else (ln.duty_days, ln.present_days, ln.half_days, ln.leave_days,
                                                   ln.absent_days, ln.subsidy)), ln.amount,
                f"{ln.adjusts_year}年{ln.adjusts_month}月" if adjustment and ln.adjusts_year else "", ln.reason,
                ln.bank_name, mask_account(ln.bank_account), cn_date(p.paid_on) if p.paid_on else "",
                p.bank_reference])
            for col in (14, 15):
                ws.cell(ws.max_row, col).number_format = MONEY
    for col, (_h, width) in enumerate(DETAIL_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def village_ledger(village: Village, year: int) -> bytes:
    """The village's year of payrolls: a row per person and a column per month, and every line in detail."""
    payrolls = _payrolls(village, year)
    wb = Workbook()
    _summary(wb, village, year, payrolls)
    _details(wb, payrolls)
    return workbook_bytes(wb)
