"""Findings for the audit page, API and browser tests, made by the shared-account detector (the one that
exists with the audit foundation): two holders of a village registered with one bank account.

`plant(world, "a1a", paid=True)` also pays October 2026 to both holders, so the finding has money at stake
(the smaller share of what the account received: ¥600.00). Call inside an app context.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.payroll_factories import make_holders, make_payroll, mark_month, user

TODAY = date(2026, 11, 22)
DETECTOR = "shared_account"


def share_account(appointment_ids: list[int]) -> list:
    """Give every holder's person the first holder's bank account; returns the people."""
    from portal.extensions import db
    from portal.posts.models import Appointment
    from portal.registry.models import Person

    people = [db.session.get(Person, db.session.get(Appointment, a).person_id) for a in appointment_ids]
    for p in people[1:]:
        p.bank_account = people[0].bank_account
    db.session.commit()
    return people


def plant(world, village_key: str = "a1a", *, paid: bool = False) -> list:
    """Two holders of the village with one account (and, if `paid`, October 2026 paid to both)."""
    ids = make_holders(world, village_key, 2)
    people = share_account(ids)
    if paid:
        mark_month(ids, 2026, 10)
        make_payroll(world, village_key, 2026, 10, holders=0, state="paid")
    return people


def run_shared_account(username: str = "auditor", first: str = "2026-01", last: str = "2026-10"):
    """One run of the shared-account detector, as the service runs it; returns the run."""
    from portal.audit import runs
    from portal.audit.rules import Month

    return runs.run_audit(user(username), Month.parse(first), Month.parse(last), [DETECTOR], today=TODAY)


def findings_by_village(world) -> dict[str, int]:
    """The shared-account findings' ids by the world's village key."""
    from portal.audit.models import Finding
    from portal.extensions import db

    keys = {v: k for k, v in world.ids.items()}
    rows = db.session.execute(select(Finding.id, Finding.village_id).where(Finding.detector == DETECTOR)).all()
    return {keys[village_id]: finding_id for finding_id, village_id in rows}
