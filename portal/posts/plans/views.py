"""Post plan pages: the list (and the township's queue), drafting, the detail with its workflow buttons,
and the village post ledger. The county settings page is in plans.settings_views on the same blueprint
(plans.pages)."""

from __future__ import annotations

import json
from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.core.access import COUNTY_ROLES, Role, get_scoped_or_404, require_role
from portal.core.auditlog import AuditEntry
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.extensions import db
from portal.posts import labels
from portal.posts.models import Post
from portal.posts.plans import home as plan_home  # noqa: F401  (registers the home items of post plans)
from portal.posts.plans import ledger as plan_ledger
from portal.posts.plans import queries as plan_queries
from portal.posts.plans import service as plans
from portal.posts.plans.forms import ActionForm, PostForm, ReturnForm
from portal.posts.plans.pages import bp
from portal.posts.rules import PostState
from portal.registry.labels import label

PAGE_SIZE = 50
UNDECIDED = (PostState.DRAFT, PostState.SUBMITTED, PostState.RETURNED)  # the plan shows its quota and standard


@bp.context_processor
def _labels():
    return {"labels": labels, "label": label, "may": plans.may}


@bp.get("/")
@login_required
def index():
    state = request.args.get("state", "")
    village_id = request.args.get("village_id", type=int)
    township_id = request.args.get("township_id", type=int) if current_user.role in COUNTY_ROLES else None
    vacant = request.args.get("vacant") == "1"
    page = max(1, request.args.get("page", 1, type=int))
    stmt = plan_queries.plan_list(current_user, state, village_id, township_id, vacant)
    everything = db.session.execute(stmt.order_by(Post.village_id, Post.id)).scalars().all()
    rows = everything[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    totals = {"posts": len(everything), "headcount": sum(p.headcount for p in everything),
              "subsidy": sum((p.subsidy * p.headcount for p in everything), Decimal("0"))}
    return render_template("posts/index.html", rows=rows, totals=totals, state=state, village_id=village_id,
                           township_id=township_id, vacant=vacant, held=plans.holders_by_post(p.id for p in rows),
                           page=page, pages=max(1, -(-len(everything) // PAGE_SIZE)),
                           villages=plan_ledger.villages_of(current_user),
                           townships=plan_queries.townships_of(current_user)
                           if current_user.role in COUNTY_ROLES else [])


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK)
def new():
    form = PostForm()
    if form.validate_on_submit():
        try:
            post = plans.create_plan(current_user, form.to_data())
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Post plan saved as a draft. Submit it when it is complete."), "success")
            return redirect(url_for("plan_pages.detail", post_id=post.id))
    return render_template("posts/plan_form.html", form=form, post=None)


@bp.route("/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK)
def edit(post_id: int):
    post = get_scoped_or_404(Post, post_id)
    form = PostForm(obj=post)
    if form.validate_on_submit():
        try:
            plans.update_plan(current_user, post, form.to_data())
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("plan_pages.detail", post_id=post.id))
    return render_template("posts/plan_form.html", form=form, post=post)


def _history(post: Post) -> list[tuple[AuditEntry, str]]:
    """Who created, changed, submitted, decided the plan and when; with each return's reason."""
    entries = db.session.execute(select(AuditEntry).where(
        AuditEntry.entity_type == "post", AuditEntry.entity_id == str(post.id)).order_by(AuditEntry.seq)).scalars()
    return [(e, json.loads(e.after or "{}").get("return_reason", "") if e.action == "return" else "")
            for e in entries]


def _detail(post: Post, return_form: ReturnForm | None = None, status: int = 200):
    figures = plan_queries.plan_figures(post, plans.county_today()) if post.state in UNDECIDED else None
    return render_template("posts/plan_detail.html", post=post, history=_history(post),
                           vacancies=plans.vacancies(post), action_form=ActionForm(), figures=figures,
                           return_form=return_form or ReturnForm()), status


@bp.get("/<int:post_id>")
@login_required
def detail(post_id: int):
    return _detail(get_scoped_or_404(Post, post_id))


def _act(post_id: int, service, done: str):
    post = get_scoped_or_404(Post, post_id)
    try:
        service(current_user, post)
    except DomainError as err:
        show_refusal(None, err)
    else:
        flash(done, "success")
    return redirect(url_for("plan_pages.detail", post_id=post.id))


@bp.post("/<int:post_id>/submit")
@login_required
def submit(post_id: int):
    return _act(post_id, plans.submit, _("Post plan submitted to the township."))


@bp.post("/<int:post_id>/approve")
@login_required
def approve(post_id: int):
    return _act(post_id, plans.approve, _("Post plan approved."))


@bp.post("/<int:post_id>/close")
@login_required
def close(post_id: int):
    return _act(post_id, plans.close, _("Post closed."))


@bp.post("/<int:post_id>/return")
@login_required
@require_role(Role.TOWNSHIP_REVIEWER)
def return_(post_id: int):
    post = get_scoped_or_404(Post, post_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            plans.return_plan(current_user, post, form.reason.data)
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Post plan returned to the village."), "success")
            return redirect(url_for("plan_pages.detail", post_id=post.id))
    return _detail(post, form, 422)


def _ledger_villages() -> tuple[list, list[int]]:
    villages = plan_ledger.villages_of(current_user)
    if current_user.role == Role.VILLAGE_CLERK:
        return villages, [current_user.village_id]
    chosen = request.args.get("village_id", type=int)
    ids = [v.id for v in villages]
    if chosen is None:
        return villages, ids[:1]
    if chosen not in ids:
        abort(404)
    return villages, [chosen]


@bp.get("/ledger")
@login_required
def ledger():
    villages, chosen = _ledger_villages()
    return render_template("posts/ledger.html", villages=villages, chosen=chosen[0] if chosen else None,
                           rows=plan_ledger.ledger(current_user, chosen))


@bp.get("/ledger.xlsx")
@login_required
def ledger_xlsx():
    villages = plan_ledger.villages_of(current_user)
    if current_user.role == Role.VILLAGE_CLERK:
        ids = [current_user.village_id]
    elif request.args.get("village_id", type=int):
        _villages, ids = _ledger_villages()
    else:
        ids = [v.id for v in villages]  # the township or the county: all their villages
    data = plan_ledger.workbook(plan_ledger.ledger(current_user, ids))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": "attachment; filename=post-ledger.xlsx"})


from portal.posts.plans import settings_views  # noqa: E402, F401  (the settings pages live on this blueprint)
