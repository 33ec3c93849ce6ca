"""Factories for the exit tests: an approved post with an active holder, made directly with the models."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

START, END = date(2026, 1, 1), date(2026, 12, 31)


def user(username: str):
    from portal.accounts.models import User
    from portal.extensions import db

    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def make_holder(world, person_key: str = "p_a1a", *, schedule: str = "full_time", start: date = START,
                end: date = END) -> int:
    """An approved post of the person's village with the person active on it; returns the appointment id."""
    from portal.extensions import db
    from portal.posts.models import Appointment, Post
    from portal.registry.models import Person

    person = db.session.get(Person, world.people[person_key])
    clerk = user("clerk")
    post = Post(village_id=person.village_id, category="cleaning", title="村庄保洁员", duties="清扫主干道",
                workload_amount=Decimal("5"), workload_unit="km", headcount=1, schedule=schedule,
                required_days=None if schedule == "full_time" else 15, subsidy=Decimal("600.00"),
                funding_source="linkage_fund", start_date=START, end_date=END, need_reason="村道保洁",
                state="approved", created_by=clerk.id)
    db.session.add(post)
    db.session.flush()
    appointment = Appointment(post_id=post.id, village_id=person.village_id, person_id=person.id,
                              household_id=person.household_id, state="active", rank=1, nominated_by=clerk.id,
                              start_date=start, end_date=end)
    db.session.add(appointment)
    db.session.commit()
    return appointment.id


def appointment(appointment_id: int):
    from portal.extensions import db
    from portal.posts.models import Appointment

    db.session.expire_all()
    return db.session.get(Appointment, appointment_id)


def exit_row(exit_id: int):
    from portal.extensions import db
    from portal.posts.models import Exit

    db.session.expire_all()
    return db.session.get(Exit, exit_id)
