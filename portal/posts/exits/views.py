"""Exit pages (有序退岗): the list and queues, proposing, the detail with its actions, the notice PDF."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from portal.core.access import Role, get_scoped_or_404, require_role, scoped
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.extensions import db
from portal.posts import labels
from portal.posts.exits import queues as exit_queues  # exit_queues registers the home items
from portal.posts.exits import service as exits
from portal.posts.exits.forms import ActionForm, AppealForm, DecideAppealForm, ExitProposalForm, RejectForm
from portal.posts.exits.notice import NOTICE_STATES, notice_pdf
from portal.posts.models import Appointment, Exit
from portal.posts.rules import ExitState, exit_actions
from portal.registry.labels import label

bp = Blueprint("exit_pages", __name__, url_prefix="/posts")
PAGE_SIZE = 50


@bp.context_processor
def _labels():
    return {"plabels": labels, "label": label}


def _exits(user):
    return scoped(select(Exit), Exit, user).options(
        selectinload(Exit.appointment).selectinload(Appointment.person),
        selectinload(Exit.appointment).selectinload(Appointment.post))


def _queue(user) -> list[Exit]:
    """What waits for this user: the township's proposals and appeals; the clerk's system proposals."""
    if user.role == Role.TOWNSHIP_REVIEWER:
        states = [ExitState.PROPOSED.value, ExitState.APPEALED.value]
        stmt = _exits(user).where(Exit.state.in_(states))
    elif user.role == Role.VILLAGE_CLERK:
        stmt = _exits(user).where(Exit.state == ExitState.PROPOSED.value, Exit.proposed_by.is_(None))
    else:
        return []
    return list(db.session.execute(stmt.order_by(Exit.proposed_on, Exit.id)).scalars())


@bp.get("/exits")
@login_required
def index():
    state = request.args.get("state", "")
    by, appeal = request.args.get("by", ""), request.args.get("appeal", "")
    page = max(1, request.args.get("page", 1, type=int))
    stmt = exit_queues.filtered(_exits(current_user), state, by, appeal, exits.county_today())
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.session.execute(stmt.order_by(Exit.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
                              ).scalars().all()
    return render_template("posts/exit_list.html", rows=rows, total=total, page=page, state=state, by=by,
                           appeal=appeal,
                           pages=max(1, -(-total // PAGE_SIZE)), queue=_queue(current_user),
                           check_form=ActionForm(), states=list(ExitState))


def _holder_choices(user) -> list[SelectChoice]:
    stmt = scoped(select(Appointment), Appointment, user).where(Appointment.state == "active").options(
        selectinload(Appointment.person), selectinload(Appointment.post)).order_by(Appointment.id)
    return [SelectChoice(a.id, f"{a.person.name} · {a.post.title}（{label(labels.SCHEDULE, a.post.schedule)}）")
            for a in db.session.execute(stmt).scalars()]


@bp.route("/exits/new", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK)
def new():
    form = ExitProposalForm(appointment=request.args.get("appointment_id", type=int))
    form.appointment.choices = _holder_choices(current_user)
    if form.validate_on_submit():
        appointment = get_scoped_or_404(Appointment, form.appointment.data)
        try:
            exit = exits.propose(current_user, appointment, form.reason.data, form.evidence.data,
                                 form.effective_on.data, exits.county_today())
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Exit proposed. The township reviews it; the holder stays on duty until then."), "success")
            return redirect(url_for("exit_pages.detail", exit_id=exit.id))
    return render_template("posts/exit_form.html", form=form)


@bp.get("/exits/<int:exit_id>")
@login_required
def detail(exit_id: int):
    exit = get_scoped_or_404(Exit, exit_id)
    return _detail_page(exit)


def _detail_page(exit: Exit, **forms):
    role, actions = current_user.role, exit_actions(exit.state)
    mine = role == Role.VILLAGE_CLERK
    township = role == Role.TOWNSHIP_REVIEWER
    deadline = exits.deadline_of(exit)
    can_appeal = (mine and "appeal" in actions and exit.appeal_recorded_on is None and deadline is not None
                  and exits.county_today() <= deadline)
    return render_template(
        "posts/exit_detail.html", exit=exit, a=exit.appointment, deadline=deadline,
        can_approve=township and "approve" in actions, can_withdraw=mine and "withdraw" in actions,
        can_appeal=can_appeal, can_decide=township and exit.state == ExitState.APPEALED,
        has_notice=exit.state in NOTICE_STATES,
        action_form=ActionForm(), reject_form=forms.get("reject") or RejectForm(prefix="reject"),
        appeal_form=forms.get("appeal") or AppealForm(prefix="appeal"),
        decide_form=forms.get("decide") or DecideAppealForm(prefix="decide"))


def _act(exit_id: int, call, success: str, form_key: str | None = None, form=None):
    """Run one service call for an exit of the user's scope; a refusal re-shows the page with the input."""
    exit = get_scoped_or_404(Exit, exit_id)
    if form is not None and not form.validate_on_submit():
        return _detail_page(exit, **{form_key: form}), 400
    if form is None and not ActionForm().validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for("exit_pages.detail", exit_id=exit_id))
    try:
        call(exit)
    except DomainError as err:
        show_refusal(form, err)
        return _detail_page(get_scoped_or_404(Exit, exit_id), **({form_key: form} if form else {})), 409
    flash(success, "success")
    return redirect(url_for("exit_pages.detail", exit_id=exit_id))


@bp.post("/exits/<int:exit_id>/approve")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def approve(exit_id: int):
    return _act(exit_id, lambda e: exits.approve(current_user, e, exits.county_today()),
                _("Exit approved. Print the notice for the holder."))


@bp.post("/exits/<int:exit_id>/reject")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def reject(exit_id: int):
    form = RejectForm(prefix="reject")
    return _act(exit_id, lambda e: exits.reject(current_user, e, form.note.data),
                _("Exit rejected; the holder stays on duty."), "reject", form)


@bp.post("/exits/<int:exit_id>/withdraw")
@login_required
@require_role(Role.VILLAGE_CLERK)
def withdraw(exit_id: int):
    return _act(exit_id, lambda e: exits.withdraw(current_user, e), _("Proposal withdrawn."))


@bp.post("/exits/<int:exit_id>/appeal")
@login_required
@require_role(Role.VILLAGE_CLERK)
def appeal(exit_id: int):
    form = AppealForm(prefix="appeal")
    return _act(exit_id, lambda e: exits.record_appeal(current_user, e, form.text.data, exits.county_today()),
                _("Appeal recorded; the township decides it."), "appeal", form)


@bp.post("/exits/<int:exit_id>/decide-appeal")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def decide_appeal(exit_id: int):
    form = DecideAppealForm(prefix="decide")
    return _act(exit_id, lambda e: exits.decide_appeal(current_user, e, form.decision.data == "uphold",
                                                       form.note.data),
                _("Appeal decided."), "decide", form)


@bp.get("/exits/<int:exit_id>/notice.pdf")
@login_required
def notice(exit_id: int):
    exit = get_scoped_or_404(Exit, exit_id)
    if exit.state not in NOTICE_STATES:
        flash(_("The notice exists once the township has approved the exit."), "warning")
        return redirect(url_for("exit_pages.detail", exit_id=exit_id))
    return Response(notice_pdf(exit), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="exit-notice-{exit.id}.pdf"'})
