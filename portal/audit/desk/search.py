"""County-wide search for the auditor: by resident ID (exact, all 18 digits), bank account, phone or name,
every record that touches the person, their household or the account — the register, posts and
appointments, payroll lines with amounts, workshop employment, relations to cadres, findings.

Every search is written to the audit log (who searched for what, the value masked, and who was found).
Results carry masked values only (the page and the API print them as they are).
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.audit.detectors.shared_account import account_key
from portal.audit.models import Finding
from portal.audit.rules import SubjectType
from portal.core import auditlog
from portal.core.access import Role
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.masking import mask_account, mask_id, mask_phone
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine
from portal.places.models import Township, Village
from portal.posts.models import Appointment, Post
from portal.registry.models import Household, Person, Relationship
from portal.workshops.models import Workshop, WorkshopEmployee

MAX_PEOPLE = 20
MAX_LINES = 200
ID_RE = re.compile(r"^\d{17}[\dX]$")


class Kind(enum.StrEnum):
    ID = "id"
    ACCOUNT = "account"
    PHONE = "phone"
    NAME = "name"


def _ensure_county(user) -> None:
    if getattr(user, "role", None) not in (Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN):
        raise NotAllowed(_("Only the county auditor and the county admin search the whole county."))


def normalise(kind: str, query: str) -> str:
    """The query as it is compared; RuleViolation when it cannot match anything of its kind."""
    text = re.sub(r"[\s-]", "", str(query or "")) if kind != Kind.NAME else str(query or "").strip()
    if kind == Kind.ID:
        text = text.upper()
        if not ID_RE.match(text):
            raise RuleViolation(_("A resident ID is searched exactly: all 18 characters."), code="bad_id",
                                field="query")
    elif kind in (Kind.ACCOUNT, Kind.PHONE):
        if not text.isdigit() or not 6 <= len(text) <= 32:
            raise RuleViolation(_("Give the whole number (digits only)."), code="bad_number", field="query")
    elif kind == Kind.NAME:
        if not 1 <= len(text) <= 40 or "\x00" in text:
            raise RuleViolation(_("Give a name of 1 to 40 characters."), code="bad_name", field="query")
    else:
        raise RuleViolation(_("Choose what to search by."), code="bad_kind", field="kind")
    return text


def masked_query(kind: str, text: str) -> str:
    return {Kind.ID: mask_id, Kind.ACCOUNT: mask_account, Kind.PHONE: mask_phone}.get(kind, lambda t: t)(text)


@dataclass
class PersonHit:
    person: Person
    village: str
    township: str
    household: Household
    members: list[Person] = field(default_factory=list)
    appointments: list[tuple[Appointment, Post, str]] = field(default_factory=list)
    lines: list[tuple[PayrollLine, Payroll, str]] = field(default_factory=list)
    employment: list[tuple[WorkshopEmployee, Workshop]] = field(default_factory=list)
    relations: list[tuple[Relationship, Person, bool]] = field(default_factory=list)  # rel, other, other is cadre
    findings: list[Finding] = field(default_factory=list)

    @property
    def paid_total(self) -> Decimal:
        return sum((line.amount for line, _p, _v in self.lines), Decimal("0.00"))


@dataclass
class Result:
    kind: str
    shown_query: str  # masked
    people: list[PersonHit]
    account_lines: list[tuple[PayrollLine, Payroll, str]] = field(default_factory=list)  # pay into the account
    account_findings: list[Finding] = field(default_factory=list)
    truncated: bool = False


def _county_villages(county_id: int):
    return select(Village.id).join(Township, Township.id == Village.township_id).where(Township.county_id == county_id)


def _people(county_id: int, kind: str, text: str) -> tuple[list[Person], bool]:
    stmt = select(Person).where(Person.village_id.in_(_county_villages(county_id)))
    if kind == Kind.ID:
        stmt = stmt.where(Person.id_number == text)
    elif kind == Kind.ACCOUNT:
        paid_to = select(PayrollLine.person_id).where(PayrollLine.bank_account == text)
        stmt = stmt.where(or_(Person.bank_account == text, Person.id.in_(paid_to)))
    elif kind == Kind.PHONE:
        stmt = stmt.where(Person.phone == text)
    else:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Person.name.like(f"%{escaped}%", escape="\\"))
    people = list(db.session.execute(stmt.order_by(Person.name, Person.id).limit(MAX_PEOPLE + 1)).scalars())
    return people[:MAX_PEOPLE], len(people) > MAX_PEOPLE


def _facts_like(name: str, value: int):
    return or_(Finding.facts.like(f'%"{name}": {value},%'), Finding.facts.like(f'%"{name}": {value}}}%'))


def _findings_of(county_id: int, person: Person, appointment_ids: list[int], line_ids: list[int]) -> list[Finding]:
    subjects = [and_subject(SubjectType.PERSON, [person.id]), and_subject(SubjectType.HOUSEHOLD, [person.household_id]),
                and_subject(SubjectType.APPOINTMENT, appointment_ids), and_subject(SubjectType.PAYROLL_LINE, line_ids)]
    if person.bank_account:
        subjects.append(and_subject(SubjectType.ACCOUNT, [account_key(person.bank_account)]))
    clause = or_(*subjects, _facts_like("person_id", person.id), _facts_like("household_id", person.household_id))
    return list(db.session.execute(select(Finding).where(Finding.county_id == county_id, clause)
                                   .order_by(Finding.period_start.desc(), Finding.id)).scalars())


def and_subject(kind: str, ids):
    ids = [str(i) for i in ids]
    return (Finding.subject_type == str(kind)) & Finding.subject_id.in_(ids) if ids else Finding.id.is_(None)


def _names(village_ids) -> dict[int, tuple[str, str]]:
    return {v: (vn, tn) for v, vn, tn in db.session.execute(
        select(Village.id, Village.name, Township.name).join(Township, Township.id == Village.township_id)
        .where(Village.id.in_(set(village_ids))))}


def _lines(where) -> list[tuple[PayrollLine, Payroll]]:
    return [tuple(r) for r in db.session.execute(
        select(PayrollLine, Payroll).join(Payroll, Payroll.id == PayrollLine.payroll_id).where(where)
        .order_by(Payroll.year.desc(), Payroll.month.desc(), PayrollLine.id).limit(MAX_LINES)).all()]


def _hit(county_id: int, person: Person) -> PersonHit:
    household = db.session.get(Household, person.household_id)
    appointments = db.session.execute(
        select(Appointment, Post).join(Post, Post.id == Appointment.post_id)
        .where(Appointment.person_id == person.id).order_by(Appointment.start_date.desc())).all()
    lines = _lines(PayrollLine.person_id == person.id)
    employment = db.session.execute(
        select(WorkshopEmployee, Workshop).join(Workshop, Workshop.id == WorkshopEmployee.workshop_id)
        .where(WorkshopEmployee.person_id == person.id).order_by(WorkshopEmployee.hire_date.desc())).all()
    relations = []
    for rel in db.session.execute(select(Relationship).where(
            or_(Relationship.person_id == person.id, Relationship.relative_id == person.id))).scalars():
        other = db.session.get(Person, rel.relative_id if rel.person_id == person.id else rel.person_id)
        relations.append((rel, other, bool(other.is_cadre)))
    places = _names([person.village_id, *(a.village_id for a, _p in appointments),
                     *(line.village_id for line, _p in lines)])
    hit = PersonHit(person, *places[person.village_id], household,
                    members=[m for m in household.members if m.id != person.id],
                    appointments=[(a, p, places.get(a.village_id, ("", ""))[0]) for a, p in appointments],
                    lines=[(line, p, places.get(line.village_id, ("", ""))[0]) for line, p in lines],
                    employment=[tuple(r) for r in employment], relations=relations)
    hit.findings = _findings_of(county_id, person, [a.id for a, _p in appointments], [line.id for line, _p in lines])
    return hit


def search(user, kind: str, query: str) -> Result:
    """Everything the county holds about the people the query finds (audited; values masked on output)."""
    _ensure_county(user)
    text = normalise(kind, query)
    people, truncated = _people(user.county_id, kind, text)
    result = Result(str(kind), masked_query(kind, text), [_hit(user.county_id, p) for p in people], truncated=truncated)
    if kind == Kind.ACCOUNT:
        villages = _county_villages(user.county_id)
        lines = _lines((PayrollLine.bank_account == text) & PayrollLine.village_id.in_(villages))
        places = _names(line.village_id for line, _p in lines)
        result.account_lines = [(line, p, places.get(line.village_id, ("", ""))[0]) for line, p in lines]
        result.account_findings = list(db.session.execute(select(Finding).where(
            Finding.county_id == user.county_id, Finding.subject_type == str(SubjectType.ACCOUNT),
            Finding.subject_id == account_key(text))).scalars())
    auditlog.record(user, "audit.search", "search", str(kind), None,
                    {"kind": str(kind), "query": result.shown_query, "people": [p.person.id for p in result.people]})
    db.session.commit()
    return result


def facts_json(finding: Finding) -> dict:
    try:
        return json.loads(finding.facts or "{}")
    except ValueError:
        return {}
