"""What the labour register says about people considered for a post: hiring_rules' inputs, read in bulk.

Read-only helpers of the hiring service (portal.posts.hiring): a few queries per village, never one
per person, so the candidates page of a large village stays quick.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select

from portal.extensions import db
from portal.posts import rules
from portal.posts.hiring import rules as hiring_rules
from portal.posts.models import Appointment
from portal.registry.models import Household, Person, Relationship
from portal.registry.rules import EmploymentStatus, HouseholdCategory, LabourCapacity

HOLDING = [s.value for s in rules.HOLDING_STATES]


def age_on(birth: date, today: date) -> int:
    """Whole years of age (shown only: never a ground for refusal or rank)."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


@dataclass
class Ties:
    """Household members and declared relatives of some people, and which of them are cadres."""

    household_of: dict[int, frozenset[int]] = field(default_factory=dict)  # person -> household members
    relatives_of: dict[int, frozenset[int]] = field(default_factory=dict)  # person -> declared relatives
    cadre_ids: frozenset[int] = frozenset()

    def nominee(self, person_id: int) -> hiring_rules.NomineeFacts:
        return hiring_rules.NomineeFacts(
            person_id, self.household_of.get(person_id, frozenset()), self.relatives_of.get(person_id, frozenset()),
            self.cadre_ids)

    def handler(self, role: str, person_id: int | None) -> hiring_rules.Handler:
        if person_id is None:
            return hiring_rules.Handler(role, None)
        return hiring_rules.Handler(role, person_id, self.household_of.get(person_id, frozenset()),
                                    self.relatives_of.get(person_id, frozenset()))


def ties(person_ids: Iterable[int]) -> Ties:
    """The ties of `person_ids` (either direction of a declared relationship counts)."""
    ids = {i for i in person_ids if i is not None}
    if not ids:
        return Ties()
    household_by_person = dict(db.session.execute(
        select(Person.id, Person.household_id).where(Person.id.in_(ids))).all())
    members: dict[int, set[int]] = defaultdict(set)
    for pid, hid in db.session.execute(select(Person.id, Person.household_id).where(
            Person.household_id.in_(set(household_by_person.values())))).all():
        members[hid].add(pid)
    relatives: dict[int, set[int]] = defaultdict(set)
    for a, b in db.session.execute(select(Relationship.person_id, Relationship.relative_id).where(
            or_(Relationship.person_id.in_(ids), Relationship.relative_id.in_(ids)))).all():
        relatives[a].add(b)
        relatives[b].add(a)
    everyone = set(ids) | {m for ms in members.values() for m in ms} | {r for rs in relatives.values() for r in rs}
    cadres = frozenset(db.session.execute(
        select(Person.id).where(Person.id.in_(everyone), Person.is_cadre.is_(True))).scalars())
    return Ties(
        household_of={p: frozenset(members[h]) for p, h in household_by_person.items()},
        relatives_of={p: frozenset(relatives.get(p, set())) for p in ids},
        cadre_ids=cadres,
    )


def village_people(village_id: int, only: Iterable[int] | None = None) -> list[Person]:
    """The registered people of a village (or the given ones of it), household by household."""
    stmt = select(Person).where(Person.village_id == village_id)
    if only is not None:
        stmt = stmt.where(Person.id.in_(set(only)))
    return list(db.session.execute(stmt.order_by(Person.household_id, Person.id)).scalars())


def candidate_facts(people: list[Person], today: date) -> dict[int, hiring_rules.Candidate]:
    """hiring_rules.Candidate for each person: household category, capacity, disability, posts held."""
    hh_ids = {p.household_id for p in people}
    pids = {p.id for p in people}
    categories = dict(db.session.execute(
        select(Household.id, Household.category).where(Household.id.in_(hh_ids))).all())
    disabled: dict[int, set[int]] = defaultdict(set)
    for pid, hid in db.session.execute(select(Person.id, Person.household_id).where(
            Person.household_id.in_(hh_ids), Person.disabled.is_(True), Person.deceased.is_(False))).all():
        disabled[hid].add(pid)
    holding_people = set(db.session.execute(select(Appointment.person_id).where(
        Appointment.person_id.in_(pids), Appointment.state.in_(HOLDING))).scalars())
    holding_households = dict(db.session.execute(
        select(Appointment.household_id, func.count(Appointment.id))
        .where(Appointment.household_id.in_(hh_ids), Appointment.state.in_(HOLDING))
        .group_by(Appointment.household_id)).all())
    out = {}
    for p in people:
        out[p.id] = hiring_rules.Candidate(
            person_id=p.id, household_id=p.household_id,
            household_category=HouseholdCategory(categories[p.household_id]),
            capacity=LabourCapacity(p.labour_capacity),
            employment_status=EmploymentStatus(p.employment_status),
            disabled=bool(p.disabled),
            household_has_disabled_member=bool(disabled[p.household_id] - {p.id}),
            deceased=bool(p.deceased),
            holds_active_post=p.id in holding_people,
            household_active_posts=holding_households.get(p.household_id, 0),
            age=age_on(p.birth_date, today) if p.birth_date else None,
        )
    return out


def holders_of(post_id: int) -> int:
    """Appointments holding a place on the post (vacancies count against them)."""
    return db.session.scalar(select(func.count(Appointment.id)).where(
        Appointment.post_id == post_id, Appointment.state.in_(HOLDING))) or 0
