"""Exit pages (摘牌退出) on the workshop_pages blueprint: the list, proposing (township or county), an exit with
its notice period, its actions and the aided employees to follow up."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.access import Role, get_scoped_or_404, require_role
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.workshops import labels, page_queries, queries, rules
from portal.workshops.exits import service
from portal.workshops.forms import ActionForm, ApproveExitForm, ProposeExitForm, RejectExitForm
from portal.workshops.guards import is_admin_of, is_reviewer_of
from portal.workshops.models import Workshop, WorkshopExit
from portal.workshops.pages import PAGE_SIZE, _roles, _today, bp, refused_status

EXIT_STATES = tuple(str(s) for s in rules.ExitState)


@bp.get("/exits")
@login_required
def exits():
    state = request.args.get("state", "")
    state = state if state in EXIT_STATES else ""
    page = max(1, request.args.get("page", 1, type=int))
    ended = request.args.get("notice") == "ended"
    rows, total = page_queries.page_of(page_queries.exits_query(current_user, state, _today() if ended else None),
                                       page, PAGE_SIZE)
    return render_template("workshops/exits.html", rows=rows, total=total, page=page, state=state, ended=ended,
                           states=EXIT_STATES, pages=max(1, -(-total // PAGE_SIZE)), today=_today())


@bp.route("/<int:workshop_id>/exits/new", methods=["GET", "POST"])
@login_required
@require_role(Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
def propose_exit(workshop_id: int):
    workshop = get_scoped_or_404(Workshop, workshop_id)
    if not _roles(workshop)["can_propose"]:
        flash(_("This workshop is %(state)s: no new exit can be proposed.",
                state=labels.state_label(workshop.state)), "warning")
        return redirect(url_for("workshop_pages.detail", workshop_id=workshop_id))
    today = _today()
    monitoring = queries.monitoring_of(workshop, today)
    first = monitoring.met[-1] if monitoring.met else monitoring.first
    form = ProposeExitForm(condition=str(first.condition) if first else str(rules.ExitCondition.OTHER))
    if form.validate_on_submit():
        try:
            proposal = service.propose_exit(current_user, workshop, form.condition.data, form.reason.data,
                                            form.evidence.data, today=today)
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Exit proposed. Post the delisting notice on the village board next."), "success")
            return redirect(url_for("workshop_pages.exit_detail", exit_id=proposal.id))
    policy = queries.policy_of(workshop, today)
    return render_template("workshops/exit_new.html", w=get_scoped_or_404(Workshop, workshop_id), form=form,
                           runs=[(run, labels.run_text(run, policy)) for run in (*monitoring.met, *monitoring.ongoing)]
                           ), refused_status()


def _exit_page(exit: WorkshopExit, status: int = 200, **forms):
    today = _today()
    actions = rules.exit_actions(exit.state)
    admin, reviewer = is_admin_of(current_user, exit.village_id), is_reviewer_of(current_user, exit.village_id)
    notice_over = exit.notice_end is not None and today > exit.notice_end
    followup = service.followup(exit, today) if exit.state != rules.ExitState.REJECTED else []
    approve_form = forms.get("approve") or ApproveExitForm(prefix="approve", formdata=None, effective_on=today)
    return render_template(
        "workshops/exit_detail.html", x=exit, w=exit.workshop, today=today, notice_over=notice_over,
        can_publish=(admin or reviewer) and "publish" in actions,
        can_decide=admin and "approve" in actions, can_reject=admin and "reject" in actions,
        followup=followup, visible=page_queries.visible_people(current_user, [e.person_id for e in followup]),
        working=page_queries.current_workshops(e.person_id for e in followup),
        names=page_queries.user_names(exit.proposed_by, exit.published_by, exit.decided_by),
        action_form=ActionForm(), approve_form=approve_form,
        reject_form=forms.get("reject") or RejectExitForm(prefix="reject", formdata=None)), status


@bp.get("/exits/<int:exit_id>")
@login_required
def exit_detail(exit_id: int):
    return _exit_page(get_scoped_or_404(WorkshopExit, exit_id))


def _act(exit_id: int, call, success: str, key: str | None = None, form=None):
    """One service call on an exit of the user's scope; a refusal re-shows the page with the input kept."""
    exit = get_scoped_or_404(WorkshopExit, exit_id)
    if not (form or ActionForm()).validate_on_submit():
        if form is None:
            flash(_("The form expired. Please try again."), "danger")
            return redirect(url_for("workshop_pages.exit_detail", exit_id=exit_id))
        return _exit_page(exit, 422, **{key: form})
    try:
        call(exit)
    except DomainError as err:
        show_refusal(form, err)
        return _exit_page(get_scoped_or_404(WorkshopExit, exit_id), 409, **({key: form} if form else {}))
    flash(success, "success")
    return redirect(url_for("workshop_pages.exit_detail", exit_id=exit_id))


@bp.post("/exits/<int:exit_id>/publish")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
def publish_exit(exit_id: int):
    return _act(exit_id, lambda x: service.publish_notice(current_user, x, today=_today()),
                _("The delisting notice is posted on the village board."))


@bp.post("/exits/<int:exit_id>/approve")
@login_required
@require_role(Role.COUNTY_ADMIN)
def approve_exit(exit_id: int):
    form = ApproveExitForm(prefix="approve")
    return _act(exit_id, lambda x: service.approve_exit(current_user, x, form.effective_on.data, form.note.data or "",
                                                        today=_today()),
                _("Exit approved."), "approve", form)


@bp.post("/exits/<int:exit_id>/reject")
@login_required
@require_role(Role.COUNTY_ADMIN)
def reject_exit(exit_id: int):
    form = RejectExitForm(prefix="reject")
    return _act(exit_id, lambda x: service.reject_exit(current_user, x, form.note.data, today=_today()),
                _("Exit rejected; the workshop resumes."), "reject", form)

