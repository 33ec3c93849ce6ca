"""Places pages: everyone sees the places of their scope; county admins add, rename and import."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.access import Role, get_scoped_or_404, require_role
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.imports import ImportRejected
from portal.places import forms, service
from portal.places.models import Township, Village

bp = Blueprint("places", __name__, url_prefix="/places")

TEMPLATE_CSV = "区划代码,名称\n429901001000,示例镇\n429901001201,示例村\n"


@bp.get("/")
@login_required
def index():
    """Every place of the user's scope; ?without=clerk: villages without an active clerk account,
    ?without=reviewer: townships without an active reviewer account."""
    without = request.args.get("without", "")
    if without in service.WITHOUT:  # given by accounts.staffing
        township_clause, village_clause = service.WITHOUT[without]
        tree = service.townships_with_villages(current_user, township_clause=township_clause and township_clause(),
                                               village_clause=village_clause and village_clause())
    else:
        without, tree = "", service.townships_with_villages(current_user)
    return render_template("places/index.html", tree=tree, without=without, county=service.county_of(current_user))


@bp.get("/villages/<int:village_id>")
@login_required
def village(village_id: int):
    return render_template("places/village.html", village=get_scoped_or_404(Village, village_id))


@bp.route("/<kind>/<int:place_id>/edit", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def rename(kind: str, place_id: int):
    model = {"townships": Township, "villages": Village}.get(kind)
    if model is None:
        abort(404)
    place = get_scoped_or_404(model, place_id)
    form = forms.RenameForm(obj=place)
    if form.validate_on_submit():
        try:
            service.rename_place(current_user, place, form.name.data)
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("places.index"))
    return render_template("places/rename.html", form=form, place=place)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def new():
    form = forms.PlaceForm()
    if form.validate_on_submit():
        try:
            place = service.add_place(current_user, form.code.data, form.name.data)
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("%(name)s added.", name=place.name), "success")
            return redirect(url_for("places.index"))
    return render_template("places/new.html", form=form)


@bp.route("/import", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def import_csv():
    form = forms.ImportForm()
    errors, report = [], None
    if form.validate_on_submit():
        try:
            report = service.import_places(current_user, service.parse_place_csv(form.file.data.read()))
        except ImportRejected as rejected:
            errors = rejected.errors
            flash(rejected.message, "danger")
        except DomainError as err:
            show_refusal(form, err)
    return render_template("places/import.html", form=form, errors=errors, report=report)


@bp.get("/import/template.csv")
@login_required
@require_role(Role.COUNTY_ADMIN)
def import_template():
    return Response(("\ufeff" + TEMPLATE_CSV).encode(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=places-template.csv"})
