"""One planted case per detector about people on posts (吃空饷, 岗在人不在, 一人多岗, 优亲厚友, 轮流坐庄), each
`plant_<code>(world)` laid over the clean county of tests/audit_county.py (holders in villages a1a and a1b,
paid January to October 2026) so that a run over 2026-01..2026-10 finds it exactly once, and no other
detector finds anything. Also the small builders the detector tests share. Call inside an app context.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select, update

from tests.payroll_factories import CLERKS, user

TEST_YEAR = 2026


# ---- builders --------------------------------------------------------------------------------------------


def new_person(world, village_key: str = "a1a", *, household_id: int | None = None, name: str | None = None,
               status: str = "welfare_post", is_cadre: bool = False, created_on: date | None = None) -> int:
    """A registered person (in a new household of their own unless `household_id`); returns the id. Their record
    is dated `created_on` (default 1 Jan 2025: registered long before the months the tests pay)."""
    from portal.extensions import db
    from portal.registry.models import Household, Person
    from portal.registry.rules import with_check_digit

    village_id = world.ids[village_key]
    k = (db.session.scalar(select(func.count(Person.id))) or 0) + 700
    if household_id is None:
        household = Household(village_id=village_id, number=f"PP-{k:05d}", category="lifted")
        db.session.add(household)
        db.session.flush()
        household_id = household.id
    birth = date(1968, 1, 1) + timedelta(days=k)
    created = datetime.combine(created_on or date(2025, 1, 1), time(2), UTC)
    person = Person(household_id=household_id, village_id=village_id, name=name or f"村民{k}",
                    id_number=with_check_digit(f"422825{birth:%Y%m%d}{k % 1000:03d}"), birth_date=birth, sex="M",
                    relation_to_head="head", labour_capacity="full", employment_status=status, is_cadre=is_cadre,
                    created_at=created, updated_at=created)
    db.session.add(person)
    db.session.commit()
    return person.id


def new_post(world, village_key: str = "a1a", *, title: str = "护路员", headcount: int = 1,
             subsidy: Decimal = Decimal("500.00")) -> int:
    """An approved one-year post of the village (category cleaning, under the clean county's standard)."""
    from portal.extensions import db
    from portal.posts.models import Post

    post = Post(village_id=world.ids[village_key], category="cleaning", title=title, duties="巡查养护村道",
                workload_amount=Decimal("3"), workload_unit="km", headcount=headcount, schedule="full_time",
                subsidy=subsidy, funding_source="linkage_fund", start_date=date(TEST_YEAR, 1, 1),
                end_date=date(TEST_YEAR, 12, 31), need_reason="村道养护", state="approved",
                created_by=user(CLERKS.get(village_key, "clerk")).id)
    db.session.add(post)
    db.session.commit()
    return post.id


def appoint(post_id: int, person_id: int, start: date, end: date = date(TEST_YEAR, 12, 31), *,
            exited_on: date | None = None, state: str | None = None, household_id: int | None = None,
            nominated_by: str | None = None, decided_by: str | None = None, justification: str = "") -> int:
    """An appointment of the person on the post, written directly (active, or exited with `exited_on`);
    returns its id."""
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.posts.models import Appointment, Post
    from portal.registry.models import Person

    post = db.session.get(Post, post_id)
    person = db.session.get(Person, person_id)
    clerk = user(nominated_by) if nominated_by else db.session.get(User, post.created_by)
    appointment = Appointment(post_id=post_id, village_id=post.village_id, person_id=person_id,
                              household_id=household_id or person.household_id,
                              state=state or ("exited" if exited_on else "active"), rank=1, nominated_by=clerk.id,
                              decided_by=user(decided_by).id if decided_by else None, justification=justification,
                              start_date=start, end_date=end, exited_on=exited_on)
    db.session.add(appointment)
    db.session.commit()
    return appointment.id


def person_of(appointment_id: int) -> int:
    from portal.extensions import db
    from portal.posts.models import Appointment

    return db.session.get(Appointment, appointment_id).person_id


def record_on(day: date, actor: str, entity_id: int, before: dict | None, after: dict | None,
              action: str = "update", entity_type: str = "person") -> None:
    """An audit row for a change made at noon (county time) on a past `day`, chained like every other row: the
    log's own clock only writes now, and these tests need the register's past."""
    from portal.core import auditlog
    from portal.core.auditlog import AuditEntry, AuditHead
    from portal.extensions import db

    auditlog.ensure_head()
    head = db.session.get(AuditHead, 1)
    db.session.refresh(head)
    who = user(actor)
    ts = datetime.combine(day, time(4), UTC)
    seq, prev = head.seq + 1, head.last_hash
    before_text = auditlog.canonical(before) if before is not None else ""
    after_text = auditlog.canonical(after) if after is not None else ""
    digest = auditlog.row_hash(seq, ts, who.id, who.username, action, entity_type, str(entity_id), before_text,
                               after_text, prev)
    db.session.add(AuditEntry(seq=seq, ts=ts, actor_id=who.id, actor_name=who.username, action=action,
                              entity_type=entity_type, entity_id=str(entity_id), before=before_text,
                              after=after_text, prev_hash=prev, hash=digest))
    head.seq, head.last_hash = seq, digest
    db.session.commit()


def set_status(person_id: int, status: str, on: date, actor: str = "clerk") -> None:
    """The person's employment status changed on `on` (the register and its audit row)."""
    from portal.extensions import db
    from portal.registry.models import Person

    person = db.session.get(Person, person_id)
    record_on(on, actor, person_id, {"employment_status": person.employment_status}, {"employment_status": status})
    person.employment_status = status
    db.session.commit()


def line_of(appointment_id: int, year: int, month: int):
    """The appointment's duty line in the village's payroll of the month."""
    from portal.extensions import db
    from portal.payroll.models import Payroll, PayrollLine

    db.session.expire_all()
    return db.session.execute(select(PayrollLine).join(Payroll, Payroll.id == PayrollLine.payroll_id).where(
        PayrollLine.appointment_id == appointment_id, PayrollLine.kind == "duty", Payroll.year == year,
        Payroll.month == month)).scalar_one()


def set_line_amount(line_id: int, amount: Decimal) -> None:
    """Tamper with a stored payroll line (the kind of edit the detector is for)."""
    from portal.extensions import db
    from portal.payroll.models import PayrollLine

    db.session.execute(update(PayrollLine).where(PayrollLine.id == line_id).values(amount=amount))
    db.session.commit()


def clean_holders(world, village_key: str) -> list[int]:
    """The clean county's appointments of the village, in the order made."""
    from portal.extensions import db
    from portal.posts.models import Appointment

    return list(db.session.scalars(select(Appointment.id).where(Appointment.village_id == world.ids[village_key])
                                   .order_by(Appointment.id)))


# ---- one planted case per detector ----------------------------------------------------------------------


def plant_ghost_pay(world) -> None:
    """October's paid line of a holder of 青竹村 raised by ¥88.00 after the payroll was paid."""
    line = line_of(clean_holders(world, "a1a")[0], TEST_YEAR, 10)
    set_line_amount(line.id, line.amount + Decimal("88.00"))


def plant_absent_holder(world) -> None:
    """A holder of 石门村 registered on 9 October as working outside the province, with October's near-full
    attendance paid."""
    set_status(person_of(clean_holders(world, "a1b")[0]), "migrant_out_of_province", date(TEST_YEAR, 10, 9),
               actor="clerk_b")


def plant_multiple_posts(world) -> None:
    """A holder of 青竹村 also put on a second post of the village from July."""
    holder = person_of(clean_holders(world, "a1a")[0])
    appoint(new_post(world, "a1a"), holder, date(TEST_YEAR, 7, 1))


def plant_favouritism(world) -> None:
    """A holder of 青竹村 is a declared sibling of a village cadre."""
    from portal.extensions import db
    from portal.registry.models import Relationship

    holder = person_of(clean_holders(world, "a1a")[1])
    cadre = new_person(world, "a1a", name="李支书", status="in_county", is_cadre=True)
    db.session.add(Relationship(person_id=cadre, relative_id=holder, kind="sibling", village_id=world.ids["a1a"]))
    db.session.commit()


def plant_rotation(world) -> None:
    """A post of 石门村 held by three people of three households in turn within 2026."""
    post = new_post(world, "a1b", title="护林员")
    turns = [(date(TEST_YEAR, 1, 1), date(TEST_YEAR, 4, 1)), (date(TEST_YEAR, 4, 1), date(TEST_YEAR, 7, 1)),
             (date(TEST_YEAR, 7, 1), None)]
    for start, exited_on in turns:
        appoint(post, new_person(world, "a1b"), start, exited_on=exited_on)


def plant_shared_account(world) -> None:
    """Two holders of 石门村 registered with one bank account (the second borrowed the first's card)."""
    from portal.extensions import db
    from portal.registry.models import Person

    first, second = (db.session.get(Person, person_of(a)) for a in clean_holders(world, "a1b")[:2])
    second.bank_account = first.bank_account
    db.session.commit()
