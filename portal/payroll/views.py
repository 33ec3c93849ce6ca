"""Payroll pages: the village's payrolls, the township and county queue, a payroll and its lines, arrears."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from portal.core.access import COUNTY_ROLES, Role, get_scoped_or_404, require_role
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.i18n import month_label
from portal.core.masking import mask_account, mask_id
from portal.extensions import db
from portal.payroll import (
    home,  # noqa: F401  (registers the home-page items)
    labels,
    queries,
    review,
    service,
)
from portal.payroll.forms import ActionForm, AdjustmentForm, GenerateForm, PaymentForm, ReturnForm
from portal.payroll.models import Payroll, PayrollLine
from portal.payroll.rules import EDITABLE, LineFlag, PayrollState
from portal.places.models import Village

bp = Blueprint("payroll_pages", __name__, url_prefix="/payroll")
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
BANK_ROLES = (Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
WAITING = (PayrollState.SUBMITTED.value, PayrollState.APPROVED.value)  # the township's own queue


@bp.context_processor
def _vocabulary():
    return {"plabels": labels, "state_label": labels.state_label, "mask_id": mask_id, "mask_account": mask_account,
            "ym": lambda year, month: month_label(date(year, month, 1)), "has_endpoint": _has_endpoint}


def _has_endpoint(name: str) -> bool:
    """Links to other features' pages (the payroll files, the attendance grid) appear once those exist."""
    return name in current_app.view_functions


def _month_arg(default: tuple[int, int]) -> tuple[int, int]:
    found = MONTH.match(request.args.get("month", ""))
    if found and 2000 <= int(found.group(1)) <= 2100 and 1 <= int(found.group(2)) <= 12:
        return int(found.group(1)), int(found.group(2))
    return default


# ---- the list and the queue -------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    today = service.county_today()
    if current_user.role == Role.VILLAGE_CLERK:
        return _clerk_index(today)
    year, month = _month_arg(queries.add_months(today.year, today.month, -1))
    state = request.args.get("state", "")
    state = state if state in {*PayrollState, "missing", "due"} else ""
    townships = queries.townships(current_user)
    township_id = current_user.township_id
    if current_user.role in COUNTY_ROLES:
        township_id = request.args.get("township", type=int)
        township_id = township_id if township_id in {t.id for t in townships} else None
    q = queries.queue(current_user, year, month, "" if state in ("missing", "due") else state, township_id)
    if state == "due":  # only the villages that need a payroll: somebody was on duty
        q.missing = [r for r in q.missing if r.holders]
    waiting, waiting_state = [], request.args.get("waiting", "")
    if current_user.role == Role.TOWNSHIP_REVIEWER:
        shown = [waiting_state] if waiting_state in WAITING else list(WAITING)
        waiting = db.session.execute(select(Payroll).join(Village, Village.id == Payroll.village_id).where(
            Village.township_id == current_user.township_id, Payroll.state.in_(shown))
            .order_by(Payroll.year, Payroll.month, Village.code)).scalars().all()
    return render_template("payroll/queue.html", q=q, year=year, month=month, state=state, townships=townships,
                           township_id=township_id, waiting=waiting, waiting_state=waiting_state,
                           ended=(year, month) < (today.year, today.month), states=list(PayrollState),
                           prev=queries.add_months(year, month, -1), next=queries.add_months(year, month, 1))


def _clerk_index(today: date):
    """The village's months; ?state= keeps the ended months without a payroll (missing) or one payroll state."""
    rows, older = queries.clerk_months(current_user, today)
    state = request.args.get("state", "")
    if state == "missing":
        wanted = set(queries.missing_months(current_user, today))
        rows, older = [r for r in rows if (r.year, r.month) in wanted], []
    elif state in set(PayrollState):
        rows = [r for r in rows if r.payroll is not None and r.payroll.state == state]
        older = [p for p in older if p.state == state]
    else:
        state = ""
    holders = {(r.year, r.month): queries.holder_counts([current_user.village_id], r.year, r.month).get(
        current_user.village_id, 0) for r in rows if r.payroll is None and r.ended}
    return render_template("payroll/index_clerk.html", rows=rows, older=older, holders=holders,
                           village=current_user.village, state=state)


@bp.post("/generate")
@login_required
@require_role(Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER)
def generate():
    form = GenerateForm()
    if not form.validate_on_submit() or not (form.village_id.data or "").isdigit():
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for("payroll_pages.index"))
    village = get_scoped_or_404(Village, int(form.village_id.data))
    year, month = form.year.data, form.month.data
    try:
        payroll = service.generate(current_user, village.id, year, month, service.county_today())
    except DomainError as err:
        flash(err.message, "danger")
        return redirect(url_for("payroll_pages.index", month=f"{year}-{month:02d}"))
    flash(_("Payroll generated: %(n)s lines. Check them, then submit.", n=payroll.line_count), "success")
    return redirect(url_for("payroll_pages.detail", payroll_id=payroll.id))


# ---- one payroll ------------------------------------------------------------------------------------


def _holder_choices(payroll: Payroll) -> list[SelectChoice]:
    return [SelectChoice(a, text) for a, text in queries.holder_choices(payroll.village_id)]


def _files(payroll: Payroll) -> list[tuple[str, str, str, bool]]:
    """(label, url, id, by POST) of the payroll's files whose routes exist and that this user may download."""
    found = []
    if _has_endpoint("payroll_files.sheet_pdf"):
        found.append((_("Payroll sheet (PDF)"), url_for("payroll_files.sheet_pdf", payroll_id=payroll.id),
                      "file-sheet", False))
    if payroll.state in (PayrollState.APPROVED, PayrollState.PAID) and current_user.role in BANK_ROLES:
        for endpoint, text, ident in (("payroll_files.bank_csv", _("Bank file (CSV)"), "file-bank-csv"),
                                      ("payroll_files.bank_xlsx", _("Bank file (Excel)"), "file-bank-xlsx")):
            if _has_endpoint(endpoint):
                found.append((text, url_for(endpoint, payroll_id=payroll.id), ident, True))
    if _has_endpoint("payroll_files.village_ledger"):
        found.append((_("Village payroll ledger %(year)s (Excel)", year=payroll.year),
                      url_for("payroll_files.village_ledger", village_id=payroll.village_id, year=payroll.year),
                      "file-ledger", False))
    return found


def _detail_page(payroll: Payroll, status: int = 200, **forms):
    role, state = current_user.role, payroll.state
    clerk, reviewer = role == Role.VILLAGE_CLERK, role == Role.TOWNSHIP_REVIEWER
    can_adjust = clerk and state in EDITABLE
    adjust_form = forms.get("adjust") or AdjustmentForm(prefix="adj", formdata=None, adjusts=date(
        *queries.add_months(payroll.year, payroll.month, -1), 1))
    adjust_form.appointment.choices = _holder_choices(payroll) if can_adjust else []  # shown only to the clerk
    pay_form = forms.get("pay") or PaymentForm(prefix="pay", formdata=None, paid_on=service.county_today())
    lines, adjustments = queries.lines_of(payroll.id)
    sheet = review.review(payroll, lines)
    flag = request.args.get("flag", "")
    flag = flag if flag in set(LineFlag) else ""
    return render_template(
        "payroll/detail.html", p=payroll, lines=lines, adjustments=adjustments, sheet=sheet, flag=flag,
        shown=[r for r in sheet.lines if flag in r.flags] if flag else sheet.lines, flags=list(LineFlag),
        names=queries.user_names(payroll.created_by, payroll.submitted_by, payroll.decided_by, payroll.paid_by),
        can_recompute=(clerk or reviewer) and state in EDITABLE, can_submit=clerk and state in EDITABLE,
        can_decide=reviewer and state == PayrollState.SUBMITTED, can_pay=reviewer and state == PayrollState.APPROVED,
        can_adjust=can_adjust, files=_files(payroll), action_form=ActionForm(),
        return_form=forms.get("return") or ReturnForm(prefix="return"), pay_form=pay_form, adjust_form=adjust_form,
    ), status


@bp.get("/<int:payroll_id>")
@login_required
def detail(payroll_id: int):
    return _detail_page(get_scoped_or_404(Payroll, payroll_id))


@bp.get("/<int:payroll_id>/lines/<int:line_id>")
@login_required
def line(payroll_id: int, line_id: int):
    payroll = get_scoped_or_404(Payroll, payroll_id)
    line = get_scoped_or_404(PayrollLine, line_id)
    if line.payroll_id != payroll.id:
        abort(404)
    days = queries.line_days(line, payroll) if line.kind == "duty" else None
    corrected = None
    if line.kind != "duty":
        corrected = db.session.execute(select(Payroll).where(
            Payroll.village_id == payroll.village_id, Payroll.year == line.adjusts_year,
            Payroll.month == line.adjusts_month)).scalar_one_or_none()
    return render_template("payroll/line.html", p=payroll, line=line, d=days, corrected=corrected,
                           weekdays=labels.WEEKDAY, marks=labels.MARK)


def _act(payroll_id: int, call, success: str, form_key: str | None = None, form=None):
    """One service call on a payroll of the user's scope; a refusal re-shows the page with the input kept."""
    payroll = get_scoped_or_404(Payroll, payroll_id)
    if form is not None and not form.validate_on_submit():
        return _detail_page(payroll, 400, **{form_key: form})
    if form is None and not ActionForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for("payroll_pages.detail", payroll_id=payroll_id))
    try:
        call(payroll)
    except DomainError as err:
        db.session.rollback()
        show_refusal(form, err)
        return _detail_page(get_scoped_or_404(Payroll, payroll_id), 409, **({form_key: form} if form else {}))
    flash(success, "success")
    return redirect(url_for("payroll_pages.detail", payroll_id=payroll_id))


@bp.post("/<int:payroll_id>/recompute")
@login_required
@require_role(Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER)
def recompute(payroll_id: int):
    return _act(payroll_id, lambda p: service.recompute(current_user, p),
                _("Recomputed from the attendance as it is now."))


@bp.post("/<int:payroll_id>/submit")
@login_required
@require_role(Role.VILLAGE_CLERK)
def submit(payroll_id: int):
    return _act(payroll_id, lambda p: service.submit(current_user, p),
                _("Submitted to the township. The month's attendance is locked."))


@bp.post("/<int:payroll_id>/return")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def return_(payroll_id: int):
    form = ReturnForm(prefix="return")
    return _act(payroll_id, lambda p: service.return_(current_user, p, form.reason.data),
                _("Returned to the village. Its attendance for the month is open again."), "return", form)


@bp.post("/<int:payroll_id>/approve")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def approve(payroll_id: int):
    return _act(payroll_id, lambda p: service.approve(current_user, p, service.county_today()),
                _("Approved. Record the payment once the bank has paid."))


@bp.post("/<int:payroll_id>/pay")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def pay(payroll_id: int):
    form = PaymentForm(prefix="pay")
    return _act(payroll_id, lambda p: service.record_payment(current_user, p, form.paid_on.data,
                                                             form.bank_reference.data, service.county_today()),
                _("Payment recorded. This payroll is closed."), "pay", form)


@bp.post("/<int:payroll_id>/adjustments")
@login_required
@require_role(Role.VILLAGE_CLERK)
def add_adjustment(payroll_id: int):
    form = AdjustmentForm(prefix="adj")
    form.appointment.choices = _holder_choices(get_scoped_or_404(Payroll, payroll_id))

    def call(p):
        service.add_adjustment(current_user, p, form.appointment.data, form.adjusts.data.year,
                               form.adjusts.data.month, form.amount.data, form.reason.data)

    return _act(payroll_id, call, _("Adjustment line added."), "adjust", form)


@bp.post("/<int:payroll_id>/adjustments/<int:line_id>/remove")
@login_required
@require_role(Role.VILLAGE_CLERK)
def remove_adjustment(payroll_id: int, line_id: int):
    return _act(payroll_id, lambda p: service.remove_adjustment(current_user, p, line_id),
                _("Adjustment line removed."))


# ---- arrears ----------------------------------------------------------------------------------------


@bp.get("/arrears")
@login_required
def arrears():
    return render_template("payroll/arrears.html", arrears=service.overdue(current_user, service.county_today()))
