"""The annual assessment (年度考核) and tiered rewards (梯次奖补): computed for every workshop of the county
once the year has ended, approved by the county admin, paid.

Decisions where domain.md is silent:
- The county admin computes a year once it has ended, for all the county's workshops that were one on
  any day of it, under the tier table and settings in force on the year's last day. Computing again
  replaces the figures of assessments still `computed`; approved and paid ones never change, and their
  year is closed (no report of it, no employment day in it changes any more).
- Computing is the portal's calculation, not a submission: the county admin who computed may approve.
- Stable employees, tier level, classification and the reward follow workshops.rules; the stable
  employees' ids, last year's level, the watch and met-condition flags and the tier table used are kept
  on the row, so an approved reward can always be explained.
- A reward of 0 is approved (the record of the year) but never paid. A payment is recorded on a day
  from the approval to today, with the bank's reference.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.core import auditlog
from portal.core.access import Role, scoped
from portal.core.cas import compare_and_set
from portal.core.clock import county_today
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.core.i18n import date_label
from portal.core.types import utcnow
from portal.extensions import db
from portal.registry.kin import ensure_can_approve
from portal.registry.models import Person
from portal.registry.rules import Problem
from portal.workshops import checks, queries, rules
from portal.workshops.guards import atomic, ensure_admin, expect, refuse
from portal.workshops.labels import assessment_state_label
from portal.workshops.models import Assessment, Workshop, WorkshopExit
from portal.workshops.rules import AssessmentAction, AssessmentState, ExitState, WorkshopPolicy
from portal.workshops.settings import policy_for

FIELDS = ("year", "stable_aided", "level", "previous_level", "reward", "classification", "in_watch",
          "condition_met", "withheld", "tier_table", "state", "approved_by", "approved_on", "paid_on",
          "bank_reference")
MAX_REFERENCE = 60


def stable_employees(workshop: Workshop, year: int, policy: WorkshopPolicy | None = None) -> list[tuple[Person, int]]:
    """The workshop's stable aided employees of a year with their months employed (月末在岗 months), most first."""
    policy = policy or policy_for(_county(workshop), date(year, 12, 31))
    by_person: dict[int, list[rules.Span]] = {}
    people: dict[int, Person] = {}
    for row in queries.aided_records(workshop, policy):
        by_person.setdefault(row.person_id, []).append(rules.Span(row.hire_date, row.leave_date))
        people[row.person_id] = row.person
    span = queries.active(workshop)
    months = {p: rules.months_employed(spans, year, span) for p, spans in by_person.items()}
    return sorted(((people[p], n) for p, n in months.items() if n >= policy.stable_months),
                  key=lambda pair: (-pair[1], pair[0].name, pair[0].id))


def _county(workshop: Workshop) -> int:
    return workshop.village.township.county_id


def _facts(workshop: Workshop, year: int, policy: WorkshopPolicy, today: date) -> tuple[rules.YearFacts, list[int]]:
    """What the year's assessment of the workshop rests on, and its stable employees' ids."""
    jobs = queries.employments(queries.aided_records(workshop, policy))
    stable = sorted(rules.stable_people(jobs, year, policy, queries.active(workshop)))
    watched = queries.monitoring_of(workshop, today, until=(year, 12), policy=policy)
    met_in_year = any(run.met_in[0] == year for run in watched.met)
    proposed_in_year = db.session.scalar(select(WorkshopExit.id).where(
        WorkshopExit.workshop_id == workshop.id, WorkshopExit.state != ExitState.REJECTED.value,
        WorkshopExit.proposed_on.between(date(year, 1, 1), date(year, 12, 31))).limit(1)) is not None
    previous = db.session.scalar(select(Assessment.level).where(Assessment.workshop_id == workshop.id,
                                                                Assessment.year == year - 1))
    in_watch = rules.in_watch_at_year_end(bool(watched.ongoing), year, workshop.exited_on)
    return rules.YearFacts(year=year, certified_on=workshop.certified_on, stable=len(stable),
                           previous_level=previous, in_watch=in_watch,
                           condition_met=met_in_year or proposed_in_year, exited_on=workshop.exited_on), stable


@atomic
def compute_year(admin, year: int, today: date | None = None) -> list[Assessment]:
    """The county admin computes the year's assessment of every workshop of the county (after the year has
    ended): stable aided employees from the employment records, tier, reward, classification."""
    today = today or county_today()
    if getattr(admin, "role", None) != Role.COUNTY_ADMIN:
        raise NotAllowed(_("Only the county admin computes the workshops' annual assessment."))
    if not isinstance(year, int) or not 2000 <= year <= 2100 or today <= date(year, 12, 31):
        raise RuleViolation(_("A year is assessed once it has ended."), code="year_not_ended", field="year")
    policy = policy_for(admin.county_id, date(year, 12, 31))
    table = rules.format_tiers(policy.tiers)
    existing = {a.workshop_id: a for a in db.session.execute(
        scoped(select(Assessment), Assessment, admin).where(Assessment.year == year)).scalars()}
    for workshop in db.session.execute(scoped(select(Workshop), Workshop, admin).order_by(Workshop.id)).scalars():
        if not rules.assessable(year, workshop.certified_on, workshop.exited_on):
            continue
        row = existing.get(workshop.id)
        if row is not None and row.state != AssessmentState.COMPUTED:
            continue  # approved or paid: final
        facts, stable = _facts(workshop, year, policy, today)
        result = rules.assess(facts, policy)
        values = {"stable_aided": facts.stable, "stable_person_ids": ",".join(map(str, stable)),
                  "level": result.level, "previous_level": facts.previous_level, "reward": result.reward,
                  "classification": str(result.classification), "in_watch": facts.in_watch,
                  "condition_met": facts.condition_met, "withheld": result.withheld, "tier_table": table,
                  "computed_by": admin.id, "computed_at": utcnow()}
        if row is None:
            row = Assessment(workshop_id=workshop.id, village_id=workshop.village_id, year=year,
                             state=AssessmentState.COMPUTED.value, **values)
            db.session.add(row)
            db.session.flush()
            auditlog.record(admin, "assessment.compute", "assessment", row.id, None, auditlog.snapshot(row, FIELDS))
        else:
            before = auditlog.snapshot(row, FIELDS)
            rules.next_assessment_state(row.state, AssessmentAction.RECOMPUTE)
            result_rows = db.session.execute(update(Assessment).where(
                Assessment.id == row.id, Assessment.state == AssessmentState.COMPUTED.value).values(**values)
                .execution_options(synchronize_session=False)).rowcount
            if result_rows != 1:
                db.session.rollback()
                raise Conflict(_("Someone approved an assessment of %(year)s just now. Reload and try again.",
                                 year=year))
            db.session.expire(row)
            auditlog.record(admin, "assessment.recompute", "assessment", row.id, before,
                            auditlog.snapshot(row, FIELDS))
    db.session.commit()
    return assessments_for(admin, year)


def _expect(assessment: Assessment, action: AssessmentAction) -> None:
    expect(assessment, action, rules.ASSESSMENT_MOVES, assessment_state_label(assessment.state))


@atomic
def approve_assessment(admin, assessment: Assessment, today: date | None = None) -> None:
    """The county admin approves the year's reward of a workshop (its figures are final from now on)."""
    today = today or county_today()
    ensure_admin(admin, assessment.village_id)
    _expect(assessment, AssessmentAction.APPROVE)
    ensure_can_approve(admin, None)
    before = auditlog.snapshot(assessment, FIELDS)
    compare_and_set(Assessment, assessment, rules.next_assessment_state(assessment.state, AssessmentAction.APPROVE),
        approved_by=admin.id, approved_at=utcnow(), approved_on=today)
    auditlog.record(admin, "assessment.approve", "assessment", assessment.id, before,
                    auditlog.snapshot(assessment, FIELDS))
    db.session.commit()


@atomic
def record_payment(admin, assessment: Assessment, paid_on: date, bank_reference: str,
                   today: date | None = None) -> None:
    """The county admin records that an approved reward was paid: the day (from the approval to today) and
    the bank's reference. A reward of 0 is not paid."""
    today = today or county_today()
    ensure_admin(admin, assessment.village_id)
    _expect(assessment, AssessmentAction.PAY)
    if assessment.reward <= 0:
        raise RuleViolation(_("This workshop earns no reward for the year: there is nothing to pay."),
                            code="nothing_to_pay")
    problems = [checks.text_problem("bank_reference", bank_reference, max_len=MAX_REFERENCE)]
    if not isinstance(paid_on, date):
        problems.append(Problem("paid_on", "required"))
    refuse(problems)
    if paid_on > today or (assessment.approved_on is not None and paid_on < assessment.approved_on):
        raise RuleViolation(_("The payment day lies between the approval (%(approved)s) and today.",
                              approved=date_label(assessment.approved_on)), code="paid_on", field="paid_on")
    before = auditlog.snapshot(assessment, FIELDS)
    compare_and_set(Assessment, assessment, rules.next_assessment_state(assessment.state, AssessmentAction.PAY),
        paid_on=paid_on, bank_reference=bank_reference.strip(), paid_by=admin.id, paid_recorded_at=utcnow())
    auditlog.record(admin, "assessment.pay", "assessment", assessment.id, before,
                    auditlog.snapshot(assessment, FIELDS))
    db.session.commit()


def assessments_for(user, year: int) -> list[Assessment]:
    """The year's assessments the user may see, by village and workshop."""
    return list(db.session.execute(scoped(select(Assessment), Assessment, user).join(Workshop).where(
        Assessment.year == year).order_by(Assessment.village_id, Workshop.name, Assessment.id)).scalars())
