"""The annual assessment report of the workshops (就业帮扶车间考核奖补情况表) in Excel.

Three sheets, Chinese like the PDF (a filing document):
- 考核奖补: a row per workshop with everything its reward rests on (stable aided employees, last year's
  and this year's tier, the watch and exit flags, the classification) and where the reward stands
  (approved by whom and when, paid when, bank reference); a 合计 row; the header frozen.
- 汇总: the year by tier, by classification and by state, the total with its amount in capitals.
- 稳定就业人员: the stable aided employees each reward counts, by workshop (resident IDs masked).
Money is a number formatted 0.00, never text.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from portal.core.clock import county_today
from portal.core.masking import mask_id
from portal.extensions import db
from portal.places.models import County
from portal.registry.models import Person
from portal.reports.cells import workbook_bytes
from portal.reports.rmb import capital_yuan
from portal.workshops.assessments.report_pdf import (
    ASSESSMENT_CN,
    CLASSIFICATION_CN,
    STATE_CN,
    ZERO,
    Names,
    class_rows,
    cn_date,
    county_day,
    tier_range,
    tier_rows,
    tiers_of,
    title_of,
    totals,
)
from portal.workshops.models import Assessment
from portal.workshops.rules import AssessmentState

MONEY = "0.00"
BOLD = Font(bold=True)
FILL = PatternFill("solid", fgColor="DDEBF7")
COLUMNS = (("序号", 6), ("乡镇", 10), ("村", 10), ("车间名称", 22), ("经营主体", 26), ("统一社会信用代码", 21),
           ("认定日期", 14), ("稳定就业帮扶人数", 10), ("上年档次", 14), ("奖补档次", 14), ("奖补金额（元）", 13),
           ("分类", 10), ("年末监测待处置", 9), ("触发退出条件", 9), ("年内退出不予奖补", 9), ("车间状态", 14),
           ("退出日期", 14), ("考核状态", 9), ("审批人", 10), ("审批日期", 14), ("发放日期", 14), ("银行流水号", 18))
REWARD_COL = 11  # 奖补金额
YES = {True: "是", False: "否"}


def _head(ws, values: Sequence, row: int) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row, col, value)
        cell.font, cell.fill = BOLD, FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _day(day: date | None) -> str:
    return cn_date(day) if day else ""


def _row(i: int, a: Assessment, names: Names) -> list:
    workshop = a.workshop
    village = workshop.village
    tiers = tiers_of(a)
    previous = tier_range(a.previous_level, tiers) if a.previous_level is not None else "（未考核）"
    approved = a.state in (AssessmentState.APPROVED, AssessmentState.PAID)
    return [i, village.township.name, village.name, workshop.name, workshop.enterprise, workshop.credit_code,
            _day(workshop.certified_on), a.stable_aided, previous, tier_range(a.level, tiers), a.reward,
            CLASSIFICATION_CN.get(a.classification, a.classification), YES[bool(a.in_watch)],
            YES[bool(a.condition_met)], YES[bool(a.withheld)], STATE_CN.get(workshop.state, workshop.state),
            _day(workshop.exited_on), ASSESSMENT_CN.get(a.state, a.state), names(a.approved_by) if approved else "",
            _day(a.approved_on) if approved else "", _day(a.paid_on), a.bank_reference]


def _main(wb: Workbook, title: str, where: str, assessments: Sequence[Assessment], names: Names) -> None:
    ws = wb.active
    ws.title = "考核奖补"
    ws.cell(1, 1, f"{title}（{where}）").font = Font(bold=True, size=14)
    _head(ws, [h for h, _w in COLUMNS], 2)
    for i, a in enumerate(assessments, start=1):
        ws.append(_row(i, a, names))
        ws.cell(ws.max_row, REWARD_COL).number_format = MONEY
    row = ws.max_row + 1
    total = sum((a.reward for a in assessments), ZERO)
    for col, value in ((1, "合计"), (4, f"{len(assessments)} 个车间"), (8, sum(a.stable_aided for a in assessments)),
                       (REWARD_COL, total)):
        cell = ws.cell(row, col, value)
        cell.font = BOLD
    ws.cell(row, REWARD_COL).number_format = MONEY
    for col, (_h, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[2].height = 30
    ws.freeze_panes = "E3"  # the header rows and the workshop's name stay in view


def _table(ws, row: int, head: str, rows: list[list], all_total: list) -> int:
    """A block of the summary sheet: a header, rows of [label, workshops, stable, reward], a 合计 row."""
    _head(ws, [head, "车间数", "稳定就业帮扶人数", "奖补金额（元）"], row)
    for values in [*rows, all_total]:
        row += 1
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            if col == 4:
                cell.number_format = MONEY
        if values is all_total:
            for col in range(1, 5):
                ws.cell(row, col).font = BOLD
    return row + 2


def _summary(wb: Workbook, title: str, where: str, year: int, assessments: Sequence[Assessment], names: Names,
             today: date) -> None:
    ws = wb.create_sheet("汇总")
    found = totals(assessments)
    ws.cell(1, 1, f"{title}（{where}）汇总").font = Font(bold=True, size=14)
    ws.cell(2, 1, "奖补标准：" + "　/　".join(found.tables))
    everyone = ["合计", found.all.workshops, found.all.stable, found.all.reward]
    row = _table(ws, 4, "奖补档次", tier_rows(found), everyone)
    row = _table(ws, row, "分类", class_rows(found), everyone)
    by_state = [[ASSESSMENT_CN[s], b.workshops, b.stable, b.reward] for s in AssessmentState
                if (b := found.by_state.get(s)) is not None]
    row = _table(ws, row, "考核状态", by_state, everyone)
    approved = [a for a in assessments if a.approved_by is not None]
    lines = [("奖补金额合计（元）", found.all.reward), ("大写", capital_yuan(found.all.reward)),
             ("年内退出不予奖补（个）", found.withheld),
             ("审批人", "、".join(dict.fromkeys(n for a in approved if (n := names(a.approved_by))))),
             ("审批日期", "、".join(sorted({cn_date(a.approved_on) for a in approved if a.approved_on}))),
             ("核算日期", cn_date(max((county_day(a.computed_at) for a in assessments if a.computed_at),
                                     default=None)) if assessments else ""),
             ("制表日期", cn_date(today)), ("考核年度", f"{year}年")]
    for label, value in lines:
        ws.cell(row, 1, label).font = BOLD
        cell = ws.cell(row, 2, value)
        if isinstance(value, Decimal):
            cell.number_format = MONEY
        row += 1
    for col, width in enumerate((24, 28, 18, 16), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A4"


def _people(wb: Workbook, assessments: Sequence[Assessment]) -> None:
    ws = wb.create_sheet("稳定就业人员")
    _head(ws, ["车间名称", "村", "序号", "姓名", "身份证号"], 1)
    ids = {a.id: [int(p) for p in a.stable_person_ids.split(",") if p.strip().isdigit()] for a in assessments}
    wanted = sorted({p for group in ids.values() for p in group})
    people: dict[int, Person] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        people.update({p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(chunk))).scalars()})
    for a in assessments:
        found = sorted((people[p] for p in ids[a.id] if p in people), key=lambda p: (p.name, p.id))
        for i, person in enumerate(found, start=1):
            ws.append([a.workshop.name, a.workshop.village.name, i, person.name, mask_id(person.id_number)])
    for col, width in enumerate((24, 12, 6, 12, 22), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"


def assessment_report(county: County, year: int, assessments: Sequence[Assessment], *, place: str = "",
                      today: date | None = None) -> bytes:
    """就业帮扶车间考核奖补情况表 of a county's year (or the part `place` names) as an Excel workbook."""
    today = today or county_today()
    assessments = list(assessments)
    title, where, names = title_of(year), f"{county.name}{place}", Names()
    wb = Workbook()
    _main(wb, title, where, assessments, names)
    _summary(wb, title, where, year, assessments, names, today)
    _people(wb, assessments)
    return workbook_bytes(wb)
