"""Workshop files: the annual assessment report (就业帮扶车间考核奖补情况表) as PDF and Excel, and the
follow-up list of an exit's aided employees (摘牌后帮扶对象跟踪名单) in Excel.

Who may download what: every logged-in role, for the workshops of their scope — the county roles the
county's, a township reviewer their township's, a village clerk their village's (the document says
which part of the county it covers). Another place's exit is a 404. Resident IDs and phones are masked.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, send_file
from flask_babel import force_locale
from flask_login import current_user, login_required
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.core.access import COUNTY_ROLES, Role, get_scoped_or_404
from portal.core.clock import county_today
from portal.core.masking import mask_id, mask_phone
from portal.extensions import db
from portal.places.models import County
from portal.registry.labels import EMPLOYMENT, label
from portal.reports.cells import workbook_bytes
from portal.workshops.assessments import report_pdf, report_xlsx
from portal.workshops.assessments import service as assessments_service
from portal.workshops.exits import service as exits
from portal.workshops.models import WorkshopExit

bp = Blueprint("workshop_files", __name__, url_prefix="/workshops")
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEARS = range(2000, 2101)


def _file(data: bytes, mimetype: str, name: str, *, attachment: bool = True):
    """Send a file (a Chinese name as RFC 5987 filename*); these hold personal data, so no-store."""
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=attachment, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _where(user) -> tuple[County, str]:
    """The user's county, and the part of it the report covers ("" for the whole county)."""
    county = db.session.get(County, user.scope_county_id)
    if Role(user.role) in COUNTY_ROLES:
        return county, ""
    if user.role == Role.TOWNSHIP_REVIEWER:
        return county, user.township.name
    return county, f"{user.village.township.name}{user.village.name}"


def _report(year: int, make):
    if year not in YEARS:
        abort(404)
    county, place = _where(current_user)
    assessments = assessments_service.assessments_for(current_user, year)
    data = make(county, year, assessments, place=place, today=county_today())
    return data, f"{report_pdf.title_of(year)}-{county.name}{place}"


@bp.get("/assessments/<int:year>.pdf")
@login_required
def assessment_pdf(year: int):
    """就业帮扶车间考核奖补情况表 of the year for the user's scope, as PDF (shown in the browser)."""
    data, stem = _report(year, report_pdf.assessment_report)
    return _file(data, PDF, f"{stem}.pdf", attachment=False)


@bp.get("/assessments/<int:year>.xlsx")
@login_required
def assessment_xlsx(year: int):
    """The same report as an Excel workbook."""
    data, stem = _report(year, report_xlsx.assessment_report)
    return _file(data, XLSX, f"{stem}.xlsx")


FOLLOWUP_COLUMNS = (("序号", 6), ("姓名", 10), ("身份证号", 21), ("户籍村", 12), ("联系电话", 14), ("入职日期", 14),
                    ("最后工作日", 14), ("月工资（元）", 12), ("就业状态（台账）", 14), ("跟踪帮扶情况", 30))


def _status(code: str) -> str:
    """The register's employment status in the document's language (Chinese, whatever the reader's)."""
    with force_locale("zh_CN"):
        return label(EMPLOYMENT, code)


def followup_workbook(exit: WorkshopExit, today) -> bytes:
    """The aided employees an exit leaves without this work (they need new work), for the township to follow up."""
    rows = exits.followup(exit, today)
    workshop = exit.workshop
    wb = Workbook()
    ws = wb.active
    ws.title = "跟踪名单"
    effective = report_pdf.cn_date(exit.effective_on) if exit.effective_on else "（待审批）"
    ws.cell(1, 1, f"{workshop.name} 摘牌后帮扶对象跟踪名单").font = Font(bold=True, size=14)
    ws.cell(2, 1, f"{workshop.village.township.name}{workshop.village.name}　经营主体：{workshop.enterprise}　"
                  f"退出生效日期：{effective}　制表日期：{report_pdf.cn_date(today)}")
    for col, (head, width) in enumerate(FOLLOWUP_COLUMNS, start=1):
        cell = ws.cell(3, col, head)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    for i, row in enumerate(rows, start=1):
        person = row.person
        ws.append([i, person.name, mask_id(person.id_number), person.household.village.name, mask_phone(person.phone),
                   report_pdf.cn_date(row.hire_date), report_pdf.cn_date(row.leave_date) if row.leave_date else "",
                   row.monthly_wage, _status(person.employment_status), ""])
        ws.cell(ws.max_row, 8).number_format = "0.00"
    ws.freeze_panes = "C4"
    return workbook_bytes(wb)


@bp.get("/exits/<int:exit_id>/followup.xlsx")
@login_required
def exit_followup_xlsx(exit_id: int):
    """The follow-up list of an exit's aided employees, in Excel."""
    exit = get_scoped_or_404(WorkshopExit, exit_id)
    return _file(followup_workbook(exit, county_today()), XLSX, f"摘牌跟踪名单-{exit.workshop.name}.xlsx")
