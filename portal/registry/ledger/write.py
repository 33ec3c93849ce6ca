"""Writing a checked ledger: bulk inserts and updates in one transaction, with one audit row per change.

Households are matched by (village, number), people by resident ID. A field is written only when it
changed, so importing the same file twice changes nothing and adds no audit rows. New households and
people go in through auditlog.insert_rows (COPY on PostgreSQL, one executemany on SQLite), as their
audit rows do.
"""

from __future__ import annotations

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
from portal.registry.ledger.plan import LedgerPlan, Progress
from portal.registry.models import Household, Person

HOUSEHOLD_FIELDS = service.HOUSEHOLD_FIELDS
PERSON_FIELDS = service.PERSON_FIELDS
STEP = 1000


def _person_values(person, parsed) -> dict:
    """The person's fields as the register stores them (the same normalising as the person page)."""
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in vars(person).items()}
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


def _households(plan: LedgerPlan, changes: list, report: ImportReport) -> dict[str, int]:
    """Create and update the file's households; their ids by number."""
    wanted: dict[str, dict] = {}
    for r, _parsed in plan.rows:
        if r.household.number not in wanted:
            wanted[r.household.number] = dict(vars(r.household))
    new, changed = [], []
    for number, values in wanted.items():
        old = plan.households.get(number)
        if old is None:
            new.append(values | {"village_id": plan.village.id})
            continue
        before = {f: getattr(old, f) for f in HOUSEHOLD_FIELDS if getattr(old, f) != values[f]}
        if before:
            changed.append({"id": old.id, **values})
            changes.append(auditlog.Change("update", "household", str(old.id), before,
                                           {f: values[f] for f in before}))
    if changed:
        db.session.execute(update(Household), changed)
    ids = {number: h.id for number, h in plan.households.items()}
    if new:
        ids = _insert(Household.__table__, new, Household.number, plan.village.id)
        changes.extend(auditlog.Change("create", "household", str(ids[v["number"]]), None,
                                       {f: v[f] for f in HOUSEHOLD_FIELDS}) for v in new)
    report.details.append(_("Households: %(c)d created, %(u)d updated, %(n)d unchanged.",
                            c=len(new), u=len(changed), n=len(wanted) - len(new) - len(changed)))
    return ids


def write_plan(plan: LedgerPlan, progress: Progress | None = None) -> ImportReport:
    """Write a checked ledger in one transaction: inserts and updates in bulk, audit rows, one commit."""
    report, changes = ImportReport(), []
    try:
        household_ids = _households(plan, changes, report)
        new, changed, person_changes = [], [], []
        for k, (r, parsed) in enumerate(plan.rows, start=1):
            values = _person_values(r.person, parsed)
            home = household_ids[r.household.number]
            old = plan.people.get(parsed.number)
            if old is None:
                values.update(household_id=home, village_id=plan.village.id, birth_date=parsed.birth_date,
                              sex=parsed.sex.value)
                new.append(values)
            else:
                before = {f: getattr(old, f) for f in PERSON_FIELDS if getattr(old, f) != values[f]}
                if before:
                    changed.append({"id": old.id, **values})
                    person_changes.append(auditlog.Change(
                        "update", "person", str(old.id), service.audit_view(before),
                        service.audit_view({f: values[f] for f in before})))
                else:
                    report.unchanged += 1
            if progress and k % STEP == 0:
                progress(STEP)
        if changed:
            db.session.execute(update(Person), changed)
        if new:
            ids = _insert(Person.__table__, new, Person.id_number, plan.village.id)
            person_changes.extend(auditlog.Change(
                "create", "person", str(ids[v["id_number"]]), None,
                service.audit_view({f: v[f] for f in PERSON_FIELDS})) for v in new)
        report.created, report.updated = len(new), len(changed)
        changes.extend(person_changes)
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
