"""The audit report (审计报告) of a period as PDF: a county document, so Chinese whatever the reader's
language (like the payroll sheet and the workshop assessment), with the CJK font embedded and
"第 x 页 共 N 页" on every page. Sections: the overall figures (at stake / confirmed / recovered and the
recovery rate), the findings by detector and by township, the largest cases with their evidence, and the
field-check samples with the estimated faulty share and its confidence interval. Personal data only
masked (the evidence sentences carry masked values)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from portal.audit import findings as service
from portal.audit.desk import report_data
from portal.audit.rules import Month
from portal.audit.sampling.rules import Method
from portal.core.clock import county_today
from portal.reports.pdf import font, para, render_counted, styles

WIDTH = 186 * mm  # A4 portrait less two 12 mm margins
HEADER_FILL = colors.HexColor("#e8f0ea")
STATE_CN = {"open": "待答复", "responded": "已答复", "closed": "已办结"}
DECISION_CN = {"confirmed": "属实", "dismissed": "不属实"}


def yuan(value: Decimal) -> str:
    return f"{value:,.2f}"


def cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def finding_period(f) -> str:
    """2026年10月, 2026年 (a whole year), or 2026年1月至6月."""
    start, end = f.period_start, f.period_end
    if start.day == 1 and start.month == 1 and end.month == 12 and end.day == 31 and start.year == end.year:
        return f"{start.year}年"
    if start.year == end.year and start.month == end.month:
        return f"{start.year}年{start.month}月"
    return f"{start.year}年{start.month}月至{end.year}年{end.month}月"


def _cell(text: str) -> Paragraph:
    from xml.sax.saxutils import escape

    return Paragraph(escape(text).replace("\n", "<br/>"), styles()["cell"])


def _head(text: str) -> Paragraph:
    """A header cell that wraps inside its column, centred."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    return Paragraph(text, ParagraphStyle("head", parent=styles()["cell"], alignment=TA_CENTER))


def _table(rows: list[list], widths: Sequence[float], *, total_row: bool = False, right_from: int = 1) -> Table:
    head = [[_head(c) if isinstance(c, str) else c for c in rows[0]]]
    body = head + [[_cell(c) if isinstance(c, str) and len(c) > 14 else c for c in row] for row in rows[1:]]
    table = Table(body, colWidths=[w * mm for w in widths], repeatRows=1)
    style = [("FONT", (0, 0), (-1, -1), font(), 9, 12), ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
             ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL), ("ALIGN", (0, 0), (-1, 0), "CENTER"),
             ("ALIGN", (right_from, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    if total_row:
        style.append(("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL))
    table.setStyle(TableStyle(style))
    return table


SUM_HEAD = ["问题数", "待答复", "已答复", "已办结", "涉及金额（元）", "核实金额（元）", "追回金额（元）"]
SUM_WIDTHS = (44, 14, 14, 14, 14, 29, 29, 28)


def _sum_row(label: str, s: report_data.Sums) -> list:
    return [label, str(s.findings), str(s.open), str(s.responded), str(s.closed), yuan(s.at_stake),
            yuan(s.confirmed), yuan(s.recovered)]


def _overview(r: report_data.Report) -> list:
    t = r.total
    text = (f"本期（{r.period_text}）县级审计共发现问题 {t.findings} 项，涉及金额 {yuan(t.at_stake)} 元；"
            f"其中待乡镇答复 {t.open} 项，已答复待办结 {t.responded} 项，已办结 {t.closed} 项。"
            f"经核实属实的问题涉及金额 {yuan(t.confirmed)} 元，已追回 {yuan(t.recovered)} 元，追回率 {t.rate}"
            f"（已追回金额 ÷ 核实金额）。")
    money = _table([["涉及金额（元）", "核实金额（元）", "追回金额（元）", "追回率"],
                    [yuan(t.at_stake), yuan(t.confirmed), yuan(t.recovered), t.rate]], (50, 50, 50, 36), right_from=0)
    return [para("一、总体情况", "heading"), para(text), money]


def _by_detector(r: report_data.Report) -> list:
    rows = [["审计规则", *SUM_HEAD]]
    rows += [_sum_row(r.detector(code), s) for code, s in r.by_detector.items()]
    rows.append(_sum_row("合计", r.total))
    return [para("二、按审计规则汇总", "heading"), _table(rows, SUM_WIDTHS, total_row=True)]


def _by_township(r: report_data.Report) -> list:
    rows = [["乡镇", *SUM_HEAD]]
    rows += [_sum_row(r.township_names.get(tid, "（未归属乡镇）"), s) for tid, s in r.by_township.items()]
    rows.append(_sum_row("合计", r.total))
    return [para("三、按乡镇汇总", "heading"), _table(rows, SUM_WIDTHS, total_row=True)]


def _largest(r: report_data.Report) -> list:
    out = [para(f"四、重点问题（按涉及金额排序，前{report_data.LARGEST}项）", "heading")]
    cases = r.largest
    if not cases:
        return [*out, para("本期未发现问题。")]
    rows = [["序号", "审计规则", "地点", "期间", "涉及金额（元）", "状态", "问题描述"]]
    for i, f in enumerate(cases, start=1):
        state = STATE_CN.get(f.state, f.state)
        if f.state == "closed":
            state += f"（{DECISION_CN.get(f.decision, f.decision)}，追回{yuan(f.amount_recovered or Decimal(0))}）"
        rows.append([str(i), r.detector(f.detector), r.place(f), finding_period(f), yuan(f.amount_at_stake),
                     _cell(state), _cell(service.evidence_of(f))])
    table = _table(rows, (9, 20, 24, 23, 22, 20, 68), right_from=4)
    table.setStyle(TableStyle([("ALIGN", (5, 1), (-1, -1), "LEFT"), ("ALIGN", (0, 1), (0, -1), "CENTER"),
                               ("VALIGN", (0, 1), (-1, -1), "TOP")]))
    return [*out, table]


def _method_text(s) -> str:
    if s.method == Method.CONFIDENCE:
        return f"置信水平{s.confidence}%，误差{s.margin}%"
    return f"按比例{s.percent}%（每个乡镇至少1条）"


def _samples(r: report_data.Report) -> list:
    out = [para("五、抽查情况", "heading")]
    if not r.samples:
        return [*out, para("本期未开展抽查。")]
    rows = [["样本", "期间", "抽样方法", "随机种子", "总体（条）", "抽取", "已核查", "不符",
             "估计不符比例（置信区间）"]]
    for s, p in r.samples:
        if p.estimate:
            e = p.estimate
            estimate = (f"{e.share:.1%}（{e.confidence:g}%区间 {e.low:.1%}～{e.high:.1%}，"
                        f"约{p.faulty_low}～{p.faulty_high}条）")
        else:
            estimate = "尚未核查"
        rows.append([f"第{s.id}号", s.period, _method_text(s), str(s.seed), str(s.population), str(s.size),
                     str(p.checked), str(p.failed), _cell(estimate)])
    table = _table(rows, (13, 16, 30, 20, 16, 12, 14, 11, 54), right_from=3)
    notes = [para(f"第{s.id}号样本容量计算：{s.formula}", "small") for s, _p in r.samples if s.formula]
    return [*out, table, Spacer(1, 2 * mm), *notes,
            para("说明：抽查按乡镇分层、按比例分配，每个乡镇至少抽取1条；同一随机种子可重现同一样本。"
                 "不符比例的区间为Wilson得分区间；任一项核查不符即记为问题（抽查不符）。", "small")]


def audit_report(county_id: int, first: Month, last: Month, *, today: date | None = None) -> bytes:
    """审计报告 of the county for first..last (PDF bytes)."""
    today = today or county_today()
    with force_locale("zh_CN"):
        r = report_data.build(county_id, first, last)
        title = f"{r.county.name}乡村公益性岗位审计报告"
        story: list = [para(title, "title"),
                       para(f"审计期间：{r.period_text}　　制表日期：{cn_date(today)}", "subtitle"),
                       *_overview(r), *_by_detector(r), *_by_township(r), *_largest(r),
                       KeepTogether(_samples(r)),
                       Spacer(1, 6 * mm),
                       para("县级审计员（签字）：__________　　　　县级主管部门（盖章）", "body")]
        return render_counted(story, title=title, footer=f"{title} · {r.period_text}")
