"""共用账户: one bank account registered for, or paid to, different people.

Subject: the account (its masked form and a digest as the key); period: each calendar year the run
touches. Found in the register (people of the county with the same account) and in the payroll lines of
the year that were submitted, approved or paid (pay sent to the same account for different people; a draft
has paid nothing yet). Amount at stake: what the year's lines
paid into the account for everyone but the person who received most from it.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, money_text, village_names, years_of
from portal.audit.detectors.people_common import PAID_STATES, chunks
from portal.audit.rules import Severity, SubjectType
from portal.core.masking import mask_account
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.registry.models import Person

MAX_NAMED = 6


def account_key(account: str) -> str:
    """A finding's subject id for an account: a digest, so the full number is never stored in a finding."""
    return hashlib.sha256(account.encode()).hexdigest()[:24]


def find(scope: Scope):
    villages = county_villages(scope.county_id)
    names = village_names(scope.county_id)
    shared = select(Person.bank_account).where(Person.village_id.in_(villages), Person.bank_account != "") \
        .group_by(Person.bank_account).having(func.count(Person.id) > 1)
    owners: dict[str, list[tuple[int, str, int]]] = {}
    for person_id, name, village_id, account in db.session.execute(
            select(Person.id, Person.name, Person.village_id, Person.bank_account)
            .where(Person.village_id.in_(villages), Person.bank_account.in_(shared)).order_by(Person.id)):
        owners.setdefault(account, []).append((person_id, name, village_id))
    for start, end in years_of(scope):
        paid: dict[str, dict[int, Decimal]] = {}
        paid_names: dict[int, tuple[str, int]] = {}
        year_lines = (select(PayrollLine.bank_account).join(Payroll, Payroll.id == PayrollLine.payroll_id)
                      .where(Payroll.village_id.in_(villages), Payroll.year == start.year,
                             Payroll.state.in_(PAID_STATES), PayrollLine.bank_account != ""))
        # One pass finds the accounts paid for two or more people; only their lines are then read in detail.
        candidates = set(db.session.execute(
            year_lines.group_by(PayrollLine.bank_account)
            .having(func.min(PayrollLine.person_id) != func.max(PayrollLine.person_id))).scalars()) | set(owners)
        for chunk in chunks(sorted(candidates)):
            rows = db.session.execute(
                select(PayrollLine.bank_account, PayrollLine.person_id, PayrollLine.person_name,
                       PayrollLine.village_id, func.sum(PayrollLine.amount))
                .join(Payroll, Payroll.id == PayrollLine.payroll_id)
                .where(Payroll.village_id.in_(villages), Payroll.year == start.year,
                       Payroll.state.in_(PAID_STATES), PayrollLine.bank_account.in_(chunk))
                .group_by(PayrollLine.bank_account, PayrollLine.person_id, PayrollLine.person_name,
                          PayrollLine.village_id))
            for account, person_id, name, village_id, total in rows:
                paid.setdefault(account, {})[person_id] = Decimal(total or 0)
                paid_names[person_id] = (name, village_id)
        accounts = set(owners) | {a for a, people in paid.items() if len(people) > 1}
        for account in sorted(accounts):
            people = {pid: (n, v) for pid, n, v in owners.get(account, [])}
            for pid in paid.get(account, {}):
                people.setdefault(pid, paid_names[pid])
            if len(people) < 2:
                continue
            amounts = paid.get(account, {})
            at_stake = sum(amounts.values(), Decimal(0)) - max(amounts.values(), default=Decimal(0))
            listed = sorted(people.items())[:MAX_NAMED]
            village_ids = sorted({v for _, (_, v) in people.items()})
            yield Hit(SubjectType.ACCOUNT, account_key(account), start, end, village_ids[0],
                      facts={"account": mask_account(account), "year": start.year, "count": len(people),
                             "people": [{"person_id": pid, "name": n, "village": names.get(v, "")}
                                        for pid, (n, v) in listed],
                             "paid": f"{sum(amounts.values(), Decimal(0)):.2f}", "villages": len(village_ids)},
                      amount=at_stake, severity=Severity.HIGH if at_stake > 0 else Severity.MEDIUM)


def describe(facts: dict) -> str:
    people = "、".join(f"{p['name']}（{p['village']}）" for p in facts.get("people", []))
    return _("Bank account %(account)s belongs to %(count)d people: %(people)s; %(year)d payrolls paid "
             "%(paid)s into it.", account=facts.get("account", ""), count=facts.get("count", 0), people=people,
             year=facts.get("year", 0), paid=money_text(facts.get("paid", "0")))


DETECTOR = register(Detector("shared_account", _l("Shared bank account"), Severity.HIGH, find, describe,
                             subject=SubjectType.ACCOUNT))
