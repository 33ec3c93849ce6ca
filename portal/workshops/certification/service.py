"""Workshop use cases (Rule 5): certify and edit workshops, keep their aided employees. The monthly reports,
the monitoring, the exit workflow and the annual assessment are the other sub-packages' (their service
modules); what they read is in workshops.queries.

Each use case checks role and scope, calls the pure rules (workshops.rules, workshops.checks), writes,
records its audit rows and commits once; a refusal rolls the unit of work back. Every change that alters
what the monitoring reads refreshes the workshop's state in the same transaction.

Decisions where domain.md is silent:
- One workshop per unified social credit code, for good: an exited workshop's code is not certified again
  (its history stays under it); a duplicate is refused naming the workshop that holds the code.
- A workshop stays in its village (the village is its scope and every record's); certification date and
  fields may be corrected by the county admin until the workshop has exited, but not moved past a report.
- Employees are people of the county's labour register (any village of the county), not deceased.
  Adding or changing an employment record takes the person's row lock first, so two workshops cannot
  take one person for overlapping days at the same time.
- Nothing changes on an exited workshop, and nothing is hired from its approved exit's effective date on.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.core import auditlog
from portal.core.access import get_scoped, scoped
from portal.core.clock import county_today
from portal.core.errors import Conflict, RuleViolation
from portal.core.i18n import date_label, month_label
from portal.extensions import db
from portal.registry.models import Person
from portal.workshops import checks, queries, rules
from portal.workshops.guards import WorkshopRefused, atomic, county_of, ensure_admin, ensure_keeper, hold, refuse
from portal.workshops.models import MonthlyReport, Workshop, WorkshopEmployee
from portal.workshops.monitoring.service import refresh
from portal.workshops.rules import WorkshopState

WORKSHOP_FIELDS = ("name", "enterprise", "credit_code", "village_id", "address", "industry", "certified_on",
                   "accident_insurance", "other_employees", "state")
EMPLOYEE_FIELDS = ("workshop_id", "person_id", "hire_date", "leave_date", "monthly_wage")


# ---- workshops ------------------------------------------------------------------------------------

def duplicate_code_message(existing: Workshop) -> str:
    return _("This credit code is already certified as %(name)s in %(village)s (No. %(id)s).",
             name=existing.name, village=existing.village.name, id=existing.id)


def _check_code_free(code: str, own_id: int | None) -> None:
    existing = db.session.execute(select(Workshop).where(Workshop.credit_code == code)).scalar_one_or_none()
    if existing is not None and existing.id != own_id:
        raise Conflict(duplicate_code_message(existing), code="duplicate_credit_code", field="credit_code")


def _flush_code(code: str, own_id: int | None) -> None:
    """Two admins saving one code at once: the unique index decides, the loser gets the usual refusal."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _check_code_free(code, own_id)
        raise


def _ensure_live(workshop: Workshop) -> None:
    if workshop.state == WorkshopState.EXITED:
        raise RuleViolation(_("This workshop has exited (delisted): its records no longer change."),
                            code="workshop_exited")


def _values(data: checks.WorkshopData, code: str) -> dict:
    values = asdict(data)
    values.update(credit_code=code, name=data.name.strip(), enterprise=data.enterprise.strip(),
                  address=data.address.strip(), industry=data.industry.strip())
    return values


@atomic
def certify(admin, village_id: int, data: checks.WorkshopData, today: date | None = None) -> Workshop:
    """The county admin certifies a workshop (就业帮扶车间认定) in a village of the county; the credit code is
    checked with stdnum.cn.uscc and must not be held by another workshop."""
    today = today or county_today()
    ensure_admin(admin, village_id)
    refuse(checks.workshop_problems(data, today))
    code = rules.parse_credit_code(data.credit_code)
    _check_code_free(code, None)
    workshop = Workshop(village_id=village_id, entered_on=today, state=WorkshopState.NORMAL.value,
                        watch_condition="", created_by=admin.id, **_values(data, code))
    db.session.add(workshop)
    _flush_code(code, None)
    auditlog.record(admin, "workshop.certify", "workshop", workshop.id, None,
                    auditlog.snapshot(workshop, WORKSHOP_FIELDS))
    refresh(workshop, today)
    db.session.commit()
    return workshop


@atomic
def update_workshop(admin, workshop: Workshop, data: checks.WorkshopData, today: date | None = None) -> None:
    """The county admin corrects a workshop's fields (not its village); a certification date may not move
    past a month already reported, nor into a year whose assessment is approved."""
    today = today or county_today()
    ensure_admin(admin, workshop.village_id)
    hold(workshop)
    _ensure_live(workshop)
    refuse(checks.workshop_problems(data, today))
    code = rules.parse_credit_code(data.credit_code)
    _check_code_free(code, workshop.id)
    if data.certified_on != workshop.certified_on:
        earliest = db.session.execute(select(MonthlyReport.year, MonthlyReport.month)
                                      .where(MonthlyReport.workshop_id == workshop.id)
                                      .order_by(MonthlyReport.year, MonthlyReport.month).limit(1)).first()
        if earliest is not None and rules.month_of(data.certified_on) > tuple(earliest):
            raise WorkshopRefused({"certified_on": _("A report was filed for %(month)s: the certification date "
                                                     "cannot be later than that month.",
                                                     month=month_label(date(earliest[0], earliest[1], 1)))})
        refuse([checks.closed_year_problem(min(data.certified_on, workshop.certified_on),
                                           queries.closed_years(workshop.id))])
    before = auditlog.snapshot(workshop, WORKSHOP_FIELDS)
    for name, value in _values(data, code).items():
        setattr(workshop, name, value)
    _flush_code(code, workshop.id)
    auditlog.record(admin, "workshop.update", "workshop", workshop.id, before,
                    auditlog.snapshot(workshop, WORKSHOP_FIELDS))
    refresh(workshop, today)
    db.session.commit()


def workshops_query(user, state: str = "", village_id: int | None = None):
    """The workshops the user may see (their village, township or county), by village and name."""
    stmt = scoped(select(Workshop), Workshop, user).order_by(Workshop.village_id, Workshop.name, Workshop.id)
    if state:
        stmt = stmt.where(Workshop.state == state)
    if village_id is not None:
        stmt = stmt.where(Workshop.village_id == village_id)
    return stmt


# ---- employees ------------------------------------------------------------------------------------

def _person(user, workshop: Workshop, person_id: int) -> Person:
    """The person named in the request, loaded in the user's scope like a path id: a person the user may not
    see answers exactly as a person who does not exist (no name, no village, no way to enumerate ids)."""
    person = get_scoped(Person, person_id, user) if isinstance(person_id, int) else None
    if person is None or county_of(person.village_id) != county_of(workshop.village_id):
        raise WorkshopRefused({"person_id": _("This person is not in the county's labour register.")})
    if person.deceased:
        raise WorkshopRefused({"person_id": _("The labour register marks this person as deceased.")})
    return person


def _hold_person(person_id: int) -> None:
    """Take the person's row lock (an UPDATE that changes nothing): their employments are checked one at a time."""
    db.session.execute(update(Person).where(Person.id == person_id).values(updated_at=Person.updated_at)
                       .execution_options(synchronize_session=False))


def _check_overlap(person: Person, span: rules.Span, own_id: int | None) -> None:
    """One workshop at a time: refuse, naming the other employment, a span that shares a day with one."""
    others = [r for r in db.session.execute(select(WorkshopEmployee).where(
        WorkshopEmployee.person_id == person.id).order_by(WorkshopEmployee.hire_date)).scalars() if r.id != own_id]
    hit = rules.first_overlap(span, [rules.Span(r.hire_date, r.leave_date) for r in others])
    if hit is None:
        return
    other = others[hit]
    where = {"name": person.name, "workshop": other.workshop.name, "start": date_label(other.hire_date)}
    if other.leave_date is None:
        message = _("%(name)s works at %(workshop)s since %(start)s: a person works in one workshop at a time.",
                    **where)
    else:
        message = _("%(name)s worked at %(workshop)s from %(start)s to %(end)s: a person works in one workshop "
                    "at a time.", end=date_label(other.leave_date), **where)
    raise WorkshopRefused({"hire_date": message})


def _check_employment(workshop: Workshop, hire_date: date, leave_date: date | None, wage: Decimal,
                      today: date, first_changed: date | None) -> None:
    refuse(checks.employment_problems(hire_date, leave_date, wage, today, queries.exit_day(workshop)))
    if first_changed is not None:
        refuse([checks.closed_year_problem(first_changed, queries.closed_years(workshop.id))])


@atomic
def add_employee(user, workshop: Workshop, person_id: int, hire_date: date, monthly_wage: Decimal,
                 leave_date: date | None = None, today: date | None = None) -> WorkshopEmployee:
    """Link a registered person of the county as an aided employee (hire date, optional leave date — the
    last day at work —, monthly wage); refused when they work in another workshop on any of those days."""
    today = today or county_today()
    ensure_keeper(user, workshop.village_id)
    hold(workshop)
    _ensure_live(workshop)
    person = _person(user, workshop, person_id)
    _check_employment(workshop, hire_date, leave_date, monthly_wage, today, hire_date)
    _hold_person(person.id)
    _check_overlap(person, rules.Span(hire_date, leave_date), None)
    row = WorkshopEmployee(workshop_id=workshop.id, village_id=workshop.village_id, person_id=person.id,
                           hire_date=hire_date, leave_date=leave_date, monthly_wage=monthly_wage,
                           created_by=user.id)
    db.session.add(row)
    db.session.flush()
    auditlog.record(user, "workshop_employee.add", "workshop_employee", row.id, None,
                    auditlog.snapshot(row, EMPLOYEE_FIELDS))
    refresh(workshop, today)
    db.session.commit()
    return row


def _first_changed(row: WorkshopEmployee, hire_date: date, leave_date: date | None) -> date | None:
    """The earliest day whose employment the change alters (None: only the wage changes)."""
    days = []
    if hire_date != row.hire_date:
        days.append(min(hire_date, row.hire_date))
    if leave_date != row.leave_date:
        days.append(min(d for d in (leave_date, row.leave_date) if d is not None))
    return min(days) if days else None


@atomic
def change_employee(user, employee: WorkshopEmployee, hire_date: date, leave_date: date | None,
                    monthly_wage: Decimal, today: date | None = None) -> None:
    """Correct an employment record (hire date, leave date, wage) under the same rules as adding it."""
    today = today or county_today()
    workshop = employee.workshop
    ensure_keeper(user, workshop.village_id)
    hold(workshop)
    _ensure_live(workshop)
    _check_employment(workshop, hire_date, leave_date, monthly_wage, today,
                      _first_changed(employee, hire_date, leave_date))
    _hold_person(employee.person_id)
    _check_overlap(employee.person, rules.Span(hire_date, leave_date), employee.id)
    before = auditlog.snapshot(employee, EMPLOYEE_FIELDS)
    employee.hire_date, employee.leave_date, employee.monthly_wage = hire_date, leave_date, monthly_wage
    db.session.flush()
    auditlog.record(user, "workshop_employee.change", "workshop_employee", employee.id, before,
                    auditlog.snapshot(employee, EMPLOYEE_FIELDS))
    refresh(workshop, today)
    db.session.commit()


def end_employee(user, employee: WorkshopEmployee, leave_date: date, today: date | None = None) -> None:
    """The employee left: `leave_date` is the last day at work (they may start elsewhere the day after)."""
    if not isinstance(leave_date, date):
        raise WorkshopRefused({"leave_date": _("Enter the last day at work.")})
    change_employee(user, employee, employee.hire_date, leave_date, employee.monthly_wage, today)


def employees_on(workshop: Workshop, day: date | None = None) -> list[WorkshopEmployee]:
    """The workshop's employment records, all of them or those employed on `day`."""
    rows = queries.records(workshop.id)
    return rows if day is None else [r for r in rows if rules.Span(r.hire_date, r.leave_date).covers(day)]
