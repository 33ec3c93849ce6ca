"""岗在人不在 stand-ins: a month of (near-)full attendance while the register says the person works outside
the county (外出务工-省外 / 外出务工-省内县外) in that month.

(Near-)full: the line's duty days are at least `near_full_percent` % of its required days (the audit setting
in force on the month's last day, default 90). Which lines count: the duty lines of payrolls that were
submitted, approved or paid (a draft or returned payroll has paid nothing yet).

The register keeps the person's current employment status only; the date a status took effect comes from the
audit log (every change of a person — the form, the API, the ledger import — is recorded there with its
before and after). The person counts as outside in a month when the status at the month's end is outside:
the status the latest recorded change on or before the month's last day set; else, when the first later
change names it, the status that change found (its `before`); else, with no recorded change of the status,
the current status if the person's record was created by the month's end.
Subject: the payroll line; period: its month. Amount at stake: the month's pay of that line.

Who is looked at: the holders the register has outside the county now (外出务工). Their history then dates
the status month by month. A holder recorded back in the county before the run is not looked at: finding
them would mean reading every person's history, and the audit log has no index by record (each read of it is
a scan; the people to read are kept to the few outside now).

Set-based: one query for the period's holders who are outside now, one for their audit rows and one for their
paid lines (only when there are such holders; a chunk of 500 people a query).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.attendance.service import ON_DUTY
from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, day_text, money_text, month_text, village_names
from portal.audit.detectors.people_common import chunks, county_date, paid_lines, person_history, sentences
from portal.audit.detectors.people_rules import value_at
from portal.audit.rules import Month, Severity, SubjectType, near_full
from portal.core.masking import mask_id
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.posts.models import Appointment
from portal.registry.labels import EMPLOYMENT
from portal.registry.models import Person
from portal.registry.rules import EmploymentStatus

OUTSIDE = (EmploymentStatus.MIGRANT_OUT_OF_PROVINCE, EmploymentStatus.MIGRANT_IN_PROVINCE)
FIELD = "employment_status"


def _holders_outside(scope: Scope) -> dict[int, tuple]:
    """The people on duty some day of the run whom the register has working outside the county now: person id
    → (status, record created at)."""
    rows = db.session.execute(select(Person.id, Person.employment_status, Person.created_at).where(
        Person.id.in_(select(Appointment.person_id).where(
            Appointment.village_id.in_(county_villages(scope.county_id)), Appointment.state.in_(ON_DUTY),
            Appointment.start_date <= scope.last.last, Appointment.end_date >= scope.start)),
        Person.employment_status.in_(OUTSIDE)))
    return {person_id: (status, created_at) for person_id, status, created_at in rows}


def find(scope: Scope):
    people = _holders_outside(scope)
    if not people:
        return
    names = village_names(scope.county_id)
    history = person_history(people, FIELD)
    L = PayrollLine
    lines = []
    for ids in chunks(people):
        lines += db.session.execute(paid_lines(
            scope, L.id, L.payroll_id, L.village_id, L.appointment_id, L.person_id, L.post_id, L.person_name,
            L.id_number, L.post_title, L.duty_days, L.required_days, L.amount, Payroll.year, Payroll.month)
            .where(L.person_id.in_(ids), L.required_days > 0)).all()
    for r in sorted(lines, key=lambda line: line.id):
        month = Month(r.year, r.month)
        percent = scope.policy_on(month.last).near_full_percent
        if not near_full(Decimal(r.duty_days), r.required_days, percent):
            continue
        current, created_at = people[r.person_id]
        status = value_at(FIELD, history.get(r.person_id, []), month.last, current, county_date(created_at))
        if status not in OUTSIDE:
            continue
        changed = [on for on, _before, after in history.get(r.person_id, [])
                   if on <= month.last and after and after.get(FIELD) == status]
        facts = {
            "payroll_id": r.payroll_id, "payroll_line_id": r.id, "person_id": r.person_id,
            "appointment_id": r.appointment_id, "post_id": r.post_id, "village_id": r.village_id,
            "name": r.person_name, "id": mask_id(r.id_number), "post": r.post_title,
            "village": names.get(r.village_id, ""), "month": str(month), "status": status,
            "since": changed[-1].isoformat() if changed else None,
            "duty_days": f"{Decimal(r.duty_days):.1f}", "required_days": r.required_days, "percent": percent,
            "amount": f"{Decimal(r.amount):.2f}",
        }
        yield Hit(SubjectType.PAYROLL_LINE, r.id, month.first, month.last, r.village_id, facts=facts,
                  amount=Decimal(r.amount))


def describe(facts: dict) -> str:
    status = str(EMPLOYMENT.get(facts.get("status", ""), facts.get("status", "")))
    text = _("In %(month)s %(name)s (%(id)s, %(village)s) was credited %(duty)s duty days of %(required)d on "
             "%(post)s and paid %(amount)s, while the register has the person working outside the county "
             "(%(status)s).", month=month_text(facts.get("month", "2000-01")), name=facts.get("name", ""),
             id=facts.get("id", ""), village=facts.get("village", ""), duty=facts.get("duty_days", "0"),
             required=facts.get("required_days", 0), post=facts.get("post", ""),
             amount=money_text(facts.get("amount", "0")), status=status)
    since = _("The status was recorded on %(day)s.", day=day_text(facts["since"])) if facts.get("since") else ""
    return sentences([text, since])


DETECTOR = register(Detector("absent_holder", _l("Holder absent from the post"), Severity.HIGH, find, describe,
                             settings=("near_full_percent",), subject=SubjectType.PAYROLL_LINE))
