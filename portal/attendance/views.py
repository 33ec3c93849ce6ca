"""Attendance pages: the clerk's day view (phone) and month grid (desk); the county's working-day calendar.

The day view's buttons are plain form posts to /attendance/marks that redirect back; static/js/attendance.js
sends the same tap as JSON (CSRF token in the X-CSRFToken header) and answers come back as JSON.
Township and county roles read a village's grid of their scope; another place is a 404.
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.attendance import grid, grid_html, grid_posted, home, labels, overrides, service  # noqa: F401  (home registers its items)
from portal.attendance.forms import FillForm, MarkForm, OverrideForm, RemoveOverrideForm
from portal.attendance.rules import Mark, Refusal
from portal.core.access import Role, get_scoped_or_404, require_role, scoped
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.i18n import _locale, date_label
from portal.core.workdays import WorkdayOverride
from portal.extensions import db
from portal.places.models import Village
from portal.posts.models import Appointment

bp = Blueprint("attendance_pages", __name__, url_prefix="/attendance")
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@bp.context_processor
def _vocabulary():
    return {"alabels": labels}


def _is_clerk() -> bool:
    return current_user.role == Role.VILLAGE_CLERK


def _day_arg(today: date) -> date:
    try:
        day = date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return today
    return day if 2000 <= day.year <= 2100 else today


def _month_arg(today: date) -> tuple[int, int]:
    found = MONTH.match(request.args.get("month", ""))
    if found and 2000 <= int(found.group(1)) <= 2100 and 1 <= int(found.group(2)) <= 12:
        return int(found.group(1)), int(found.group(2))
    return today.year, today.month


@bp.get("/")
@login_required
def index():
    return redirect(url_for(".day" if _is_clerk() else ".grid_page"))


# ---- the day view ---------------------------------------------------------------------------------


@bp.get("/day")
@login_required
def day():
    if not _is_clerk():
        return redirect(url_for(".grid_page"))
    today = service.county_today()
    page = grid.day_page(current_user.village_id, _day_arg(today), today)
    unmarked = request.args.get("unmarked") == "1"  # the home page's "not yet marked today"
    return render_template("attendance/day.html", page=page, unmarked=unmarked,
                           shown=[r for r in page.rows if not r.mark] if unmarked else page.rows)


def _answer(status: int, code: str, message: str, day: date | None):
    if request.is_json:
        return jsonify(ok=False, error={"code": code, "message": message}), status
    flash(message, "danger")
    return redirect(url_for(".day", day=day.isoformat() if day else None)), 303


@bp.post("/marks")
@login_required
@require_role(Role.VILLAGE_CLERK)
def mark():
    """One tap: set or clear one holder's mark on one day (JSON in and out, or a form post that redirects)."""
    form = MarkForm()
    if not form.validate():
        return _answer(400, "bad_request", _("Choose a holder, a day and a mark."), form.day.data)
    appointment = get_scoped_or_404(Appointment, form.appointment_id.data)
    day, mark = form.day.data, (Mark(form.mark.data) if form.mark.data else None)
    try:
        service.save_marks(current_user, current_user.village_id, [service.Change(appointment.id, day, mark)],
                           today=service.county_today())
    except service.MarksRefused as err:
        return _answer(err.http_status, err.cells[0].code, err.cells[0].message, day)
    except DomainError as err:
        return _answer(err.http_status, err.code, err.message, day)
    if request.is_json:
        marked, holders = grid.day_counts(current_user.village_id, day)
        return jsonify(ok=True, appointment_id=appointment.id, day=day.isoformat(), mark=mark and mark.value,
                       label=labels.mark_label(mark), message=_("Saved"), marked=marked, holders=holders)
    flash(_("Saved: %(name)s, %(mark)s.", name=appointment.person.name,
            mark=labels.mark_label(mark) or _("no mark")), "success")
    return redirect(url_for(".day", day=day.isoformat(), _anchor=f"h{appointment.id}"), 303)


# ---- the month grid -------------------------------------------------------------------------------


def _grid_village() -> Village | None:
    """The clerk's own village; for township and county roles the chosen village of their scope (or None)."""
    wanted = request.args.get("village", type=int)
    if _is_clerk():
        if wanted is not None and wanted != current_user.village_id:
            abort(404)
        return db.session.get(Village, current_user.village_id)
    return get_scoped_or_404(Village, wanted) if wanted is not None else None


def _villages() -> list[Village]:
    stmt = scoped(select(Village), Village, current_user).options(joinedload(Village.township))
    return list(db.session.execute(stmt.order_by(Village.code)).scalars())


def _render_grid(month_grid, fill_form, chosen=frozenset(), status=200):
    return render_template("attendance/grid.html", grid=month_grid, fill=fill_form, chosen=chosen,
                           keys=grid.key_symbols(), village=month_grid.village, days_text=grid.days_text,
                           rows_html=grid_html.rows_html, day_select=grid_html.day_select,
                           locked_reason=service.refusal_text(Refusal.LOCKED, month_grid.start),
                           year=month_grid.year, month=month_grid.month), status


@bp.route("/grid", methods=["GET", "POST"])
@login_required
def grid_page():
    if request.method == "POST" and not _is_clerk():
        abort(403)  # township and county roles read grids; only the village's clerk writes one
    today = service.county_today()
    year, month = _month_arg(today)
    village = _grid_village()
    if village is None:
        return render_template("attendance/grid_pick.html", villages=_villages(), year=year, month=month)
    last_day = service.month_bounds(year, month)[1].day
    fill_form = FillForm().for_month(last_day, today.day if (year, month) == (today.year, today.month) else None)
    if request.method == "GET":
        return _render_grid(grid.assemble(grid.load_month(village, year, month, today), _is_clerk()), fill_form)
    typed = grid_posted.typed_cells(request.form, year, month)
    if request.form.get("action") == "fill":
        return _fill(grid.load_month(village, year, month, today), typed, fill_form)
    return _save(village, year, month, today, typed, fill_form)


def _fill(data, typed, fill_form):
    chosen = frozenset(int(v) for v in request.form.getlist("h") if v.isdigit())
    if not fill_form.validate() or fill_form.start.data > fill_form.end.data:
        flash(_("Choose the days to fill: the first day may not be after the last."), "danger")
        return _render_grid(grid.assemble(data, True, typed), fill_form, chosen, 400)
    mark = Mark(fill_form.mark.data) if fill_form.mark.data else None
    spec = grid_posted.Fill(fill_form.start.data, fill_form.end.data, mark,
                     chosen if fill_form.who.data == "chosen" else None,
                     fill_form.only_working.data, fill_form.only_empty.data)
    count = grid_posted.fill(data, typed, spec)
    flash(_("%(n)d cells filled. Check them and press Save: nothing is saved yet.", n=count), "info")
    return _render_grid(grid.assemble(data, True, typed), fill_form, chosen)


def _save(village, year, month, today, typed, fill_form):
    """The posted cells (the page's script sends the changed ones; without it the whole grid comes back):
    the service writes those that differ from the stored marks and ignores the rest; the month is read for
    the page only when a cell is refused."""
    changes, unknown = grid_posted.parse_cells(typed, year, month)
    if unknown:
        data = grid.load_month(village, year, month, today)
        return _render_grid(grid.assemble(data, True, typed, unknown), fill_form, status=422)
    try:
        result = service.save_marks(current_user, village.id, changes, today=today, only_changes=True)
    except service.MarksRefused as err:
        data = grid.load_month(village, year, month, today)  # the refusal rolled back
        problems = {(c.appointment_id, c.day): c.message for c in err.cells}
        return _render_grid(grid.assemble(data, True, typed, problems), fill_form, status=422)
    if result.changed:
        flash(_("Saved %(n)d attendance marks.", n=result.changed), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for(".grid_page", month=f"{year}-{month:02d}"), 303)


# ---- the working-day calendar ---------------------------------------------------------------------


def _calendar(year: int, form: OverrideForm, status: int = 200):
    county_id = current_user.scope_county_id
    return render_template(
        "attendance/calendar.html", year=year, sheets=overrides.year_sheets(county_id, year, _locale()),
        rows=overrides.overrides_of(county_id, year), form=form, remove_form=RemoveOverrideForm(),
        can_edit=current_user.role == Role.COUNTY_ADMIN, earliest=overrides.first_open_day(),
        weekdays=labels.WEEKDAY), status


@bp.get("/calendar")
@login_required
def calendar_page():
    year = request.args.get("year", type=int) or service.county_today().year
    if not 2000 <= year <= 2100:
        abort(404)
    return _calendar(year, OverrideForm())


@bp.post("/calendar")
@login_required
@require_role(Role.COUNTY_ADMIN)
def add_override():
    form = OverrideForm()
    year = form.day.data.year if form.day.data else service.county_today().year
    if not form.validate_on_submit():
        return _calendar(year, form, 400)
    try:
        row = overrides.add_override(current_user, form.day.data, form.working.data == "1", form.note.data)
    except DomainError as err:
        show_refusal(form, err)
        return _calendar(year, form, 422)
    flash(_("%(day)s is now %(kind)s for the county.", day=date_label(row.day),
            kind=_("a working day") if row.working else _("a day off")), "success")
    return redirect(url_for(".calendar_page", year=row.day.year), 303)


@bp.post("/calendar/remove")
@login_required
@require_role(Role.COUNTY_ADMIN)
def remove_override():
    form = RemoveOverrideForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please try again."), "danger")
        return redirect(url_for(".calendar_page"), 303)
    row = get_scoped_or_404(WorkdayOverride, form.override_id.data)
    year, day = row.day.year, row.day
    try:
        overrides.remove_override(current_user, row.id)
    except DomainError as err:
        flash(err.message, "danger")
    else:
        flash(_("Override of %(day)s removed: the day follows the national calendar again.",
                day=date_label(day)), "success")
    return redirect(url_for(".calendar_page", year=year), 303)
