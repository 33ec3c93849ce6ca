"""The payroll sheet (乡村公益性岗位补贴发放表) as PDF: one village's month, or a township's month.

An official document of the village committee and the township, so its text is Chinese whatever the
reader's interface language (as the agreement and the exit notice). Resident IDs are masked (PIPL):
the sheet is printed and signed by every holder. Landscape A4, the table header repeated on every
page, "第 x 页 共 N 页" in the footer; a draft or returned payroll carries a 草稿 watermark, a
submitted one 待审核.

Fast on purpose (a 2 000-line township in well under 2 s): table cells are plain strings, and only a
text too wide for its column becomes a wrapping Paragraph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from portal.accounts.models import User
from portal.core.clock import DEFAULT_ZONE, county_today
from portal.core.masking import mask_id
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.rules import PayrollState
from portal.places.models import Township
from portal.reports.pdf import Watermark, font, para, render_counted, styles
from portal.reports.rmb import capital_yuan

TITLE = "乡村公益性岗位补贴发放表"
SUMMARY_TITLE = "乡村公益性岗位补贴发放汇总表"
WIDTH = 273 * mm  # landscape A4 less two 12 mm margins
ROW = 9 * mm  # room for a signature
PAD = 3
SIZE = 9
HEADER_FILL = colors.HexColor("#e8f0ea")
STATE_CN = {PayrollState.DRAFT: "草稿", PayrollState.SUBMITTED: "待审核", PayrollState.RETURNED: "已退回",
            PayrollState.APPROVED: "审核通过", PayrollState.PAID: "已发放"}
WATERMARK = {PayrollState.DRAFT: "草稿", PayrollState.RETURNED: "草稿", PayrollState.SUBMITTED: "待审核"}

DUTY_COLUMNS = (("序号", 10), ("姓名", 22), ("身份证号", 38), ("岗位", 48), ("应出勤天数", 20),
                ("实际出勤天数", 22), ("补贴标准\n（元/月）", 28), ("发放金额\n（元）", 26), ("签字", 59))
ADJUSTMENT_COLUMNS = (("序号", 10), ("姓名", 22), ("身份证号", 38), ("岗位", 40), ("调整月份", 22),
                      ("调整金额\n（元）", 26), ("调整原因", 56), ("签字", 59))
SUMMARY_COLUMNS = (("序号", 12), ("村", 50), ("状态", 28), ("人数", 20), ("发放金额（元）", 40),
                   ("制表人", 35), ("审核人", 35), ("审核日期", 53))


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def signed(value: Decimal) -> str:
    return f"{value:+,.2f}"


def days(value: Decimal | int) -> str:
    """17 or 17.5: duty days are whole or half days."""
    value = Decimal(value)
    return f"{value:.0f}" if value == value.to_integral_value() else f"{value:.1f}"


def cn_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def county_day(moment: datetime | None) -> date | None:
    """The county's calendar day of a stored UTC timestamp."""
    if moment is None:
        return None
    zone = current_app.config.get("BABEL_DEFAULT_TIMEZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE
    return moment.astimezone(ZoneInfo(zone)).date()


def _cell_style():
    return styles()["cell"]


def _fit(rows: list[list[str]], widths: Sequence[float], columns: Iterable[int]) -> list[list[object]]:
    """Keep strings as they are (fast), except a text wider than its column: that one wraps as a Paragraph."""
    name, style = font(), _cell_style()
    limits = {c: widths[c] - 2 * PAD for c in columns}
    for row in rows:
        for c, limit in limits.items():
            text = row[c]
            if text and stringWidth(text, name, SIZE) > limit:
                row[c] = Paragraph(escape(text), style)
    return rows


class _Table(Table):
    """A Table that draws nothing for an empty cell (the signature column is a tenth of all cells)."""

    def _drawCell(self, cellval, cellstyle, pos, size):
        if cellval != "":
            super()._drawCell(cellval, cellstyle, pos, size)


def _table(caption: str, columns, rows: list[list[str]], wrap: Iterable[int], right: tuple[int, int]) -> Table:
    """A ruled table: a caption row and the column headers, both repeated on every page.

    The caption is not a SPAN: spans make ReportLab's table layout quadratic in the rows. Unruled,
    the caption simply runs on across the empty cells of its row.
    """
    widths = [w * mm for _h, w in columns]
    header = [[caption] + [""] * (len(columns) - 1), [h for h, _w in columns]]
    body = _fit(rows, widths, wrap)
    heights = [7 * mm, 10 * mm] + [None if any(isinstance(c, Paragraph) for c in r) else ROW for r in body]
    table = _Table(header + body, colWidths=widths, rowHeights=heights, repeatRows=2)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font(), SIZE, SIZE + 2),
        ("GRID", (0, 1), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 1), (-1, 1), HEADER_FILL),
        ("ALIGN", (0, 1), (-1, 1), "CENTER"),
        ("ALIGN", (0, 2), (0, -1), "CENTER"),
        ("ALIGN", (right[0], 2), (right[1], -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _plain(rows: list[list[str]], widths: Sequence[float], *, ruled: bool = True, bold_first: bool = False) -> Table:
    table = Table(rows, colWidths=list(widths))
    style = [("FONTNAME", (0, 0), (-1, -1), font()), ("FONTSIZE", (0, 0), (-1, -1), 10),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 0), (-1, -1), 4),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 4)]
    if ruled:
        style.append(("GRID", (0, 0), (-1, -1), 0.5, colors.black))
    if bold_first:
        style.append(("BACKGROUND", (0, 0), (0, -1), HEADER_FILL))
    table.setStyle(TableStyle(style))
    return table


class _Names:
    """Full names of users, loaded once per document."""

    def __init__(self):
        self.cache: dict[int, str] = {}

    def __call__(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        if user_id not in self.cache:
            user = db.session.get(User, user_id)
            self.cache[user_id] = user.full_name if user else ""
        return self.cache[user_id]


def _place(payroll: Payroll) -> tuple[str, str, str]:
    village = payroll.village
    township = village.township
    return township.county.name, township.name, village.name


def _month(payroll: Payroll) -> str:
    return f"{payroll.year}年{payroll.month}月"


def _approved(payroll: Payroll) -> bool:
    return payroll.state in (PayrollState.APPROVED, PayrollState.PAID)


def _duty_rows(lines: list[PayrollLine]) -> list[list[str]]:
    return [[str(i), ln.person_name, mask_id(ln.id_number), ln.post_title, str(ln.required_days),
             days(ln.duty_days), yuan(ln.subsidy), yuan(ln.amount), ""] for i, ln in enumerate(lines, start=1)]


def _adjustment_rows(lines: list[PayrollLine]) -> list[list[str]]:
    return [[str(i), ln.person_name, mask_id(ln.id_number), ln.post_title,
             f"{ln.adjusts_year}年{ln.adjusts_month}月" if ln.adjusts_year else "", signed(ln.amount), ln.reason, ""]
            for i, ln in enumerate(lines, start=1)]


def _totals(payroll: Payroll, duty: list[PayrollLine], adjustments: list[PayrollLine]) -> list:
    total = sum((ln.amount for ln in duty + adjustments), Decimal("0.00"))
    people = len({ln.person_id for ln in duty + adjustments})
    rows = [["合计", f"人数：{people} 人", f"发放金额合计：¥{yuan(total)}", f"大写：{capital_yuan(total)}"]]
    if adjustments:
        duty_total = sum((ln.amount for ln in duty), Decimal("0.00"))
        adjusted = sum((ln.amount for ln in adjustments), Decimal("0.00"))
        rows.append(["其中", f"出勤补贴 {len(duty)} 笔", f"出勤补贴：¥{yuan(duty_total)}",
                     f"调整 {len(adjustments)} 笔：{signed(adjusted)} 元"])
    return [_plain(rows, [18 * mm, 45 * mm, 80 * mm, 130 * mm], bold_first=True)]


def _signoff(payroll: Payroll, names: _Names) -> list:
    approved = _approved(payroll)
    paid = payroll.state == PayrollState.PAID
    blank = "__________"
    rows = [
        [f"制表人：{names(payroll.submitted_by) or blank}",
         f"提交日期：{cn_date(county_day(payroll.submitted_at))}",
         f"审核人：{names(payroll.decided_by) if approved else blank}",
         f"审核日期：{cn_date(payroll.approved_on if approved else None)}"],
        [f"发放日期：{cn_date(payroll.paid_on if paid else None)}",
         f"银行流水号：{payroll.bank_reference if paid and payroll.bank_reference else blank}",
         "村民委员会（盖章）", "乡镇人民政府（盖章）"],
    ]
    return [Spacer(1, 3 * mm), _plain(rows, [62 * mm, 78 * mm, 62 * mm, 71 * mm], ruled=False)]


def _section(payroll: Payroll, names: _Names) -> list:
    """One village's month: heading, duty lines, adjustment lines, totals, who made and approved it."""
    county, township, village = _place(payroll)
    month = _month(payroll)
    mark = WATERMARK.get(payroll.state, "")
    lines = list(payroll.lines)
    duty = [ln for ln in lines if ln.kind != "adjustment"]
    adjustments = [ln for ln in lines if ln.kind == "adjustment"]
    story: list = [
        Watermark(mark),
        para(TITLE + (f"（{mark}）" if mark else ""), "title"),
        para(f"{county}　{township}　{village}　　{month}　　状态：{STATE_CN.get(payroll.state, payroll.state)}",
             "subtitle"),
        _table(f"{village}　{month}　在岗补贴（全日制岗位应出勤 {payroll.required_days} 天）", DUTY_COLUMNS,
               _duty_rows(duty), wrap=(1, 3), right=(4, 7)),
    ]
    if adjustments:
        story += [Spacer(1, 4 * mm),
                  _table(f"{village}　{month}　调整（更正以前月份）", ADJUSTMENT_COLUMNS, _adjustment_rows(adjustments),
                         wrap=(1, 3, 6), right=(5, 5))]
    story.append(Spacer(1, 4 * mm))
    story.append(KeepTogether(_totals(payroll, duty, adjustments) + _signoff(payroll, names)))
    return story


def village_sheet(payroll: Payroll) -> bytes:
    """补贴发放表 of one village and month: every line with masked ID and a signature column; totals; sign-off."""
    _county, township, village = _place(payroll)
    story = _section(payroll, _Names())
    story.append(para(f"生成日期：{cn_date(county_today())}", "small"))
    return render_counted(story, title=f"{TITLE} {village} {_month(payroll)}", wide=True,
                          footer=f"{TITLE} · {township}{village} · {_month(payroll)}")


def _summary(township: Township, year: int, month: int, by_village: dict[int, Payroll], names: _Names) -> list:
    rows = []
    people, total = {False: 0, True: 0}, {False: Decimal("0.00"), True: Decimal("0.00")}
    for i, village in enumerate(township.villages, start=1):
        p = by_village.get(village.id)
        if p is None:
            rows.append([str(i), village.name, "未生成", "", "", "", "", ""])
            continue
        approved = _approved(p)
        heads = len({ln.person_id for ln in p.lines})
        people[approved] += heads
        total[approved] += p.total
        rows.append([str(i), village.name, STATE_CN.get(p.state, p.state), str(heads), yuan(p.total),
                     names(p.submitted_by), names(p.decided_by) if approved else "",
                     cn_date(p.approved_on) if approved else ""])
    table = _table(f"{township.name}　{year}年{month}月　各村补贴发放情况", SUMMARY_COLUMNS, rows,
                   wrap=(1, 5, 6), right=(3, 4))
    everyone, overall = people[False] + people[True], total[False] + total[True]
    totals = _plain([
        ["合计", f"人数：{everyone} 人", f"发放金额合计：¥{yuan(overall)}", f"大写：{capital_yuan(overall)}"],
        ["其中", f"审核通过及已发放：{people[True]} 人", f"金额：¥{yuan(total[True])}",
         f"未审核通过（草稿、待审核、已退回）：¥{yuan(total[False])}"],
    ], [18 * mm, 55 * mm, 80 * mm, 120 * mm], bold_first=True)
    note = para("说明：各村明细见后页；草稿、已退回和待审核的发放表页面带有水印，不作发放依据。", "small")
    return [Watermark(""), para(SUMMARY_TITLE, "title"),
            para(f"{township.county.name}　{township.name}　　{year}年{month}月", "subtitle"),
            table, Spacer(1, 4 * mm), totals, Spacer(1, 2 * mm), note,
            para(f"生成日期：{cn_date(county_today())}", "small")]


def township_sheet(township: Township, year: int, month: int, payrolls: Iterable[Payroll]) -> bytes:
    """A township's month: a summary of every village, then the 补贴发放表 of each payroll given, in village order."""
    names = _Names()
    by_village = {p.village_id: p for p in payrolls}
    story = _summary(township, year, month, by_village, names)
    for village in township.villages:
        if village.id in by_village:
            story += [PageBreak(), *_section(by_village[village.id], names)]
    return render_counted(story, title=f"{SUMMARY_TITLE} {township.name} {year}年{month}月", wide=True,
                          footer=f"{TITLE} · {township.name} · {year}年{month}月")
