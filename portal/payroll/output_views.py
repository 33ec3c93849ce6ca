"""Payroll files: the payroll sheet PDF (补贴发放表), the bank batch file, the village payroll ledger.

Who may download what: the sheets and the ledger, anyone whose scope covers the payroll or village
(the township sheet: the township's reviewer and the county roles); the bank file, with its full
accounts, only the township reviewer and the county admin (403 for the others). Another place's
payroll, township or village is a 404.
"""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, redirect, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.core.access import Role, get_scoped_or_404, require_role, scoped
from portal.core.errors import DomainError
from portal.extensions import db
from portal.payroll import bank_file
from portal.payroll.ledger_export import village_ledger as ledger_workbook
from portal.payroll.models import Payroll
from portal.payroll.sheet_pdf import township_sheet, village_sheet
from portal.places.models import Township, Village

bp = Blueprint("payroll_files", __name__, url_prefix="/payroll")
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
YEARS = range(2000, 2101)


def _file(data: bytes, mimetype: str, name: str, *, attachment: bool = True):
    """Send a file; Werkzeug writes the Chinese name as RFC 5987 filename* with an ASCII fallback.

    send_file says no-cache (stored, revalidated); these files hold personal data, so no-store.
    """
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=attachment, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _stem(payroll: Payroll) -> str:
    return f"{payroll.village.name}-{payroll.year}年{payroll.month}月"


def _back(payroll: Payroll):
    """Where a refused download returns: the payroll's page when there is one."""
    if "payroll_pages.detail" in current_app.view_functions:
        return redirect(url_for("payroll_pages.detail", payroll_id=payroll.id))
    return redirect(url_for("home.index"))


@bp.get("/<int:payroll_id>/sheet.pdf")
@login_required
def sheet_pdf(payroll_id: int):
    payroll = get_scoped_or_404(Payroll, payroll_id)
    return _file(village_sheet(payroll), PDF, f"补贴发放表-{_stem(payroll)}.pdf", attachment=False)


@bp.get("/township/<int:township_id>/<int:year>/<int:month>/sheet.pdf")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER, Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN)
def township_sheet_pdf(township_id: int, year: int, month: int):
    township = get_scoped_or_404(Township, township_id)
    if year not in YEARS or not 1 <= month <= 12:
        abort(404)
    stmt = scoped(select(Payroll), Payroll, current_user).join(Village, Payroll.village_id == Village.id).where(
        Village.township_id == township.id, Payroll.year == year, Payroll.month == month).options(
        selectinload(Payroll.lines))
    payrolls = db.session.execute(stmt).scalars().all()
    return _file(township_sheet(township, year, month, payrolls), PDF,
                 f"补贴发放表-{township.name}-{year}年{month}月.pdf", attachment=False)


def _bank(payroll_id: int, make, ext: str, mimetype: str):
    payroll = get_scoped_or_404(Payroll, payroll_id)
    try:
        data = make(current_user, payroll)
    except DomainError as err:
        flash(err.message, "danger")
        return _back(payroll)
    return _file(data, mimetype, f"补贴代发-{_stem(payroll)}.{ext}")


# The bank file carries full accounts and every download is audited: fetched by POST with the CSRF token, so a link
# on another site cannot make a user's browser download it (and plant an audit row in their name).
@bp.post("/<int:payroll_id>/bank.csv")
@login_required
@require_role(*bank_file.MAY_DOWNLOAD)
def bank_csv(payroll_id: int):
    return _bank(payroll_id, bank_file.bank_csv, "csv", CSV)


@bp.post("/<int:payroll_id>/bank.xlsx")
@login_required
@require_role(*bank_file.MAY_DOWNLOAD)
def bank_xlsx(payroll_id: int):
    return _bank(payroll_id, bank_file.bank_xlsx, "xlsx", XLSX)


@bp.get("/ledger/<int:village_id>/<int:year>.xlsx")
@login_required
def village_ledger(village_id: int, year: int):
    village = get_scoped_or_404(Village, village_id)
    if year not in YEARS:
        abort(404)
    return _file(ledger_workbook(village, year), XLSX, f"补贴发放台账-{village.name}-{year}年.xlsx")
