"""Workshop pages: certification and the register (county), employees and monthly reports (village and
township), monitoring by state with the aided-employment chart, exits and their notice, annual assessments.

The monthly reports are in workshops.page_reports, the exit pages in workshops.page_exits, the assessment and
settings pages in workshops.page_assessments, all on this blueprint (imported at the end). Views are thin: a
form, one service call, a refusal shown on the field it names with the input kept."""

from __future__ import annotations

import re
from datetime import date

from babel.dates import format_date
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.core.access import COUNTY_ROLES, Role, get_scoped_or_404, require_role
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.i18n import month_label
from portal.core.masking import mask_id, mask_phone
from portal.extensions import db
from portal.registry import labels as reg_labels
from portal.workshops import (
    home,  # noqa: F401  (registers the home-page items)
    labels,
    page_queries,
    queries,
    rules,
    service,
)
from portal.workshops.checks import WorkshopData
from portal.workshops.forms import (
    CertifyForm,
    EmployeeForm,
    EmploymentForm,
    EndForm,
    WorkshopForm,
)
from portal.workshops.guards import WorkshopRefused, is_admin_of, is_clerk_of, is_reviewer_of
from portal.workshops.models import Workshop, WorkshopEmployee

bp = Blueprint("workshop_pages", __name__, url_prefix="/workshops")
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
PAGE_SIZE = 50
RECENT_MONTHS = 24  # the detail page lists this many months unless asked for all


def _today() -> date:
    return service.county_today()


def refused_status() -> int:
    """A form page shown again after a POST was refused (a successful POST redirects)."""
    return 422 if request.method == "POST" else 200


def has_endpoint(name: str) -> bool:
    """Links to the other helper's files (assessment PDF and Excel) appear once their routes exist."""
    return name in current_app.view_functions


def short_month(month: rules.Month) -> str:
    """A chart's month label: 11月 in Chinese, Nov in English."""
    locale = str(get_locale() or "zh_CN")
    if locale.startswith("zh"):
        return f"{month[1]}月"
    return format_date(date(month[0], month[1], 1), "MMM", locale=locale)


@bp.context_processor
def _vocabulary():
    return {"wl": labels, "mask_id": mask_id, "mask_phone": mask_phone, "has_endpoint": has_endpoint,
            "ym": lambda m: month_label(date(m[0], m[1], 1)), "short_month": short_month,
            "employment_label": lambda code: reg_labels.label(reg_labels.EMPLOYMENT, code),
            "is_county": getattr(current_user, "role", None) in COUNTY_ROLES,
            "is_admin": getattr(current_user, "role", None) == Role.COUNTY_ADMIN}  # error pages: anonymous too


def _month_arg(default: rules.Month) -> rules.Month:
    found = MONTH.match(request.args.get("month", ""))
    if found and 2000 <= int(found.group(1)) <= 2100 and 1 <= int(found.group(2)) <= 12:
        return int(found.group(1)), int(found.group(2))
    return default


def _place_filters():
    """The register's township and village filters, kept inside the user's scope."""
    townships = page_queries.townships_of(current_user) if current_user.role in COUNTY_ROLES else []
    township_id = request.args.get("township", type=int)
    township_id = township_id if township_id in {t.id for t in townships} else None
    villages = [] if current_user.role == Role.VILLAGE_CLERK else page_queries.villages_of(current_user, township_id)
    village_id = request.args.get("village", type=int)
    village_id = village_id if village_id in {v.id for v in villages} else None
    return townships, township_id, villages, village_id


# ---- the register ---------------------------------------------------------------------------------------


@bp.get("/")
@login_required
def index():
    townships, township_id, villages, village_id = _place_filters()
    state = request.args.get("state", "")
    state = state if state in page_queries.STATES else ""
    page = max(1, request.args.get("page", 1, type=int))
    rows, total = page_queries.page_of(page_queries.register(current_user, state, township_id, village_id),
                                       page, PAGE_SIZE)
    return render_template("workshops/index.html", rows=rows, total=total, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), state=state, states=page_queries.STATES,
                           counts=page_queries.state_counts(current_user, township_id, village_id),
                           townships=townships, township_id=township_id, villages=villages, village_id=village_id,
                           last_month=rules.previous_month(rules.month_of(_today())))


def _workshop_data(form: WorkshopForm) -> WorkshopData:
    return WorkshopData(name=form.name.data or "", enterprise=form.enterprise.data or "",
                        credit_code=(form.credit_code.data or "").strip().upper(), address=form.address.data or "",
                        industry=form.industry.data or "", certified_on=form.certified_on.data,
                        accident_insurance=bool(form.accident_insurance.data),
                        other_employees=form.other_employees.data)


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def certify():
    form = CertifyForm()
    form.village.choices = [SelectChoice(v.id, f"{v.township.name} {v.name}")
                            for v in page_queries.villages_of(current_user)]
    if form.validate_on_submit():
        try:
            workshop = service.certify(current_user, form.village.data, _workshop_data(form), today=_today())
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Workshop certified. Add its aided employees next."), "success")
            return redirect(url_for("workshop_pages.detail", workshop_id=workshop.id))
    return render_template("workshops/form.html", form=form, workshop=None), refused_status()


@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
@login_required
@require_role(Role.COUNTY_ADMIN)
def edit(workshop_id: int):
    workshop = get_scoped_or_404(Workshop, workshop_id)
    form = WorkshopForm(obj=workshop)
    if form.validate_on_submit():
        try:
            service.update_workshop(current_user, workshop, _workshop_data(form), today=_today())
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("Workshop saved."), "success")
            return redirect(url_for("workshop_pages.detail", workshop_id=workshop.id))
    workshop = get_scoped_or_404(Workshop, workshop_id)
    return render_template("workshops/form.html", form=form, workshop=workshop), refused_status()


# ---- one workshop ------------------------------------------------------------------------------------------


def _roles(workshop: Workshop) -> dict[str, bool]:
    """What the user may do with this workshop (the service decides again on every action)."""
    vid, live = workshop.village_id, workshop.state != rules.WorkshopState.EXITED
    admin, clerk, reviewer = (is_admin_of(current_user, vid), is_clerk_of(current_user, vid),
                              is_reviewer_of(current_user, vid))
    return {"can_edit": admin and live, "can_keep": (admin or clerk or reviewer) and live,
            "can_report": (clerk or reviewer) and live,
            "can_propose": (admin or reviewer) and workshop.state in (rules.WorkshopState.NORMAL,
                                                                      rules.WorkshopState.WATCH)}


@bp.get("/<int:workshop_id>")
@login_required
def detail(workshop_id: int):
    workshop = get_scoped_or_404(Workshop, workshop_id)
    today = _today()
    monitoring = service.monitoring_of(workshop, today)
    policy = queries.policy_of(workshop, today)
    rows = list(reversed(service.month_rows(workshop, today)))
    everything = request.args.get("months") == "all"
    employees = service.employees_on(workshop)
    exits = service.exits_of(workshop.id)
    chart_rows = [r for r in reversed(rows) if r.month <= rules.previous_month(rules.month_of(today))][-12:]
    return render_template(
        "workshops/detail.html", w=workshop, monitoring=monitoring, policy=policy, today=today,
        runs=[(run, labels.run_text(run, policy)) for run in monitoring.ongoing],
        rows=rows if everything else rows[:RECENT_MONTHS], more_months=len(rows) > RECENT_MONTHS and not everything,
        employees=employees, employed=[e for e in employees if rules.Span(e.hire_date, e.leave_date).covers(today)],
        visible=page_queries.visible_people(current_user, [e.person_id for e in employees]),
        exits=exits, open_exit=service.open_exit(workshop.id),
        assessments=page_queries.assessments_of(workshop.id),
        chart=page_queries.bar_chart({r.month: r.aided for r in chart_rows}),
        last_month=rules.previous_month(rules.month_of(today)),
        names=page_queries.user_names(workshop.created_by, *(x.proposed_by for x in exits)), **_roles(workshop))


# ---- employees ------------------------------------------------------------------------------------------------


def _person_label(person, where) -> str:
    text = f"{person.name} · {mask_id(person.id_number)}"
    if where is not None:
        text += " · " + _("works at %(workshop)s", workshop=where.workshop.name)
    return text


@bp.route("/<int:workshop_id>/employees/new", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
def add_employee(workshop_id: int):
    workshop = get_scoped_or_404(Workshop, workshop_id)
    if not _roles(workshop)["can_keep"]:
        abort(403)
    q = request.args.get("q", "").strip()
    form = EmployeeForm(hire_date=_today())
    people = page_queries.people_to_employ(current_user, workshop, q)
    chosen = page_queries.visible_person(current_user, form.person_id.data) if form.is_submitted() else None
    if chosen is not None and chosen not in people:
        people.insert(0, chosen)
    working = page_queries.current_workshops(p.id for p in people)
    form.person_id.choices = [SelectChoice(p.id, _person_label(p, working.get(p.id))) for p in people]
    if form.validate_on_submit():
        try:
            if chosen is None:
                raise WorkshopRefused({"person_id": _("Choose a person of the labour register.")})
            service.add_employee(current_user, workshop, chosen.id, form.hire_date.data, form.monthly_wage.data,
                                 form.leave_date.data, today=_today())
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(_("%(name)s added as an aided employee.", name=chosen.name), "success")
            return redirect(url_for("workshop_pages.detail", workshop_id=workshop.id, _anchor="employees"))
    return render_template("workshops/employee_new.html", w=workshop, form=form, q=q, people=people,
                           searched=bool(q)), refused_status()


def _employee_page(employee_id: int, form_class, call, success: str, template: str):
    employee = get_scoped_or_404(WorkshopEmployee, employee_id)
    workshop = employee.workshop
    if not _roles(workshop)["can_keep"]:
        abort(403)
    form = form_class(obj=employee)
    if form.validate_on_submit():
        try:
            call(employee, form)
        except DomainError as err:
            show_refusal(form, err)
        else:
            flash(success % {"name": employee.person.name}, "success")
            return redirect(url_for("workshop_pages.detail", workshop_id=workshop.id, _anchor="employees"))
    employee = get_scoped_or_404(WorkshopEmployee, employee_id)
    return render_template(template, e=employee, w=employee.workshop, form=form), refused_status()


@bp.route("/employees/<int:employee_id>/end", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
def end_employee(employee_id: int):
    return _employee_page(employee_id, EndForm,
                          lambda e, f: service.end_employee(current_user, e, f.leave_date.data, today=_today()),
                          _("The employment of %(name)s ends."), "workshops/employee_end.html")


@bp.route("/employees/<int:employee_id>/edit", methods=["GET", "POST"])
@login_required
@require_role(Role.VILLAGE_CLERK, Role.TOWNSHIP_REVIEWER, Role.COUNTY_ADMIN)
def edit_employee(employee_id: int):
    return _employee_page(employee_id, EmploymentForm,
                          lambda e, f: service.change_employee(current_user, e, f.hire_date.data, f.leave_date.data,
                                                               f.monthly_wage.data, today=_today()),
                          _("The employment record of %(name)s is corrected."), "workshops/employee_edit.html")


# ---- monitoring -----------------------------------------------------------------------------------------------


@bp.get("/monitoring")
@login_required
def monitoring():
    townships, township_id, _villages, _village = _place_filters()
    today = _today()
    rows = db.session.execute(page_queries.register(current_user, "", township_id)).scalars().all()
    groups = {s: [w for w in rows if w.state == s] for s in page_queries.STATES}
    months = page_queries.last_months(today)
    aided = page_queries.aided_by_month(current_user, months, township_id)
    return render_template("workshops/monitoring.html", groups=groups, townships=townships, township_id=township_id,
                           chart=page_queries.bar_chart(aided), months=months,
                           exits=page_queries.open_exits(w.id for w in groups["exiting"]), today=today)


from portal.workshops import page_assessments, page_exits, page_reports  # noqa: E402, F401  (routes on this blueprint)
