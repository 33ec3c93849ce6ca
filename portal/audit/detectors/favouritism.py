"""优亲厚友 favouritism: holders who are village cadres, live in a cadre's household, or are declared relatives
(亲属关系, either direction of the declaration) of a cadre or of the user who nominated or approved them.

Holders: appointments in an on-duty state (approved, active, exiting, exited) whose active window meets the
run's period. The nominating clerk (Appointment.nominated_by) and the approving user (Appointment.decided_by)
are tied to the register through User.person_id: as soon as a user is linked to their person, their
relatives and household are checked (a handler in the holder's own household, or the holder themself, is a
tie too, as in the nomination's conflict check). Ties are read from the register as it stands (cadre flags,
households and declared relationships are current facts). The evidence names each tie and says whether a
justification was recorded at nomination (Appointment.justification).
Subject: the appointment; period: the calendar year. Amount at stake: the year's pay of the appointment's
lines in paid payrolls (submitted, approved, paid).

Set-based: one query for the period's holders with any such tie (cadre flags, cadre households, declared
relationships and linked users as subqueries), then their relationships, the people these name and the cadres
of their households, the linked users, and the pay (IN lists of at most 500 ids a query).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from portal.accounts.models import User
from portal.attendance.rules import active_window
from portal.attendance.service import ON_DUTY
from portal.audit.detectors import Detector, Hit, Scope, register
from portal.audit.detectors.common import county_villages, money_text, village_names, years_of
from portal.audit.detectors.people_common import chunks, listing, pay_by_month, sentences
from portal.audit.rules import Severity, SubjectType
from portal.core.masking import mask_id
from portal.extensions import db
from portal.posts.models import Appointment, Post
from portal.registry.labels import RELATIVE
from portal.registry.models import Person, Relationship

A = Appointment
MAX_JUSTIFICATION = 200
HANDLERS = (("nominator", "nominated_by"), ("approver", "decided_by"))


def _holders(scope: Scope) -> list:
    other = aliased(Person)
    cadre_households = select(other.household_id).where(other.is_cadre.is_(True))
    linked = select(User.person_id).where(User.person_id.is_not(None))
    linked_households = select(other.household_id).join(User, User.person_id == other.id)
    tied = or_(Person.is_cadre.is_(True), Person.household_id.in_(cadre_households),
               Person.id.in_(select(Relationship.person_id)), Person.id.in_(select(Relationship.relative_id)),
               Person.id.in_(linked), Person.household_id.in_(linked_households))
    return db.session.execute(
        select(A.id, A.person_id, A.village_id, A.post_id, A.state, A.start_date, A.end_date, A.exited_on,
               A.nominated_by, A.decided_by, A.justification, Person.name, Person.id_number, Person.is_cadre,
               Person.household_id, Post.title)
        .join(Person, Person.id == A.person_id).join(Post, Post.id == A.post_id)
        .where(A.village_id.in_(county_villages(scope.county_id)), A.state.in_(ON_DUTY),
               A.start_date <= scope.end, A.end_date >= scope.start, tied)
        .order_by(A.id)).all()


def _ties(holder, relatives: dict[int, list[tuple[int, str]]], people: dict[int, tuple],
          household_cadres: dict[int, list[int]], users: dict[int, tuple]) -> list[dict]:
    """The holder's ties, in the order of the evidence sentence."""
    ties = []
    if holder.is_cadre:
        ties.append({"tie": "cadre"})
    for cadre_id in household_cadres.get(holder.household_id, []):
        if cadre_id != holder.person_id:
            ties.append({"tie": "cadre_household", "person_id": cadre_id, "name": people[cadre_id][0]})
    kin = relatives.get(holder.person_id, [])
    for other_id, kind in kin:
        if other_id in people and people[other_id][1]:
            ties.append({"tie": "cadre_relative", "person_id": other_id, "name": people[other_id][0], "kind": kind})
    for role, column in HANDLERS:
        user = users.get(getattr(holder, column))
        if user is None:
            continue
        person_id, name, household_id = user
        if person_id == holder.person_id:
            ties.append({"tie": "handler_self", "role": role})
        elif household_id == holder.household_id:
            ties.append({"tie": "handler_household", "role": role, "person_id": person_id, "name": name})
        for other_id, kind in kin:
            if other_id == person_id:
                ties.append({"tie": "handler_relative", "role": role, "person_id": person_id, "name": name,
                             "kind": kind})
    return ties


def find(scope: Scope):
    holders = _holders(scope)
    if not holders:
        return
    names = village_names(scope.county_id)
    holder_ids = sorted({h.person_id for h in holders})
    relatives: dict[int, list[tuple[int, str]]] = {}
    seen: set[int] = set()
    for ids in chunks(holder_ids):
        for rel_id, person_id, relative_id, kind in db.session.execute(
                select(Relationship.id, Relationship.person_id, Relationship.relative_id, Relationship.kind)
                .where(or_(Relationship.person_id.in_(ids), Relationship.relative_id.in_(ids)))
                .order_by(Relationship.id)):
            if rel_id not in seen:
                seen.add(rel_id)
                relatives.setdefault(person_id, []).append((relative_id, kind))
                relatives.setdefault(relative_id, []).append((person_id, kind))
    named = sorted({other for h in holder_ids for other, _ in relatives.get(h, [])})
    household_set = {h.household_id for h in holders}
    households = sorted(household_set)
    people: dict[int, tuple[str, bool]] = {}
    household_cadres: dict[int, list[int]] = {}
    wanted = [Person.id.in_(ids) for ids in chunks(named)]
    wanted += [and_(Person.is_cadre.is_(True), Person.household_id.in_(ids)) for ids in chunks(households)]
    for condition in wanted:
        for person_id, name, is_cadre, household_id in db.session.execute(
                select(Person.id, Person.name, Person.is_cadre, Person.household_id).where(condition)
                .order_by(Person.id)):
            people[person_id] = (name, bool(is_cadre))
            if is_cadre and household_id in household_set and person_id not in household_cadres.get(household_id, []):
                household_cadres.setdefault(household_id, []).append(person_id)
    users = {user_id: (person_id, name, household_id) for user_id, person_id, name, household_id in db.session.execute(
        select(User.id, User.person_id, Person.name, Person.household_id).join(Person, Person.id == User.person_id))}
    found = []
    for holder in holders:
        ties = _ties(holder, relatives, people, household_cadres, users)
        if not ties:
            continue
        window = active_window(holder.state, holder.start_date, holder.end_date, holder.exited_on)
        if window is None:
            continue
        for year_first, year_last in years_of(scope):
            if window.clip(max(year_first, scope.start), min(year_last, scope.end)) is not None:
                found.append((holder, ties, year_first, year_last))
    if not found:
        return
    by_year: dict[tuple[int, int], Decimal] = {}
    paid = pay_by_month({hit[0].id for hit in found}, {hit[2].year for hit in found})
    for (appointment_id, year, _month), amount in paid.items():
        by_year[(appointment_id, year)] = by_year.get((appointment_id, year), Decimal("0.00")) + amount
    for holder, ties, year_first, year_last in found:
        at_stake = by_year.get((holder.id, year_first.year), Decimal("0.00"))
        justification = (holder.justification or "").strip()
        facts = {"appointment_id": holder.id, "person_id": holder.person_id, "post_id": holder.post_id,
                 "household_id": holder.household_id, "village_id": holder.village_id, "name": holder.name,
                 "id": mask_id(holder.id_number), "village": names.get(holder.village_id, ""), "post": holder.title,
                 "year": year_first.year, "ties": ties, "justification": justification[:MAX_JUSTIFICATION],
                 "at_stake": f"{at_stake:.2f}"}
        yield Hit(SubjectType.APPOINTMENT, holder.id, year_first, year_last, holder.village_id, facts=facts,
                  amount=at_stake)


def _tie_text(tie: dict) -> str:
    kind = str(RELATIVE.get(tie.get("kind", ""), tie.get("kind", "")))
    name = tie.get("name", "")
    nominated = tie.get("role") == "nominator"
    match tie.get("tie"):
        case "cadre":
            return _("is a village cadre")
        case "cadre_household":
            return _("lives in the household of village cadre %(name)s", name=name)
        case "cadre_relative":
            return _("is a declared relative (%(kind)s) of village cadre %(name)s", kind=kind, name=name)
        case "handler_self":
            return _("nominated themself") if nominated else _("approved their own appointment")
        case "handler_household":
            if nominated:
                return _("lives in the household of %(name)s, who nominated them", name=name)
            return _("lives in the household of %(name)s, who approved the appointment", name=name)
        case "handler_relative":
            if nominated:
                return _("is a declared relative (%(kind)s) of %(name)s, who nominated them", kind=kind, name=name)
            return _("is a declared relative (%(kind)s) of %(name)s, who approved the appointment", kind=kind,
                     name=name)
    return str(tie.get("tie", ""))


def describe(facts: dict) -> str:
    ties = listing((_tie_text(t) for t in facts.get("ties", [])), major=True)
    text = _("%(name)s (%(id)s, %(village)s) holds %(post)s in %(year)d and %(ties)s.", name=facts.get("name", ""),
             id=facts.get("id", ""), village=facts.get("village", ""), post=facts.get("post", ""),
             year=facts.get("year", 0), ties=ties)
    if facts.get("justification"):
        why = _("The justification recorded at nomination: “%(text)s”.", text=facts["justification"])
    else:
        why = _("No justification was recorded at nomination.")
    return sentences([text, why, _("Pay in %(year)d: %(amount)s.", year=facts.get("year", 0),
                                   amount=money_text(facts.get("at_stake", "0")))])


DETECTOR = register(Detector("favouritism", _l("Favouritism towards relatives and friends"), Severity.HIGH, find,
                             describe, subject=SubjectType.APPOINTMENT))
