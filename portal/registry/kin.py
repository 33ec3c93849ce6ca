"""Who a registered person is tied to: their household and their declared relatives (either direction).

Segregation of duties reads it for the acting user (their account is linked to their register entry):
nobody decides a case about themselves, their household or a declared relative (`ensure_can_approve`).
Read fresh at every decision, so a relation declared after a case was opened still counts.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from portal.core.access import check_can_approve
from portal.extensions import db
from portal.registry.models import Person, Relationship


def kin_of(person_id: int | None) -> frozenset[int]:
    """The person, the members of their household and their declared relatives (empty for None)."""
    if person_id is None:
        return frozenset()
    household_id = db.session.scalar(select(Person.household_id).where(Person.id == person_id))
    if household_id is None:
        return frozenset()
    members = set(db.session.execute(select(Person.id).where(Person.household_id == household_id)).scalars())
    for a, b in db.session.execute(select(Relationship.person_id, Relationship.relative_id).where(
            or_(Relationship.person_id == person_id, Relationship.relative_id == person_id))).all():
        members.update((a, b))
    return frozenset(members | {person_id})


def ensure_can_approve(user, submitter_id: int | None, subject_household_ids=frozenset(),
                       subject_person_ids=frozenset()) -> None:
    """check_can_approve() for a logged-in user, reading their household and kin from their register entry."""
    person_id = getattr(user, "person_id", None)
    household_id = user.person.household_id if getattr(user, "person", None) is not None else None
    check_can_approve(user.id, submitter_id, approver_household_id=household_id,
                      subject_household_ids=frozenset(subject_household_ids),
                      approver_kin_ids=kin_of(person_id) if subject_person_ids else frozenset(),
                      subject_person_ids=frozenset(subject_person_ids))
