"""Writing a checked ledger: bulk inserts and updates in one transaction, one audit row per household touched.

Households are matched by (village, number), people by resident ID. A field is written only when it
changed, so importing the same file twice changes nothing and adds no audit rows. New households and
people go in through auditlog.insert_rows (COPY on PostgreSQL, one executemany on SQLite), as their
audit rows do.
"""

from __future__ import annotations

from collections import defaultdict
from operator import itemgetter

from flask_babel import gettext as _
from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError

from portal.core import auditlog
from portal.core.errors import Conflict
from portal.core.imports import ImportReport
from portal.core.types import utcnow
from portal.extensions import db
from portal.registry import service
from portal.registry.ledger import audit as ledger_audit
from portal.registry.ledger.plan import LedgerPlan, Progress
from portal.registry.models import Household, Person

HOUSEHOLD_FIELDS = service.HOUSEHOLD_FIELDS
PERSON_FIELDS = service.PERSON_FIELDS
STEP = 1000


def _person_values(person, parsed) -> dict:
    """The person's fields as the register stores them (the same normalising as the person page; the ledger's
    readers have already stripped every text)."""
    values = dict(vars(person))
    values["id_number"] = parsed.number
    if not values["disabled"]:
        values["disability_grade"] = None
    return values


def _insert(table: Table, rows: list[dict], key, village_id: int) -> dict:
    """Insert new rows (dicts with the same keys), stamped now; the village's ids by `key` afterwards."""
    names = list(rows[0])
    now = utcnow()
    auditlog.insert_rows(table, names, list(map(itemgetter(*names), rows)), created_at=now, updated_at=now)
    return dict(db.session.execute(select(key, table.c.id).where(table.c.village_id == village_id)).tuples().all())


def _households(plan: LedgerPlan, report: ImportReport) -> tuple[dict[str, int], dict[str, tuple]]:
    """Create and update the file's households: their ids by number, and what changed in each (created?, before,
    after) by number, for its audit row."""
    wanted: dict[str, dict] = {}
    for r, _parsed in plan.rows:
        if r.household.number not in wanted:
            wanted[r.household.number] = dict(vars(r.household))
    new, changed, audit = [], [], {}
    for number, values in wanted.items():
        old = plan.households.get(number)
        if old is None:
            new.append(values | {"village_id": plan.village.id})
            audit[number] = (True, {}, {f: values[f] for f in HOUSEHOLD_FIELDS})
            continue
        before = {f: getattr(old, f) for f in HOUSEHOLD_FIELDS if getattr(old, f) != values[f]}
        if before:
            changed.append({"id": old.id, **values})
        audit[number] = (False, before, {f: values[f] for f in before})
    if changed:
        db.session.execute(update(Household), changed)
    ids = {number: h.id for number, h in plan.households.items()}
    if new:
        ids = _insert(Household.__table__, new, Household.number, plan.village.id)
    report.details.append(_("Households: %(c)d created, %(u)d updated, %(n)d unchanged.",
                            c=len(new), u=len(changed), n=len(wanted) - len(new) - len(changed)))
    return ids, audit


def write_plan(plan: LedgerPlan, progress: Progress | None = None) -> ImportReport:
    """Write a checked ledger in one transaction: inserts and updates in bulk, one audit row per household touched
    (with its members, ledger.audit) and one for the import, one commit."""
    report = ImportReport()
    try:
        household_ids, household_audit = _households(plan, report)
        new, new_homes, changed = [], [], []
        updated: dict[str, list] = defaultdict(list)  # household number -> [(before, after) member entries]
        for k, (r, parsed) in enumerate(plan.rows, start=1):
            values = _person_values(r.person, parsed)
            old = plan.people.get(parsed.number)
            if old is None:
                values.update(household_id=household_ids[r.household.number], village_id=plan.village.id,
                              birth_date=parsed.birth_date, sex=parsed.sex.value)
                new.append(values)
                new_homes.append(r.household.number)
            else:
                fields = tuple(f for f in PERSON_FIELDS if getattr(old, f) != values[f])
                if fields:
                    changed.append({"id": old.id, **values})
                    updated[r.household.number].append((ledger_audit.member(old.id, old._mapping, fields),
                                                        ledger_audit.member(old.id, values, fields)))
                else:
                    report.unchanged += 1
            if progress and k % STEP == 0:
                progress(STEP)
        if changed:
            db.session.execute(update(Person), changed)
        added: dict[str, list] = defaultdict(list)  # household number -> [member entry]
        if new:
            ids = _insert(Person.__table__, new, Person.id_number, plan.village.id)
            for v, number in zip(new, new_homes, strict=True):
                added[number].append(ledger_audit.member(ids[v["id_number"]], v, PERSON_FIELDS))
        report.created, report.updated = len(new), len(changed)
        changes = [ledger_audit.household_change(household_ids[number], created=created, before=before, after=after,
                                                 updated=updated.get(number, []), added=added.get(number, []))
                   for number, (created, before, after) in household_audit.items()
                   if created or before or number in updated or number in added]
        if changes:
            changes.append(auditlog.Change("import_ledger", "village", str(plan.village.id), None, {
                "rows": len(plan.rows), "created": report.created, "updated": report.updated,
                "unchanged": report.unchanged}))
            auditlog.record_many(plan.user, changes)
        db.session.commit()
    except IntegrityError as exc:
        # Someone registered one of these IDs or household numbers while the file was being written.
        db.session.rollback()
        raise Conflict(_("The register changed while the file was being imported; nothing was written. "
                         "Please import it again.")) from exc
    if progress:
        progress(len(plan.rows) % STEP)
    return report
