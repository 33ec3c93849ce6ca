"""Register pages: the clerk adds, edits, searches; townships and the county read (masked)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from wtforms import SelectChoice

from portal.core.access import Role, get_scoped_or_404, require_role, scoped
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.extensions import db
from portal.places.models import Village
from portal.registry import labels, service
from portal.registry.forms import HouseholdForm, PersonForm, RelationshipForm
from portal.registry.models import Household, Person, Relationship

bp = Blueprint("registry", __name__, url_prefix="/registry")
PAGE_SIZE = 50


@bp.context_processor
def _labels():
    return {"labels": labels, "label": labels.label, "masked": service.masked,
            "can_edit": current_user.is_authenticated and current_user.role == Role.VILLAGE_CLERK}


def _filters() -> dict:
    args = request.args
    return {k: args.get(k, "") for k in ("q", "category", "capacity", "status", "sort")} | {
        "village_id": args.get("village_id", type=int), "township_id": args.get("township_id", type=int)}


@bp.get("/")
@login_required
def people():
    filters = _filters()
    page = max(1, request.args.get("page", 1, type=int))
    rows, total = service.people_page(current_user, page, PAGE_SIZE, **filters)
    villages = db.session.execute(scoped(select(Village.id, Village.name), Village, current_user)
                                  .order_by(Village.code)).all()  # the filter's choices: a county has 300
    return render_template("registry/people.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), filters=filters, villages=villages)


@bp.get("/households")
@login_required
def households():
    page = max(1, request.args.get("page", 1, type=int))
    q = request.args.get("q", "").strip()
    stmt = scoped(select(Household), Household, current_user)
    if q:
        stmt = stmt.where(Household.number.contains(q) | Household.address.contains(q))
    rows, total = service.page_of(stmt.order_by(Household.village_id, Household.number), page, PAGE_SIZE)
    counts = dict(db.session.execute(select(Person.household_id, func.count(Person.id))
                                     .where(Person.household_id.in_([h.id for h in rows]))
                                     .group_by(Person.household_id)).all())
    return render_template("registry/households.html", rows=rows, counts=counts, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), q=q)


@bp.route("/households/new", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK)
def new_household():
    form = HouseholdForm()
    if form.validate_on_submit():
        try:
            hh = service.create_household(current_user, current_user.village_id, form.to_data())
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Household %(n)s added. Now add its members.", n=hh.number), "success")
            return redirect(url_for("registry.household", household_id=hh.id))
    return render_template("registry/household_form.html", form=form, household=None)


@bp.get("/households/<int:household_id>")
@login_required
def household(household_id: int):
    hh = get_scoped_or_404(Household, household_id)
    return render_template("registry/household.html", household=hh)


@bp.route("/households/<int:household_id>/edit", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK)
def edit_household(household_id: int):
    hh = get_scoped_or_404(Household, household_id)
    form = HouseholdForm(obj=hh)
    if form.validate_on_submit():
        try:
            service.update_household(current_user, hh, form.to_data())
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("registry.household", household_id=hh.id))
    return render_template("registry/household_form.html", form=form, household=hh)


@bp.route("/households/<int:household_id>/people/new", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK)
def new_person(household_id: int):
    hh = get_scoped_or_404(Household, household_id)
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = service.add_person(current_user, hh, form.to_data())
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("%(name)s added to household %(n)s.", name=person.name, n=hh.number), "success")
            return redirect(url_for("registry.household", household_id=hh.id))
    return render_template("registry/person_form.html", form=form, household=hh, person=None)


@bp.get("/people/<int:person_id>")
@login_required
def person(person_id: int):
    return _person_page(get_scoped_or_404(Person, person_id))


def _person_page(p: Person, revealed: dict | None = None):
    rel_form = RelationshipForm()
    rel_form.relative.choices = [SelectChoice(str(o.id), f"{o.name}（{o.household.number}）")
                                 for o in db.session.execute(select(Person).where(
                                     Person.village_id == p.village_id, Person.id != p.id)
                                     .order_by(Person.name)).scalars()]
    return render_template("registry/person.html", person=p, relatives=service.relatives_of(p),
                           revealed=revealed or {}, may_reveal=service.can_reveal(current_user, p),
                           rel_form=rel_form)


@bp.post("/people/<int:person_id>/reveal/<field>")
@login_required
def reveal(person_id: int, field: str):
    p = get_scoped_or_404(Person, person_id)
    try:
        value = service.reveal(current_user, p, field)
    except DomainError as err:
        show_refusal(None, err)
        return redirect(url_for("registry.person", person_id=p.id))
    return _person_page(p, {field: value})


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK)
def edit_person(person_id: int):
    p = get_scoped_or_404(Person, person_id)
    form = PersonForm(obj=p, household=str(p.household_id))
    form.household.choices = [SelectChoice(str(h.id), h.number) for h in db.session.execute(
        select(Household).where(Household.village_id == p.village_id).order_by(Household.number)).scalars()]
    if form.validate_on_submit():
        try:
            service.update_person(current_user, p, form.to_data(), request.form.get("household", type=int))
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("registry.person", person_id=p.id))
    return render_template("registry/person_form.html", form=form, household=p.household, person=p)


@bp.post("/people/<int:person_id>/relatives")
@login_required
@require_role(Role.VILLAGE_CLERK)
def add_relative(person_id: int):
    p = get_scoped_or_404(Person, person_id)
    form = RelationshipForm()
    if form.validate_on_submit():
        relative = get_scoped_or_404(Person, request.form.get("relative", type=int) or 0)
        try:
            service.declare_relationship(current_user, p, relative, form.kind.data)
            flash(_("Relationship declared."), "success")
        except DomainError as err:
            show_refusal(None, err)
    return redirect(url_for("registry.person", person_id=p.id))


@bp.post("/relationships/<int:rel_id>/delete")
@login_required
@require_role(Role.VILLAGE_CLERK)
def delete_relative(rel_id: int):
    rel = get_scoped_or_404(Relationship, rel_id)
    person_id = rel.person_id
    try:
        service.remove_relationship(current_user, rel)
        flash(_("Relationship removed."), "success")
    except DomainError as err:
        show_refusal(None, err)
    return redirect(url_for("registry.person", person_id=person_id))
