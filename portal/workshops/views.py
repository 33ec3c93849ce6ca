"""Workshop pages: the register and certification (county), a workshop's page, its employees (village and
township); the other pages of the workshop_pages blueprint (workshops.pages) are in the sub-packages' views:
monthly reports, monitoring, exits and their notice, annual assessments and settings (imported at the end).
Views are thin: a form, one service call, a refusal shown on the field it names with the input kept."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal.core.access import Role, get_scoped_or_404, require_role
from portal.core.errors import DomainError
from portal.core.forms import show_refusal
from portal.core.masking import mask_id
from portal.workshops import (
    home,  # noqa: F401  (registers the home-page items)
    labels,
    page_queries,
    queries,
    rules,
)
from portal.workshops.certification import service
from portal.workshops.checks import WorkshopData
from portal.workshops.forms import (
    CertifyForm,
    EmployeeForm,
    EmploymentForm,
    EndForm,
    WorkshopForm,
)
from portal.workshops.guards import WorkshopRefused
from portal.workshops.models import Workshop, WorkshopEmployee
from portal.workshops.pages import PAGE_SIZE, _place_filters, _roles, _today, bp, refused_status
from portal.workshops.reports import service as reports_service

RECENT_MONTHS = 24  # the detail page lists this many months unless asked for all


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


@bp.get("/<int:workshop_id>")
@login_required
def detail(workshop_id: int):
    workshop = get_scoped_or_404(Workshop, workshop_id)
    today = _today()
    monitoring = queries.monitoring_of(workshop, today)
    policy = queries.policy_of(workshop, today)
    rows = list(reversed(reports_service.month_rows(workshop, today)))
    everything = request.args.get("months") == "all"
    employees = service.employees_on(workshop)
    exits = queries.exits_of(workshop.id)
    chart_rows = [r for r in reversed(rows) if r.month <= rules.previous_month(rules.month_of(today))][-12:]
    return render_template(
        "workshops/detail.html", w=workshop, monitoring=monitoring, policy=policy, today=today,
        runs=[(run, labels.run_text(run, policy)) for run in monitoring.ongoing],
        rows=rows if everything else rows[:RECENT_MONTHS], more_months=len(rows) > RECENT_MONTHS and not everything,
        employees=employees, employed=[e for e in employees if rules.Span(e.hire_date, e.leave_date).covers(today)],
        visible=page_queries.visible_people(current_user, [e.person_id for e in employees]),
        exits=exits, open_exit=queries.open_exit(workshop.id),
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


from portal.workshops.assessments import views as page_assessments  # noqa: E402, F401  (routes on this blueprint)
from portal.workshops.exits import views as page_exits  # noqa: E402, F401  (routes on this blueprint)
from portal.workshops.monitoring import views as page_monitoring  # noqa: E402, F401  (routes on this blueprint)
from portal.workshops.reports import views as page_reports  # noqa: E402, F401  (routes on this blueprint)
