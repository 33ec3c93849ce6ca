"""Monthly report pages (月调度) on the workshop_pages blueprint: a workshop's report of a month beside the aided
employees derived from its records, and the month's reports of the user's workshops (filed, missing, not due)."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.access import Role, get_scoped_or_404
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.i18n import month_label
from portal.extensions import db
from portal.workshops import labels, page_queries, queries, rules
from portal.workshops.checks import ReportData
from portal.workshops.forms import ReportForm
from portal.workshops.models import Workshop
from portal.workshops.pages import _month_arg, _roles, _today, bp, refused_status
from portal.workshops.reports import service


def _report_form(report) -> ReportForm:
    if report is None or request.method == "POST":
        return ReportForm()
    return ReportForm(operating="1" if report.operating else "0", total_employees=report.total_employees,
                      wages_paid=report.wages_paid, output_value=report.output_value, violation=report.violation,
                      violation_note=report.violation_note)


def _report_data(form: ReportForm) -> ReportData:
    violation = bool(form.violation.data)
    return ReportData(operating=form.operating.data == "1", total_employees=form.total_employees.data,
                      wages_paid=form.wages_paid.data, output_value=form.output_value.data, violation=violation,
                      violation_note=(form.violation_note.data or "") if violation else "")


def _open_month(workshop: Workshop, month: rules.Month, today: date) -> bool:
    """A report may be filed for the month: the current or an ended one, since certification, before the exit."""
    exit_day = queries.exit_day(workshop)
    return (rules.month_of(workshop.certified_on) <= month <= rules.month_of(today)
            and (exit_day is None or date(month[0], month[1], 1) < exit_day))


@bp.route("/<int:workshop_id>/reports/<int:year>/<int:month>", methods=["GET", "POST"])
@login_required
def report(workshop_id: int, year: int, month: int):
    workshop = get_scoped_or_404(Workshop, workshop_id)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        abort(404)
    today, roles = _today(), _roles(workshop)
    filed = service.report_for(workshop.id, year, month)
    form = _report_form(filed)
    if request.method == "POST":
        if not roles["can_report"]:
            abort(403)
        if form.validate_on_submit():
            try:
                service.file_report(current_user, workshop, year, month, _report_data(form), today=today)
            except DomainError as err:
                show_refusal(form, err)
            else:
                return _after_filing(workshop_id, (year, month))
    workshop = get_scoped_or_404(Workshop, workshop_id)
    aided = queries.aided_employees(workshop, year, month)
    open_month = _open_month(workshop, (year, month), today)
    return render_template(
        "workshops/report.html", w=workshop, form=form, report=service.report_for(workshop.id, year, month),
        month=(year, month), aided=aided, open_month=open_month, can_file=roles["can_report"] and open_month,
        prev=rules.previous_month((year, month)), next=rules.next_month((year, month)),
        first=rules.month_of(workshop.certified_on), current=rules.month_of(today),
        names=page_queries.user_names(filed.filed_by if filed else None, filed.updated_by if filed else None),
    ), refused_status()


def _after_filing(workshop_id: int, month: rules.Month):
    workshop = get_scoped_or_404(Workshop, workshop_id)
    flash(_("The report of %(month)s is filed.", month=month_label(date(month[0], month[1], 1))), "success")
    if workshop.state == rules.WorkshopState.WATCH and workshop.watch_since:
        flash(_("The workshop is under watch: %(condition)s since %(month)s.",
                condition=labels.condition_label(workshop.watch_condition), month=month_label(workshop.watch_since)),
              "warning")
    elif workshop.state == rules.WorkshopState.EXITING:
        flash(_("An exit is proposed for this workshop: the township posts the delisting notice."), "warning")
    if current_user.role == Role.VILLAGE_CLERK:
        return redirect(url_for("workshop_pages.reports", month=f"{month[0]}-{month[1]:02d}"))
    return redirect(url_for("workshop_pages.detail", workshop_id=workshop_id))


@bp.get("/reports")
@login_required
def reports():
    today = _today()
    year, month = _month_arg(rules.previous_month(rules.month_of(today)))
    first, last = date(year, month, 1), rules.month_end((year, month))
    stmt = page_queries.register(current_user).where(Workshop.certified_on <= last)
    workshops = [w for w in db.session.execute(stmt).scalars() if w.exited_on is None or w.exited_on > first]
    missing = {w.id for w in service.missing_reports(current_user, year, month)}
    only_missing = request.args.get("missing") == "1"
    if only_missing:
        workshops = [w for w in workshops if w.id in missing]
    filed = page_queries.reports_of_month((w.id for w in workshops), (year, month))
    aided = page_queries.aided_per_workshop(workshops, [(year, month)])
    return render_template("workshops/reports.html", workshops=workshops, missing=missing, filed=filed, aided=aided,
                           month=(year, month), prev=rules.previous_month((year, month)),
                           next=rules.next_month((year, month)), current=rules.month_of(today),
                           can_report={w.id: _roles(w)["can_report"] for w in workshops}, only_missing=only_missing)
