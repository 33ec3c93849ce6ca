"""The audit report (审计报告) of a period in Excel, Chinese like the PDF: a sheet of the findings with their
evidence, a sheet of the field-check lines with their answers, and a summary sheet. Money is a number
formatted 0.00; resident IDs and accounts are masked; text that a spreadsheet would run as a formula is
kept as text."""

from __future__ import annotations

import io

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.audit import findings as service
from portal.audit.desk import report_data
from portal.audit.desk.report_pdf import DECISION_CN, STATE_CN, finding_period
from portal.audit.rules import Month
from portal.audit.sampling import service as sampling
from portal.core.masking import mask_account, mask_id
from portal.reports.cells import neutralise

MONEY = "0.00"
BOLD = Font(bold=True)
FILL = PatternFill("solid", fgColor="E8F0EA")
ANSWER = {True: "是", False: "否", None: "未核查"}


def _sheet(ws, head: list[tuple[str, int]], rows: list[list], money_cols: tuple[int, ...] = ()) -> None:
    for col, (title, width) in enumerate(head, start=1):
        cell = ws.cell(1, col, title)
        cell.font, cell.fill = BOLD, FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(r, c, neutralise(value))
            if c in money_cols:
                cell.number_format = MONEY
            cell.alignment = Alignment(vertical="top", wrap_text=isinstance(value, str) and len(value) > 20)
    ws.freeze_panes = "A2"


def _findings(ws, r: report_data.Report) -> None:
    head = [("编号", 8), ("审计规则", 16), ("乡镇", 10), ("村", 10), ("期间", 14), ("严重程度", 8),
            ("涉及金额（元）", 14), ("状态", 8), ("结论", 8), ("追回金额（元）", 14), ("问题描述（证据）", 70),
            ("乡镇答复", 30), ("整改措施", 30), ("办结说明", 30)]
    severity = {"high": "高", "medium": "中", "low": "低"}
    rows = []
    for f in sorted(r.findings, key=lambda f: (-f.amount_at_stake, f.id)):
        village, township = r.places.get(f.village_id, ("", r.township_names.get(f.township_id, "")))
        rows.append([f.id, r.detector(f.detector), township, village, finding_period(f),
                     severity.get(f.severity, f.severity), f.amount_at_stake, STATE_CN.get(f.state, f.state),
                     DECISION_CN.get(f.decision, ""), f.amount_recovered, service.evidence_of(f), f.response,
                     f.action_taken, f.close_note])
    _sheet(ws, head, rows, money_cols=(7, 10))


def _checks(ws, r: report_data.Report) -> None:
    head = [("样本", 8), ("样本期间", 10), ("随机种子", 12), ("乡镇", 10), ("村", 10), ("姓名", 10),
            ("身份证号", 22), ("岗位", 14), ("月份", 10), ("金额（元）", 12), ("账户", 22), ("本人确认在岗", 10),
            ("金额相符", 10), ("账户为本人", 10), ("核查说明", 40), ("核查时间", 18), ("问题编号", 10)]
    rows = []
    for s, _p in r.samples:
        for v in sampling.line_views(s):
            line, pl = v.line, v.payroll_line
            rows.append([s.id, s.period, s.seed, v.township, v.village, pl.person_name, mask_id(pl.id_number),
                         pl.post_title, f"{v.payroll.year}-{v.payroll.month:02d}", pl.amount,
                         mask_account(pl.bank_account), ANSWER[line.on_duty_confirmed], ANSWER[line.amount_matches],
                         ANSWER[line.account_is_own], line.note,
                         line.checked_at.strftime("%Y-%m-%d %H:%M") if line.checked_at else "", line.finding_id])
    _sheet(ws, head, rows, money_cols=(10,))


def _summary(ws, r: report_data.Report) -> None:
    head = [("项目", 24), ("问题数", 10), ("涉及金额（元）", 16), ("核实金额（元）", 16), ("追回金额（元）", 16),
            ("追回率", 10)]
    rows = [["审计期间：" + r.period_text, None, None, None, None, None]]
    rows += [[f"规则：{r.detector(code)}", s.findings, s.at_stake, s.confirmed, s.recovered, s.rate]
             for code, s in r.by_detector.items()]
    rows += [[f"乡镇：{r.township_names.get(tid, '（未归属乡镇）')}", s.findings, s.at_stake, s.confirmed, s.recovered,
              s.rate] for tid, s in r.by_township.items()]
    t = r.total
    rows.append(["合计", t.findings, t.at_stake, t.confirmed, t.recovered, t.rate])
    _sheet(ws, head, rows, money_cols=(3, 4, 5))


def audit_report_xlsx(county_id: int, first: Month, last: Month) -> bytes:
    """审计报告 of the county for first..last as an Excel workbook (bytes)."""
    with force_locale("zh_CN"):
        r = report_data.build(county_id, first, last)
        wb = Workbook()
        _findings(wb.active, r)
        wb.active.title = "审计发现"
        _checks(wb.create_sheet("抽查核查"), r)
        _summary(wb.create_sheet("汇总"), r)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
