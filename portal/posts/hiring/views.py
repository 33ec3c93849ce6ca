"""Hiring pages: candidates and nomination (clerk), appointment detail, objections, approval (township)."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from portal.core.access import Role, get_scoped_or_404, require_role, scoped
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.i18n import date_label
from portal.core.masking import mask_id
from portal.extensions import db
from portal.posts import labels, rules
from portal.posts.hiring import labels as hiring_labels
from portal.posts.hiring import service as hiring
from portal.posts.hiring.agreement import AGREEMENT_STATES, agreement_pdf
from portal.posts.hiring.forms import ActionForm, DecideForm, NominateForm, ObjectionForm, RejectForm
from portal.posts.hiring.queues import QUEUES, queue_clause  # (queues registers the home items)
from portal.posts.hiring.service import county_today
from portal.posts.models import Appointment, Objection, Post
from portal.registry import labels as reg_labels

bp = Blueprint("hiring_pages", __name__, url_prefix="/posts")
PAGE_SIZE = 50
S = rules.AppointmentState
OPEN = rules.ObjectionState.OPEN.value


@bp.context_processor
def _helpers():
    return {"hl": hiring_labels, "plabels": labels, "rlabels": reg_labels, "label": reg_labels.label,
            "mask_id": mask_id, "category_label": lambda c: reg_labels.label(labels.CATEGORY, c)}


def _nominate_form(found: hiring.Candidates, post: Post) -> NominateForm:
    form = NominateForm()
    form.person_id.choices = [SelectChoice(r.person.id, f"{r.rank}. {r.person.name}") for r in found.ranked]
    if request.method == "GET":
        first = found.ranked[0].person.id if found.ranked else None
        form.person_id.data = request.args.get("person", type=int) or first
        form.start_date.data = max(post.start_date, county_today())
        form.end_date.data = post.end_date
    return form


def _candidates_page(post: Post, found: hiring.Candidates, form: NominateForm):
    return render_template("posts/hiring_candidates.html", post=post, found=found, form=form,
                           may_nominate=current_user.role == Role.VILLAGE_CLERK)


@bp.get("/<int:post_id>/candidates")
@login_required
def candidates(post_id: int):
    post = get_scoped_or_404(Post, post_id)
    found = hiring.candidates(post, current_user)
    return _candidates_page(post, found, _nominate_form(found, post))


@bp.post("/<int:post_id>/nominations")
@login_required
@require_role(Role.VILLAGE_CLERK)
def nominate(post_id: int):
    post = get_scoped_or_404(Post, post_id)
    found = hiring.candidates(post, current_user)
    form = _nominate_form(found, post)
    if form.validate_on_submit():
        try:
            appt = hiring.nominate(current_user, post, form.person_id.data, form.start_date.data,
                                   form.end_date.data, form.choice_reason.data, form.justification.data)
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Nominated and posted on the village notice board until %(end)s.",
                    end=date_label(appt.notice_end)), "success")
            return redirect(url_for(".appointment", appt_id=appt.id))
    return _candidates_page(post, hiring.candidates(post, current_user), form), 422


# ---- appointments -----------------------------------------------------------------------------------

@bp.get("/appointments")
@login_required
def appointments():
    today = county_today()
    hiring.activate_due(today)
    queue = request.args.get("state", "waiting")
    queue = queue if queue in QUEUES else "waiting"
    stmt = scoped(select(Appointment), Appointment, current_user)
    clause = queue_clause(queue, today)
    if clause is not None:
        stmt = stmt.where(clause)
    from portal.registry.service import page_of

    page = max(1, request.args.get("page", 1, type=int))
    rows, total = page_of(stmt.order_by(Appointment.notice_end, Appointment.id), page, PAGE_SIZE)
    open_counts = dict(db.session.execute(
        select(Objection.appointment_id, db.func.count(Objection.id))
        .where(Objection.appointment_id.in_([a.id for a in rows]), Objection.state == OPEN)
        .group_by(Objection.appointment_id)).all())
    marks = hiring.current_marks_of(rows, current_user)  # the register as it is now, like the nomination's page
    return render_template("posts/hiring_queue.html", rows=rows, total=total, page=page, queue=queue,
                           queues=QUEUES, pages=max(1, -(-total // PAGE_SIZE)), open_counts=open_counts,
                           marks=marks, today=today)


def _detail(appt: Appointment, status: int = 200, **forms):
    today = county_today()
    is_township = current_user.role == Role.TOWNSHIP_REVIEWER
    decide_forms = {o.id: forms.get(f"decide_{o.id}") or DecideForm(prefix=f"d{o.id}")
                    for o in appt.objections if o.state == OPEN}
    from portal.accounts.models import User

    nominator = db.session.get(User, appt.nominated_by)
    return render_template(
        "posts/hiring_appointment.html", appt=appt, post=appt.post, person=appt.person, today=today,
        nominator=nominator, marks=hiring.current_marks(appt, current_user), is_township=is_township,
        is_clerk=current_user.role == Role.VILLAGE_CLERK,
        approval_problems=hiring.approval_problems(current_user, appt, today),
        objection_form=forms.get("objection") or ObjectionForm(prefix="o", received_on=today),
        reject_form=forms.get("reject") or RejectForm(prefix="r"), approve_form=ActionForm(prefix="a"),
        decide_forms=decide_forms, agreement_ready=appt.state in AGREEMENT_STATES), status


@bp.get("/appointments/<int:appt_id>")
@login_required
def appointment(appt_id: int):
    appt = get_scoped_or_404(Appointment, appt_id)
    if appt.state == S.APPROVED and hiring.activate_due(county_today()):
        db.session.refresh(appt)
    return _detail(appt)


def _back(appt: Appointment, message: str):
    flash(message, "success")
    return redirect(url_for(".appointment", appt_id=appt.id))


@bp.post("/appointments/<int:appt_id>/objections")
@login_required
@require_role(Role.VILLAGE_CLERK)
def record_objection(appt_id: int):
    appt = get_scoped_or_404(Appointment, appt_id)
    form = ObjectionForm(prefix="o")
    if form.validate_on_submit():
        try:
            hiring.record_objection(current_user, appt, form.received_on.data, form.objector.data, form.content.data)
        except DomainError as err:
            show_refusal(form, err)
        else:
            return _back(appt, _("Objection recorded. The township will decide it."))
    return _detail(appt, 422, objection=form)


@bp.post("/objections/<int:objection_id>/decide")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def decide_objection(objection_id: int):
    objection = get_scoped_or_404(Objection, objection_id)
    form = DecideForm(prefix=f"d{objection.id}")
    if form.validate_on_submit():
        try:
            hiring.decide_objection(current_user, objection, form.decision.data, form.note.data)
        except DomainError as err:
            show_refusal(form, err)
        else:
            return _back(objection.appointment, _("Objection decided."))
    return _detail(objection.appointment, 422, **{f"decide_{objection.id}": form})


@bp.post("/appointments/<int:appt_id>/approve")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def approve(appt_id: int):
    appt = get_scoped_or_404(Appointment, appt_id)
    if ActionForm(prefix="a").validate_on_submit():
        try:
            hiring.approve(current_user, appt)
        except DomainError as err:
            flash(err.message, "danger")
        else:
            return _back(appt, _("Appointment approved. The agreement can now be printed."))
    return redirect(url_for(".appointment", appt_id=appt.id), 303)


@bp.post("/appointments/<int:appt_id>/reject")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def reject(appt_id: int):
    appt = get_scoped_or_404(Appointment, appt_id)
    form = RejectForm(prefix="r")
    if form.validate_on_submit():
        try:
            hiring.reject(current_user, appt, form.reason.data)
        except DomainError as err:
            show_refusal(form, err)
        else:
            return _back(appt, _("Nomination rejected."))
    return _detail(appt, 422, reject=form)


@bp.get("/appointments/<int:appt_id>/agreement.pdf")
@login_required
def agreement(appt_id: int):
    appt = get_scoped_or_404(Appointment, appt_id)
    try:
        pdf = agreement_pdf(appt)
    except DomainError as err:
        flash(err.message, "danger")
        return redirect(url_for(".appointment", appt_id=appt.id))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="agreement-{appt.id}.pdf"'})
