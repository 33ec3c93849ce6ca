"""Running the audit (county auditor and county admin): the form with past runs, a run's page with its progress
and its counts per detector, and the small JSON the run page polls."""

from __future__ import annotations

from flask import jsonify, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.audit import background, queries
from portal.audit import runs as audit_runs
from portal.audit.finding_labels import RUN_COLOUR, RUN_STATE, text
from portal.audit.forms import RunForm
from portal.audit.pages import bp
from portal.audit.rules import Month
from portal.core.access import Role, require_role
from portal.core.clock import county_today
from portal.core.errors import Conflict, DomainError
from portal.core.forms import show_refusal

RUNNERS = (Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN)


def _refused(form: RunForm, err: DomainError) -> int:
    """Show a refusal on the form: a bad period under the months, a running run at the top."""
    if err.field == "period":
        err.field = "last"
    if isinstance(err, Conflict):
        form.form_errors.append(err.message)
        return 409
    show_refusal(form, err)
    return 422


@bp.route("/run", methods=["GET", "POST"])
@login_required
@require_role(*RUNNERS)
def run():
    today, names = county_today(), queries.detector_names()
    form = RunForm(first=Month(today.year, 1).first, last=today.replace(day=1), detectors=list(names))
    form.detectors.choices = list(names.items())
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            started = background.start(current_user, Month.of(form.first.data), Month.of(form.last.data),
                                       form.detectors.data)
        except DomainError as err:
            status = _refused(form, err)
        else:
            return redirect(url_for("audit.run_detail", run_id=started.id))
    runs = queries.recent_runs(current_user)
    return render_template("audit/run.html", form=form, runs=runs, names=queries.user_names(
        r.started_by for r in runs), all_count=len(names)), status


@bp.get("/runs/<int:run_id>")
@login_required
@require_role(*RUNNERS)
def run_detail(run_id: int):
    run = queries.get_run_or_404(run_id, current_user)
    counts = audit_runs.run_counts(run)
    rows = [(code, queries.detector_name(code), counts.get(code)) for code in queries.run_codes(run)]
    period = {"from": str(Month.of(run.first_month)), "to": str(Month.of(run.last_month))}
    return render_template("audit/run_detail.html", run=run, rows=rows, period=period,
                           progress=queries.progress(run), starter=queries.user_names([run.started_by]))


@bp.get("/runs/<int:run_id>/progress")
@login_required
@require_role(*RUNNERS)
def run_progress(run_id: int):
    """{state, done, total, current, hits, label}: what the run page shows while the run goes."""
    data = queries.progress(queries.get_run_or_404(run_id, current_user))
    data["label"] = _("%(done)d of %(total)d detectors done", done=data["done"], total=data["total"])
    data["current_label"] = _("Now running: %(name)s", name=data["current"]) if data["current"] else ""
    data["state_label"] = text(RUN_STATE, data["state"])
    data["state_colour"] = RUN_COLOUR.get(data["state"], "secondary")
    return jsonify(data)
