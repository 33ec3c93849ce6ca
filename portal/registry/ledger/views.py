"""Ledger pages: import a village's Excel ledger, download the template, export the register and the two lists."""

from __future__ import annotations

import io

from flask import Blueprint, abort, flash, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.core.access import Role, require_role
from portal.core.errors import DomainError, NotAllowed
from portal.core.forms import show_refusal
from portal.core.imports import ImportRejected
from portal.places.service import townships_with_villages
from portal.registry.forms import LedgerImportAdminForm, LedgerImportForm
from portal.registry.ledger import service as ledger
from portal.registry.ledger.export import LISTS, county_today

bp = Blueprint("ledger", __name__, url_prefix="/registry")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, stem: str):
    name = f"{stem}-{current_user.place_name}-{county_today():%Y%m%d}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def _import_form() -> LedgerImportForm:
    if current_user.role != Role.COUNTY_ADMIN:
        return LedgerImportForm()
    form = LedgerImportAdminForm()
    form.village.choices = [SelectChoice(v.id, f"{t.name} / {v.name}", optgroup=t.name)
                            for t, villages in townships_with_villages(current_user) for v in villages]
    return form


@bp.route("/import", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK, Role.COUNTY_ADMIN)
def import_ledger():
    form = _import_form()
    errors, report = [], None
    if form.validate_on_submit():
        village_id = form.village.data if hasattr(form, "village") else current_user.village_id
        try:
            report = ledger.import_ledger(current_user, village_id, ledger.parse_ledger(form.file.data.read()))
        except ImportRejected as rejected:
            errors = rejected.errors
            flash(rejected.message, "danger")
        except DomainError as err:
            show_refusal(form, err)
    return render_template("registry/import.html", form=form, errors=errors, report=report)


@bp.get("/import/template.xlsx")
@login_required
def import_template():
    return send_file(io.BytesIO(ledger.template_workbook()), mimetype=XLSX, as_attachment=True,
                     download_name=_("ledger-template") + ".xlsx")


@bp.route("/export.xlsx", methods=["GET", "POST"])
@login_required
def export():
    """The register in the ledger's layout: masked by GET; in full (audited) only by POST with the CSRF token, so
    a link on another site cannot make a user's browser export full data and plant an audit row in their name."""
    values = request.form if request.method == "POST" else request.args
    unmasked = values.get("unmasked") == "1"
    if unmasked and request.method != "POST":
        abort(405)
    try:
        data = ledger.export_register(current_user, village_id=values.get("village_id", type=int),
                                      township_id=values.get("township_id", type=int), unmasked=unmasked)
    except NotAllowed:
        abort(403)
    return _xlsx(data, _("ledger"))


@bp.get("/lists/<kind>.xlsx")
@login_required
def lists(kind: str):
    if kind not in LISTS:
        abort(404)
    return _xlsx(ledger.export_list(current_user, kind), str(LISTS[kind][0]))
