"""Findings: the list with its filters (the most money at stake first), a finding's page with its evidence,
the records it names, its history, and the forms that answer it (the township's reviewer) and close it (the
county auditor). Scoped by service.finding_scope: another township's finding is a 404, a clerk is refused."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.audit import finding_labels, queries, runs
from portal.audit import findings as service
from portal.audit.forms import CloseForm, RespondForm
from portal.audit.labels import action_label
from portal.audit.links import record_links
from portal.audit.models import Finding
from portal.audit.pages import bp
from portal.audit.rules import FindingAction, finding_actions
from portal.core.access import Role, require_role
from portal.core.clock import county_today
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.i18n import money
from portal.core.states import IllegalMove

PAGE_SIZE = 50
READERS = (Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN, Role.TOWNSHIP_REVIEWER)


@bp.context_processor
def _vocabulary():
    return {"flabels": finding_labels, "label_of": finding_labels.text, "evidence": service.evidence_of,
            "period_label": queries.period_label, "days_open": queries.days_open,
            "detector_name": queries.detector_name, "run_counts": runs.run_counts, "run_codes": queries.run_codes,
            "run_period": queries.run_period, "action_label": action_label}


@bp.get("/findings")
@login_required
@require_role(*READERS)
def findings():
    f = queries.filter_from_args(request.args)
    page = min(max(1, request.args.get("page", 1, type=int)), 1_000_000)
    rows, total = queries.page_of(queries.findings_stmt(current_user, f), page, PAGE_SIZE)
    villages, townships = queries.place_names(rows)
    return render_template("audit/findings.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), f=f, villages=villages, townships=townships,
                           detectors=queries.detector_names(), township_choices=queries.townships(current_user),
                           village_choices=queries.villages(current_user), today=county_today())


def _can(finding: Finding, action: FindingAction) -> bool:
    if action not in finding_actions(finding.state):
        return False
    if action == FindingAction.RESPOND:
        return current_user.role == Role.TOWNSHIP_REVIEWER and finding.township_id == current_user.township_id
    return current_user.role == Role.COUNTY_AUDITOR


def _history_text(row: queries.HistoryRow) -> str:
    """One line of the finding's history in words."""
    after, before = row.after, row.before
    if row.action == "finding.open":
        return _("Amount at stake %(amount)s, severity %(severity)s.", amount=money(after.get("amount_at_stake", 0)),
                 severity=finding_labels.text(finding_labels.SEVERITY, after.get("severity")))
    if row.action == "finding.refresh":
        return _("A new run changed the evidence; amount at stake %(before)s → %(after)s.",
                 before=money(before.get("amount_at_stake", 0)), after=money(after.get("amount_at_stake", 0)))
    if row.action == "finding.respond":
        return _("Explanation: %(response)s; action taken: %(action)s", response=after.get("response", ""),
                 action=after.get("action_taken", ""))
    if row.action == "finding.close":
        return _("%(decision)s; amount recovered %(amount)s. %(note)s",
                 decision=finding_labels.text(finding_labels.DECISION, after.get("decision")),
                 amount=money(after.get("amount_recovered") or 0), note=after.get("note", ""))
    return ""


def _page(finding: Finding, respond_form: RespondForm | None = None, close_form: CloseForm | None = None,
          status: int = 200):
    villages, townships = queries.place_names([finding])
    village = villages.get(finding.village_id, "")
    return render_template(
        "audit/finding.html", finding=finding, village=village, township=townships.get(finding.township_id, ""),
        links=record_links(finding, service.facts_of(finding), village),
        history=queries.history(finding), history_text=_history_text, today=county_today(),
        people=queries.user_names([finding.responded_by, finding.closed_by]),
        respond_form=respond_form or RespondForm(response=finding.response, action_taken=finding.action_taken),
        close_form=close_form or CloseForm(), can_respond=_can(finding, FindingAction.RESPOND),
        can_close=_can(finding, FindingAction.CLOSE)), status


@bp.get("/findings/<int:finding_id>")
@login_required
@require_role(*READERS)
def finding(finding_id: int):
    return _page(service.get_finding_or_404(finding_id, current_user))


def _refuse(form, err: DomainError) -> None:
    if isinstance(err, IllegalMove):
        flash(_("This finding is closed: it can no longer be answered or closed again."), "danger")
    else:
        show_refusal(form, err)


@bp.post("/findings/<int:finding_id>/respond")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def respond(finding_id: int):
    found, form = service.get_finding_or_404(finding_id, current_user), RespondForm()
    if form.validate_on_submit():
        try:
            service.respond(current_user, found, form.response.data, form.action_taken.data)
        except DomainError as err:
            _refuse(form, err)
        else:
            flash(_("Your answer is recorded; the county auditor will decide."), "success")
            return redirect(url_for("audit.finding", finding_id=finding_id))
    return _page(service.get_finding_or_404(finding_id, current_user), respond_form=form, status=422)


@bp.post("/findings/<int:finding_id>/close")
@login_required
@require_role(Role.COUNTY_AUDITOR)
def close(finding_id: int):
    found, form = service.get_finding_or_404(finding_id, current_user), CloseForm()
    if form.validate_on_submit():
        try:
            service.close(current_user, found, form.decision.data, form.amount_recovered.data,
                          form.close_note.data)
        except DomainError as err:
            _refuse(form, err)
        else:
            flash(_("The finding is closed."), "success")
            return redirect(url_for("audit.finding", finding_id=finding_id))
    return _page(service.get_finding_or_404(finding_id, current_user), close_form=form, status=422)
