"""The auditor's desk (issue 11): the home page with its charts, field-check samples and their checklists,
the county-wide search, the audit report, and the audit log's export and stepwise chain check.
County auditors and admins only; drawing and checking are the auditor's (the service refuses others)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.audit import detectors as registry
from portal.audit import finding_labels, log_queries
from portal.audit import findings as service
from portal.audit.desk import queries as desk_queries
from portal.audit.desk import report_data, search
from portal.audit.desk.forms import CheckForm, SampleForm, SearchForm
from portal.audit.desk.report_pdf import audit_report
from portal.audit.desk.report_xlsx import audit_report_xlsx
from portal.audit.rules import Month
from portal.audit.sampling import service as sampling
from portal.audit.settings import policy_for
from portal.core.access import Role, require_role
from portal.core.clock import county_today
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.home import waiting_for
from portal.core.i18n import month_label
from portal.core.masking import mask_account, mask_id, mask_phone
from portal.extensions import db

bp = Blueprint("audit_desk", __name__, url_prefix="/audit")
COUNTY = (Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def _helpers():
    return {"mask_id": mask_id, "mask_account": mask_account, "mask_phone": mask_phone,
            "is_auditor": getattr(current_user, "role", None) == Role.COUNTY_AUDITOR,
            "has_endpoint": lambda name: name in current_app.view_functions,
            "finding_name": lambda code: str(getattr(registry.get(code), "name", code)),
            "finding_state": lambda state: finding_labels.text(finding_labels.STATE, state),
            "finding_evidence": service.evidence_of, "word": _word}


def _word(kind: str, code) -> str:
    """A stored code in the reader's words (household category, employment, appointment or payroll state)."""
    from portal.payroll import labels as payroll_labels
    from portal.posts import labels as post_labels
    from portal.registry import labels as registry_labels

    table = {"category": registry_labels.CATEGORY, "employment": registry_labels.EMPLOYMENT,
             "relative": registry_labels.RELATIVE, "appointment": post_labels.APPOINTMENT_STATE,
             "payroll": payroll_labels.STATE}[kind]
    return str(table.get(code, code or ""))


def _year() -> int:
    year = request.args.get("year", type=int)
    today = county_today()
    return year if year and 2000 <= year <= today.year else today.year


@bp.get("/")
@login_required
@require_role(*COUNTY)
def dashboard():
    """The auditor's home: where the risk is, what was recovered, who has not answered, how the samples go."""
    year, today = _year(), county_today()
    county = current_user.county_id
    heat = desk_queries.heat(county, year)
    money = desk_queries.money_by_month(county, year)
    deadline, late = desk_queries.overdue(county, today)
    labels = {"month": lambda m: month_label(Month(year, m).first),
              "series": [_("At stake"), _("Confirmed"), _("Recovered"), _("Recovery rate (%)")],
              "overdue": _("Findings past the deadline")}
    data = desk_queries.chart_data(heat, money, late, labels)
    return render_template("audit/desk/dashboard.html", year=year, heat=heat, money=money, deadline=deadline,
                           late=late, villages=desk_queries.villages_at_risk(county, year),
                           samples=desk_queries.sample_rows(county), chart_data=data,
                           month_name=labels["month"], today=today,
                           items=waiting_for(current_user) if current_user.role == Role.COUNTY_AUDITOR else None)


# ---- samples ---------------------------------------------------------------------------------------

def _samples_page(form: SampleForm, status: int = 200):
    today = county_today()
    percent = policy_for(current_user.county_id, today).sample_percent
    rows = desk_queries.sample_rows(current_user.county_id, limit=50)
    return render_template("audit/desk/samples.html", form=form, rows=rows, default_percent=percent), status


@bp.get("/samples")
@login_required
@require_role(*COUNTY)
def samples():
    form = SampleForm()
    if not form.period.data:
        today = county_today()
        last = Month(today.year, today.month - 1) if today.month > 1 else Month(today.year - 1, 12)
        form.period.data = str(last)
    return _samples_page(form)


@bp.post("/samples")
@login_required
@require_role(Role.COUNTY_AUDITOR)
def draw():
    form = SampleForm()
    if not form.validate_on_submit():
        return _samples_page(form, 422)
    try:
        sample = sampling.draw_sample(current_user, form.period.data, form.method.data, percent=form.percent.data,
                                      confidence=int(form.confidence.data), margin=form.margin.data,
                                      seed=form.seed.data)
    except DomainError as err:
        show_refusal(form, err)
        return _samples_page(form, 422)
    flash(_("Sample drawn: %(n)d lines (seed %(seed)d).", n=sample.size, seed=sample.seed), "success")
    return redirect(url_for("audit_desk.sample", sample_id=sample.id))


@bp.get("/samples/<int:sample_id>")
@login_required
@require_role(*COUNTY)
def sample(sample_id: int):
    s = sampling.get_sample_or_404(sample_id, current_user)
    return render_template("audit/desk/sample.html", s=s, progress=sampling.progress(s),
                           lines=sampling.line_views(s), townships=sampling.by_township(s))


def _answer(value: str):
    return {"yes": True, "no": False}.get(value)


def _check_page(line, form: CheckForm, status: int = 200):
    return render_template("audit/desk/check.html", v=sampling.line_view(line), form=form), status


@bp.route("/samples/lines/<int:line_id>", methods=["GET", "POST"])
@login_required
@require_role(*COUNTY)
def check(line_id: int):
    line = sampling.get_line_or_404(line_id, current_user)
    form = CheckForm()
    if request.method == "GET":
        for name in ("on_duty_confirmed", "amount_matches", "account_is_own"):
            value = getattr(line, name)
            getattr(form, name).data = "" if value is None else ("yes" if value else "no")
        form.note.data = line.note
        return _check_page(line, form)
    if current_user.role != Role.COUNTY_AUDITOR:
        abort(403)
    if not form.validate_on_submit():
        return _check_page(line, form, 422)
    try:
        sampling.record_check(current_user, line, _answer(form.on_duty_confirmed.data),
                              _answer(form.amount_matches.data), _answer(form.account_is_own.data),
                              form.note.data or "")
    except DomainError as err:
        db.session.rollback()
        show_refusal(form, err)
        return _check_page(sampling.get_line_or_404(line_id, current_user), form, 422)
    if line.finding_id:
        flash(_("The check failed: finding %(id)d is open for the township.", id=line.finding_id), "warning")
    else:
        flash(_("Check saved."), "success")
    return redirect(url_for("audit_desk.sample", sample_id=line.sample_id, _anchor=f"line-{line.id}"))


# ---- search -----------------------------------------------------------------------------------------

@bp.route("/search", methods=["GET", "POST"])
@login_required
@require_role(*COUNTY)
def search_page():
    """County-wide search; the query travels in the POST body (never in a URL) and is audited."""
    form = SearchForm()
    result = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                result = search.search(current_user, form.kind.data, form.query.data)
                form.query.data = ""  # the page shows the masked value only
            except DomainError as err:
                show_refusal(form, err)
                status = 422
        else:
            status = 422
    return render_template("audit/desk/search.html", form=form, result=result), status


# ---- the report --------------------------------------------------------------------------------------

def _report_period() -> tuple[Month, Month]:
    return report_data.period_args(request.args.get("from"), request.args.get("to"), county_today())


@bp.get("/report")
@login_required
@require_role(*COUNTY)
def report():
    first, last = _report_period()
    data = report_data.build(current_user.county_id, first, last)
    return render_template("audit/desk/report.html", first=first, last=last, r=data)


def _report_file(kind: str):
    """The report as a file. Like every masked export it is a read, not written to the audit log (a GET that
    wrote one could be planted in a user's name by a link from another site)."""
    first, last = _report_period()
    name = f"audit-report-{first}-{last}.{kind}"
    if kind == "pdf":
        body = audit_report(current_user.county_id, first, last)
        return send_file(io.BytesIO(body), mimetype="application/pdf", download_name=name)
    body = audit_report_xlsx(current_user.county_id, first, last)
    return send_file(io.BytesIO(body), mimetype=XLSX, as_attachment=True, download_name=name)


@bp.get("/report.pdf")
@login_required
@require_role(*COUNTY)
def report_pdf():
    return _report_file("pdf")


@bp.get("/report.xlsx")
@login_required
@require_role(*COUNTY)
def report_xlsx():
    return _report_file("xlsx")


# ---- the audit log: export and the stepwise check -----------------------------------------------------

@bp.get("/log/export")
@login_required
@require_role(*COUNTY)
def log_export():
    f = log_queries.filter_from_args(request.args)
    body = log_queries.export_xlsx(f)  # masked like the page: a read, not an audited unmasked export
    return send_file(io.BytesIO(body), mimetype=XLSX, as_attachment=True,
                     download_name=f"audit-log-{county_today().isoformat()}.xlsx")


@bp.post("/log/verify-step")
@login_required
@require_role(*COUNTY)
def verify_step():
    start = request.form.get("start", 1, type=int) or 1
    return jsonify(log_queries.verify_step(min(max(1, start), 2**31 - 1)))
