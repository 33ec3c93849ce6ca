"""Reading a workshop's facts for the rules: its employment records, reports by month, the months its
monitoring covers, its policy, its open exit, its closed years. No writes.

Monitoring covers consecutive months from the later of the month of certification and the month the
workshop was entered into the portal (a workshop certified years ago is not judged on months the portal
never saw), to the later of the last ended month and the last month reported, and not past its exit.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portal.core.clock import county_today
from portal.extensions import db
from portal.registry.models import Household, Person
from portal.workshops import rules
from portal.workshops.guards import county_of
from portal.workshops.models import Assessment, MonthlyReport, Workshop, WorkshopEmployee, WorkshopExit
from portal.workshops.rules import ExitState, Month, MonthFacts, WorkshopPolicy
from portal.workshops.settings import policy_for


def policy_of(workshop: Workshop, day: date) -> WorkshopPolicy:
    """The workshop policy of the workshop's county in force on `day`."""
    return policy_for(county_of(workshop.village_id), day)


def records(workshop_id: int) -> list[WorkshopEmployee]:
    """The workshop's employment records, earliest hire first."""
    return list(db.session.execute(select(WorkshopEmployee).where(WorkshopEmployee.workshop_id == workshop_id)
                                   .order_by(WorkshopEmployee.hire_date, WorkshopEmployee.id)).scalars())


def aided_records(workshop: Workshop, policy: WorkshopPolicy) -> list[WorkshopEmployee]:
    """The employment records of 脱贫劳动力: employees whose household is of a category the county counts as
    aided (policy.aided_categories); everyone else is an other employee."""
    return list(db.session.execute(
        select(WorkshopEmployee).join(Person, Person.id == WorkshopEmployee.person_id)
        .join(Household, Household.id == Person.household_id)
        .where(WorkshopEmployee.workshop_id == workshop.id, Household.category.in_(sorted(policy.aided_categories)))
        .order_by(WorkshopEmployee.hire_date, WorkshopEmployee.id)).scalars())


def employments(rows: list[WorkshopEmployee]) -> list[rules.Employment]:
    return [rules.Employment(r.person_id, rules.Span(r.hire_date, r.leave_date)) for r in rows]


def active(workshop: Workshop) -> rules.Span:
    """The days the workshop is one (certification to the day before its exit)."""
    return rules.active_span(workshop.certified_on, workshop.exited_on)


def exit_day(workshop: Workshop) -> date | None:
    """The day the workshop stops being one: its exit date, or the effective date of its approved exit."""
    if workshop.exited_on is not None:
        return workshop.exited_on
    return db.session.scalar(select(WorkshopExit.effective_on).where(
        WorkshopExit.workshop_id == workshop.id, WorkshopExit.state == ExitState.APPROVED.value))


def aided_employees(workshop: Workshop, year: int, month: int) -> list[WorkshopEmployee]:
    """The records of the month's aided employees (employed on its last day, while the workshop is one, from
    the households the county counts as aided on that day)."""
    day = rules.month_end((year, month))
    if not active(workshop).covers(day):
        return []
    return [r for r in aided_records(workshop, policy_of(workshop, day))
            if rules.Span(r.hire_date, r.leave_date).covers(day)]


def aided_counts(workshop: Workshop, months: list[Month], policy: WorkshopPolicy | None = None) -> dict[Month, int]:
    """The aided employees of each month, from the employment records (under today's policy unless given)."""
    policy = policy or policy_of(workshop, county_today())
    jobs, span = employments(aided_records(workshop, policy)), active(workshop)
    return {m: len(rules.aided_people(jobs, m, span)) for m in months}


def reports(workshop_id: int) -> dict[Month, MonthlyReport]:
    """The workshop's monthly reports by (year, month)."""
    rows = db.session.execute(select(MonthlyReport).where(MonthlyReport.workshop_id == workshop_id)).scalars()
    return {(r.year, r.month): r for r in rows}


def monitor_start(workshop: Workshop) -> Month:
    return max(rules.month_of(workshop.certified_on), rules.month_of(workshop.entered_on))


def monitored_months(workshop: Workshop, today: date, reported: dict[Month, MonthlyReport],
                     until: Month | None = None) -> list[Month]:
    """The months the monitoring covers (see the module's docstring); `until` cuts them at a month."""
    last = rules.previous_month(rules.month_of(today))
    if reported:
        last = max(last, max(reported))
    if workshop.exited_on is not None:
        last = min(last, rules.month_of(workshop.exited_on - timedelta(days=1)))
    if until is not None:
        last = min(last, until)
    return rules.months_from(monitor_start(workshop), last)


def month_facts(workshop: Workshop, today: date, until: Month | None = None,
                policy: WorkshopPolicy | None = None) -> list[MonthFacts]:
    """Each monitored month's aided employees and report, for rules.monitor."""
    reported = reports(workshop.id)
    months = monitored_months(workshop, today, reported, until)
    aided = aided_counts(workshop, months, policy or policy_of(workshop, today))
    facts = []
    for m in months:
        report = reported.get(m)
        facts.append(MonthFacts(m, aided[m], reported=report is not None,
                                operating=report.operating if report else True,
                                violation=report.violation if report else False))
    return facts


def monitoring_of(workshop: Workshop, today: date | None = None, until: Month | None = None,
                  policy: WorkshopPolicy | None = None) -> rules.Monitoring:
    """The workshop's monitoring as of today (or as of the month `until`): state, runs, met conditions;
    under the county's policy of today unless one is given."""
    today = today or county_today()
    policy = policy or policy_of(workshop, today)
    return rules.monitor(month_facts(workshop, today, until, policy), policy)


def open_exit(workshop_id: int) -> WorkshopExit | None:
    """The workshop's exit that is proposed, in notice or approved (at most one)."""
    return db.session.execute(select(WorkshopExit).where(
        WorkshopExit.workshop_id == workshop_id,
        WorkshopExit.state.in_([str(s) for s in rules.OPEN_EXIT_STATES])).order_by(WorkshopExit.id)).scalars().first()


def exit_for_run(workshop_id: int, condition: str, started_in: date) -> WorkshopExit | None:
    """The exit already proposed for a monitored run (any state), if any."""
    return db.session.execute(select(WorkshopExit).where(
        WorkshopExit.workshop_id == workshop_id, WorkshopExit.condition == str(condition),
        WorkshopExit.started_in == started_in)).scalars().first()


def exits_of(workshop_id: int) -> list[WorkshopExit]:
    """Every exit of the workshop, the history included, newest first."""
    return list(db.session.execute(select(WorkshopExit).where(WorkshopExit.workshop_id == workshop_id)
                                   .order_by(WorkshopExit.id.desc())).scalars())


def closed_years(workshop_id: int) -> set[int]:
    """Years whose assessment of the workshop is approved or paid (their figures are final)."""
    return set(db.session.execute(select(Assessment.year).where(
        Assessment.workshop_id == workshop_id,
        Assessment.state.in_([str(s) for s in rules.CLOSED_ASSESSMENT_STATES]))).scalars())


def first_day(month: Month) -> date:
    return date(month[0], month[1], 1)
