"""The ledger import's audit: one row per household it touched, with its members, and nothing lost on the way."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import select

from portal.accounts.models import User
from portal.audit.detectors.people_common import person_history
from portal.core.auditlog import AuditEntry, verify_chain
from portal.extensions import db
from portal.registry import service
from portal.registry.ledger import service as ledger
from portal.registry.ledger.audit import members_of
from portal.registry.models import Household, Person
from tests.ledger_files import people, person, workbook


def clerk() -> User:
    return db.session.execute(select(User).where(User.username == "clerk")).scalar_one()


def run(village_id: int, rows: list[dict]):
    return ledger.import_ledger(clerk(), village_id, ledger.parse_ledger(workbook(rows)))


def rows_after(seq: int) -> list[AuditEntry]:
    return db.session.execute(select(AuditEntry).where(AuditEntry.seq > seq).order_by(AuditEntry.seq)).scalars().all()


def last_seq() -> int:
    return db.session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) or 0


def stored(person: Person) -> dict:
    """A person's register fields as the audit log keeps them: JSON text, personal data masked, the income as a
    number (the file's 0 or 2500.0 is the register's 0.00 or 2500.00)."""
    return same_income(json.loads(json.dumps(service.audit_view(
        {f: getattr(person, f) for f in service.PERSON_FIELDS}), default=str)))


def same_income(fields: dict | None) -> dict | None:
    if fields and "monthly_income" in fields:
        fields = fields | {"monthly_income": Decimal(fields["monthly_income"])}
    return fields


def test_a_first_import_writes_one_row_per_household_that_holds_every_member_in_full(world, ctx):
    seq = last_seq()
    run(world.ids["a1a"], people(12))  # four households of three
    new = rows_after(seq)
    assert [(e.action, e.entity_type) for e in new] == [("create", "household")] * 4 + [("import_ledger", "village")]
    for entry in new[:4]:
        household = db.session.get(Household, int(entry.entity_id))
        after = json.loads(entry.after)
        assert {k: after[k] for k in service.HOUSEHOLD_FIELDS} == {f: getattr(household, f)
                                                                   for f in service.HOUSEHOLD_FIELDS}
        members = members_of(None, after)
        assert sorted(pid for pid, _b, _a in members) == sorted(p.id for p in household.members)
        for pid, before, fields in members:  # every member's every field, recoverable from the row alone
            assert before is None
            assert same_income(fields) == stored(db.session.get(Person, pid))
    assert verify_chain().ok


def test_a_change_in_one_member_is_written_on_its_household_row_with_before_and_after(world, ctx):
    run(world.ids["a1a"], people(6))
    rows = people(6)
    rows[4]["联系电话"] = "13700001111"
    rows[4]["已故"] = "是"
    rows.append(person(6, household="H0001", 家庭住址="一组1号"))  # a new member of an existing household
    seq = last_seq()
    run(world.ids["a1a"], rows)
    new = rows_after(seq)
    assert [(e.action, e.entity_type) for e in new] == [("update", "household"), ("import_ledger", "village")]
    h1 = db.session.execute(select(Household).where(Household.number == "H0001")).scalar_one()
    changed, added = (db.session.execute(select(Person).where(Person.name == n)).scalar_one()
                      for n in ("测试4", "测试6"))
    assert new[0].entity_id == str(h1.id)
    members = members_of(json.loads(new[0].before), json.loads(new[0].after))
    assert [(pid, b, same_income(a)) for pid, b, a in members] == [
        (changed.id, {"phone": "139****0004", "deceased": False}, {"phone": "137****1111", "deceased": True}),
        (added.id, None, stored(added))]
    assert "13700001111" not in new[0].after  # masked, as on every audit row


def test_the_audit_still_sees_a_death_or_a_new_employment_recorded_by_an_import(world, ctx):
    run(world.ids["a1a"], people(6))
    rows = people(6)
    rows[1]["已故"] = "是"
    rows[2]["就业状态"] = "外出务工-省外"
    run(world.ids["a1a"], rows)
    dead, migrant = (db.session.execute(select(Person).where(Person.name == n)).scalar_one()
                     for n in ("测试1", "测试2"))
    deaths = person_history([dead.id, migrant.id], "deceased")
    assert [(b, same_income(a)) for _on, b, a in deaths[dead.id]] == [
        (None, stored(dead) | {"deceased": False}), ({"deceased": False}, {"deceased": True})]
    moves = person_history([migrant.id], "employment_status")
    assert [a["employment_status"] for _on, _b, a in moves[migrant.id]] == ["unemployed", "migrant_out_of_province"]


def test_an_unchanged_re_import_writes_no_household_row(world, ctx):
    run(world.ids["a1a"], people(9))
    seq = last_seq()
    run(world.ids["a1a"], people(9))
    assert rows_after(seq) == []
