"""重复享受 double benefit: a person counted as an aided workshop employee in a month in which they were also
paid for a full-time public-welfare post.

- Aided employee of a month: employed by a workshop of the county on the month's last day while the workshop
  is certified and not exited — the workshops' own count (workshops.rules 月末在岗, rules.employed_at_month_end),
  and from a household whose category counts as aided (脱贫劳动力: the workshop setting `aided_categories` in
  force on the run's last day, default lifted and monitored); other employees are not aided.
- Full-time post paid that month: a duty line of a paid payroll (submitted, approved or paid) for a post with
  the full-time schedule (the line keeps the schedule it was computed with). A part-time holder may keep other
  work; a month whose payroll is a draft has paid nothing yet.
A holder who joins mid-month or leaves the post is judged by the lines they were paid; a workshop employee who
left before the month's end is not counted for that month.

Subject: the person; period: the calendar year (one finding a person a year, listing the months), computed
over the whole year so that runs over parts of it agree. Amount at stake: the post's pay in those months.
Set-based: the county's employment records (a few hundred), then the paid full-time lines of those people
(index on the line's person).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, money_text, month_text, village_names, years_of
from portal.audit.detectors.money_rules import employed_at_month_end
from portal.audit.detectors.people_common import CHUNK, PAID_STATES
from portal.audit.rules import Month, Severity, SubjectType
from portal.core.masking import mask_id
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.registry.models import Household, Person
from portal.workshops import settings as workshop_settings
from portal.workshops.models import Workshop, WorkshopEmployee


def find(scope: Scope):
    years = years_of(scope)
    lo, hi = years[0][0], years[-1][1]
    jobs: dict[int, list] = {}
    aided = sorted(workshop_settings.policy_for(scope.county_id, scope.end).aided_categories)
    for person_id, workshop_id, name, hire, leave, certified, exited in db.session.execute(
            select(WorkshopEmployee.person_id, Workshop.id, Workshop.name, WorkshopEmployee.hire_date,
                   WorkshopEmployee.leave_date, Workshop.certified_on, Workshop.exited_on)
            .join(Workshop, Workshop.id == WorkshopEmployee.workshop_id)
            .join(Person, Person.id == WorkshopEmployee.person_id)
            .join(Household, Household.id == Person.household_id)
            .where(Workshop.village_id.in_(county_villages(scope.county_id)), WorkshopEmployee.hire_date <= hi,
                   Household.category.in_(aided))):
        if leave is not None and leave < lo:
            continue
        jobs.setdefault(person_id, []).append((workshop_id, name, hire, leave, certified, exited))
    if not jobs:
        return
    people = sorted(jobs)
    lines = []
    for k in range(0, len(people), CHUNK):
        lines += db.session.execute(
            select(PayrollLine.person_id, PayrollLine.person_name, PayrollLine.id_number, PayrollLine.post_id,
                   PayrollLine.post_title, PayrollLine.village_id, PayrollLine.amount, Payroll.year, Payroll.month)
            .join(Payroll, Payroll.id == PayrollLine.payroll_id)
            .where(PayrollLine.person_id.in_(people[k:k + CHUNK]), PayrollLine.kind == "duty",
                   PayrollLine.schedule == "full_time", Payroll.state.in_(PAID_STATES),
                   Payroll.year.between(lo.year, hi.year))).all()
    found: dict[tuple[int, int], list] = {}
    for line in sorted(lines, key=lambda r: (r.person_id, r.year, r.month)):
        month = Month(line.year, line.month)
        job = next((j for j in jobs[line.person_id] if employed_at_month_end(month, j[2], j[3], j[4], j[5])), None)
        if job is not None:
            found.setdefault((line.person_id, line.year), []).append((month, line, job))
    if not found:
        return
    names = village_names(scope.county_id)
    for (person_id, year), hits in sorted(found.items()):
        _month, line, job = hits[-1]
        amount = sum((Decimal(h[1].amount) for h in hits), Decimal(0))
        months = sorted({str(h[0]) for h in hits})
        facts = {"person_id": person_id, "name": line.person_name, "id": mask_id(line.id_number),
                 "post_id": line.post_id, "post": line.post_title, "village_id": line.village_id,
                 "village": names.get(line.village_id, ""), "workshop_id": job[0], "workshop": job[1],
                 "year": year, "months": months, "paid": f"{amount:.2f}"}
        yield Hit(SubjectType.PERSON, person_id, date(year, 1, 1), date(year, 12, 31), line.village_id,
                  facts=facts, amount=amount)


def describe(facts: dict) -> str:
    months = facts.get("months") or ["2000-01"]
    return _("%(name)s (%(id)s) of %(village)s was counted as an aided employee of the workshop %(workshop)s "
             "while paid for the full-time post %(post)s in %(n)d months of %(year)d (%(first)s to %(last)s): "
             "%(paid)s of post pay.", name=facts.get("name", ""), id=facts.get("id", ""),
             village=facts.get("village", ""), workshop=facts.get("workshop", ""), post=facts.get("post", ""),
             n=len(months), year=facts.get("year", 0), first=month_text(months[0]), last=month_text(months[-1]),
             paid=money_text(facts.get("paid", "0")))


DETECTOR = register(Detector("double_benefit", _l("Double benefit"), Severity.MEDIUM, find, describe,
                             subject=SubjectType.PERSON))
