"""Pay to a holder whose household is no longer eligible (不符合条件仍领补), beyond the grace period, with no
exit proposed.

- Eligible: the household's category is among the county's eligible categories (posts policy
  `eligible_categories` in force on the month's first day; default lifted, monitored, low_income) — Rule 2's
  test, the one hiring and the exit triggers use (rules.category_eligible). A monitored household whose risk
  is eliminated stays in its category, and so stays eligible, as it does for hiring and exits.
- When it stopped being eligible: the register keeps the current category only; the audit log keeps every
  change (`update` rows of the household from the form, the API and the ledger import, whose before/after name
  the category). The stretch of ineligibility that covers the month's first day began with the change that
  ended the last eligible day (rules.ineligible_since); a household registered ineligible has been so since it
  was created.
- Flagged: a paid duty line (submitted, approved or paid payroll) of a month whose first day is more than
  `ineligible_grace_days` (audit setting in force on the month's last day, default 30) after that beginning
  (rules.beyond_grace), when no exit of the appointment had been proposed by the month's last day (an exit in
  any state but rejected or withdrawn; rules.exit_proposed). A month not yet paid is not flagged.

Subject: the payroll line; period: its month. Amount at stake: the line's amount.
Set-based: the candidate households are those ineligible now under a policy of the period, or with a recorded
category change (the audit log's `update` rows, found by the action index); then one query for their paid
lines in the period, one for their exits.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, day_text, money_text, month_text, village_names
from portal.audit.detectors.money_rules import beyond_grace, exit_proposed, ineligible_since
from portal.audit.detectors.people_common import CHUNK, county_date, paid_lines
from portal.audit.detectors.people_rules import value_at
from portal.audit.rules import Month, Severity, SubjectType, months_between
from portal.core.auditlog import AuditEntry
from portal.core.masking import mask_id
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.posts.models import Appointment, Exit
from portal.registry.labels import CATEGORY
from portal.registry.models import Household
from portal.registry.rules import HouseholdCategory

L = PayrollLine


def _loads(value: str | None) -> dict | None:
    try:
        data = json.loads(value) if value else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _category_changes(villages) -> dict[int, list[tuple[date, dict | None, dict | None]]]:
    """The county's households' recorded changes naming the category: id → [(county date, before, after)]."""
    needle = '%"category":%'
    rows = db.session.execute(
        select(AuditEntry.entity_id, AuditEntry.ts, AuditEntry.before, AuditEntry.after)
        .where(AuditEntry.action == "update", AuditEntry.entity_type == "household",
               or_(AuditEntry.after.like(needle), AuditEntry.before.like(needle)))
        .order_by(AuditEntry.seq)).all()
    history: dict[int, list] = {}
    for entity_id, ts, before, after in rows:
        if str(entity_id).isdigit():
            history.setdefault(int(entity_id), []).append((county_date(ts), _loads(before), _loads(after)))
    if history:  # only the county's households
        ids = sorted(history)
        mine = set()
        for k in range(0, len(ids), CHUNK):
            mine |= set(db.session.execute(select(Household.id).where(
                Household.id.in_(ids[k:k + CHUNK]), Household.village_id.in_(villages))).scalars())
        history = {h: c for h, c in history.items() if h in mine}
    return history


def find(scope: Scope):
    villages = county_villages(scope.county_id)
    months = months_between(scope.first, scope.last)
    eligible = {m: {str(c) for c in scope.posts_policy_on(m.first).eligible_categories} for m in months}
    ever_ineligible = sorted({str(c) for c in HouseholdCategory} - set.intersection(*eligible.values()))
    history = _category_changes(villages)
    candidates = set(history) | set(db.session.execute(select(Household.id).where(
        Household.village_id.in_(villages), Household.category.in_(ever_ineligible))).scalars())
    if not candidates:
        return
    ids = sorted(candidates)
    rows = []
    for k in range(0, len(ids), CHUNK):
        held = select(Appointment.id).where(Appointment.household_id.in_(ids[k:k + CHUNK]))
        rows += db.session.execute(
            paid_lines(scope, L.id, L.payroll_id, L.village_id, L.appointment_id, L.person_id, L.person_name,
                       L.id_number, L.post_title, L.amount, Payroll.year, Payroll.month, Appointment.household_id)
            .join(Appointment, Appointment.id == L.appointment_id).where(L.appointment_id.in_(held))).all()
    if not rows:
        return
    rows.sort(key=lambda r: r.id)
    homes = {h.id: h for h in db.session.execute(
        select(Household.id, Household.number, Household.category, Household.created_at)
        .where(Household.id.in_({r.household_id for r in rows}))).all()}
    exits: dict[int, list[tuple[str, date]]] = {}
    for appointment_id, state, proposed_on in db.session.execute(
            select(Exit.appointment_id, Exit.state, Exit.proposed_on)
            .where(Exit.appointment_id.in_({r.appointment_id for r in rows}))):
        exits.setdefault(appointment_id, []).append((state, proposed_on))
    names = village_names(scope.county_id)
    for r in rows:
        month = Month(r.year, r.month)
        home = homes[r.household_id]
        since = ineligible_since(history.get(r.household_id, []), home.category, county_date(home.created_at),
                                 month.first, eligible[month])
        if since is None or not beyond_grace(since, month, scope.policy_on(month.last).ineligible_grace_days):
            continue
        if any(exit_proposed(state, proposed_on, month) for state, proposed_on in exits.get(r.appointment_id, [])):
            continue
        category = _category_on(history.get(r.household_id, []), home.category, month.first)
        facts = {"payroll_line_id": r.id, "payroll_id": r.payroll_id, "person_id": r.person_id,
                 "appointment_id": r.appointment_id, "household_id": r.household_id, "village_id": r.village_id,
                 "name": r.person_name, "id": mask_id(r.id_number), "post": r.post_title,
                 "village": names.get(r.village_id, ""), "household": home.number, "category": category,
                 "since": since.isoformat(), "grace_days": scope.policy_on(month.last).ineligible_grace_days,
                 "month": str(month), "amount": f"{Decimal(r.amount):.2f}"}
        yield Hit(SubjectType.PAYROLL_LINE, r.id, month.first, month.last, r.village_id, facts=facts,
                  amount=Decimal(r.amount))


def _category_on(changes, current, day: date) -> str:
    value = value_at("category", changes, day, current, date.min)
    return str(value if value is not None else current)


def describe(facts: dict) -> str:
    category = facts.get("category", "")
    label = CATEGORY.get(category, category) if category in set(HouseholdCategory) else category
    return _("%(village)s's payroll of %(month)s paid %(name)s (%(id)s, %(post)s) %(amount)s, although household "
             "%(household)s (%(category)s) had not been eligible since %(since)s, more than the %(grace)d-day grace "
             "period before the month, and no exit had been proposed.",
             village=facts.get("village", ""), month=month_text(facts.get("month", "2000-01")),
             name=facts.get("name", ""), id=facts.get("id", ""), post=facts.get("post", ""),
             amount=money_text(facts.get("amount", "0")), household=facts.get("household", ""),
             since=day_text(facts.get("since", "2000-01-01")), category=label, grace=facts.get("grace_days", 0))


DETECTOR = register(Detector("ineligible_paid", _l("Pay after eligibility ended"), Severity.MEDIUM, find,
                             describe, settings=("ineligible_grace_days", "eligible_categories"),
                             subject=SubjectType.PAYROLL_LINE))
