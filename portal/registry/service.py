"""Register use cases: households, people, relationships, reveals. Each commits once with its audit row.

The same checks serve the pages, the API and the Excel import: shape and policy come from rules.py;
the county-wide uniqueness of a resident ID is checked here (it needs the database) and held by a
unique index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.core import auditlog
from portal.core.access import get_scoped
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.core.masking import mask_account, mask_id, mask_phone
from portal.extensions import db
from portal.places.models import Village
from portal.registry import rules
from portal.registry.labels import FIELDS, problem_text
from portal.registry.models import Household, Person, Relationship

HOUSEHOLD_FIELDS = ("number", "category", "monitored_subtype", "risk_eliminated", "address")
PERSON_FIELDS = ("name", "id_number", "relation_to_head", "labour_capacity", "employment_status", "disabled",
                 "disability_grade", "phone", "bank_name", "bank_account", "monthly_income", "training_wish",
                 "willing_to_migrate", "deceased", "is_cadre", "note")
SENSITIVE = {"id_number": mask_id, "bank_account": mask_account, "phone": mask_phone}


class InvalidData(RuleViolation):
    """Several fields are wrong; `problems` maps each field to its message."""

    code = "invalid_data"

    def __init__(self, problems: dict[str, str]):
        first_field, first = next(iter(problems.items()))
        super().__init__(f"{FIELDS.get(first_field, first_field)}: {first}", field=first_field)
        self.problems = problems


def _raise_problems(problems: Iterable[rules.Problem]) -> None:
    found = {}
    for p in problems:
        found.setdefault(p.field, problem_text(p))
    if found:
        raise InvalidData(found)


def audit_view(values: dict) -> dict:
    """Before/after for the audit log with personal data masked: the log is read by auditors."""
    view = dict(values)
    for k, mask in SENSITIVE.items():  # three fields: cheaper than testing every key (bulk imports)
        if view.get(k):
            view[k] = mask(view[k])
    return view


def _ensure_can_edit(user, village_id: int) -> Village:
    if not rules.may_edit_register(user.role):
        raise NotAllowed(_("Only the village clerk keeps the labour register."))
    village = get_scoped(Village, village_id, user)
    if village is None:
        raise NotAllowed(_("This village is outside your area."))
    return village


def duplicate_id_message(existing: Person) -> str:
    return _("This resident ID is already registered in %(village)s (%(masked)s).",
             village=existing.household.village.name, masked=mask_id(existing.id_number))


def _flush_or_conflict(id_number: str, own_id: int | None = None) -> None:
    """Two clerks saving the same ID at once: the unique index decides, the loser gets the usual refusal."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        _check_id_unique(id_number, own_id)
        raise


def _check_id_unique(id_number: str, own_id: int | None) -> None:
    existing = db.session.execute(select(Person).where(Person.id_number == id_number)).scalar_one_or_none()
    if existing is not None and existing.id != own_id:
        raise Conflict(duplicate_id_message(existing), field="id_number")


# ---- households -----------------------------------------------------------------------------------


def create_household(user, village_id: int, data: rules.HouseholdData) -> Household:
    """A new household in a village; its number is unique in the village."""
    _ensure_can_edit(user, village_id)
    _raise_problems(rules.check_household(data))
    if db.session.execute(select(Household.id).where(Household.village_id == village_id,
                                                     Household.number == data.number)).first():
        raise Conflict(_("Household number %(n)s already exists in this village.", n=data.number), field="number")
    hh = Household(village_id=village_id, **asdict(data))
    db.session.add(hh)
    db.session.flush()
    auditlog.record(user, "create", "household", hh.id, None, asdict(data))
    db.session.commit()
    return hh


def update_household(user, household: Household, data: rules.HouseholdData) -> None:
    _ensure_can_edit(user, household.village_id)
    _raise_problems(rules.check_household(data))
    clash = db.session.execute(select(Household.id).where(
        Household.village_id == household.village_id, Household.number == data.number,
        Household.id != household.id)).first()
    if clash:
        raise Conflict(_("Household number %(n)s already exists in this village.", n=data.number), field="number")
    before = auditlog.snapshot(household, HOUSEHOLD_FIELDS)
    for k, v in asdict(data).items():
        setattr(household, k, v)
    auditlog.record(user, "update", "household", household.id, before, asdict(data))
    db.session.commit()


# ---- people ---------------------------------------------------------------------------------------


def _apply_person(person: Person, data: rules.PersonData, parsed: rules.ResidentId) -> None:
    for k, v in asdict(data).items():
        setattr(person, k, v.strip() if isinstance(v, str) else v)
    person.id_number = parsed.number
    person.birth_date = parsed.birth_date
    person.sex = parsed.sex.value
    if not person.disabled:
        person.disability_grade = None


def validate_person(data: rules.PersonData, own_id: int | None = None) -> rules.ResidentId:
    """All checks of a person's fields, then the county-wide uniqueness of the ID."""
    problems, parsed = rules.check_person(data)
    _raise_problems(problems)
    _check_id_unique(parsed.number, own_id)
    return parsed


def add_person(user, household: Household, data: rules.PersonData) -> Person:
    """Register a person in a household; birth date and sex come from the ID."""
    _ensure_can_edit(user, household.village_id)
    parsed = validate_person(data)
    person = Person(household_id=household.id, village_id=household.village_id)
    _apply_person(person, data, parsed)
    db.session.add(person)
    _flush_or_conflict(parsed.number)
    auditlog.record(user, "create", "person", person.id, None,
                    audit_view(auditlog.snapshot(person, PERSON_FIELDS)))
    db.session.commit()
    return person


def update_person(user, person: Person, data: rules.PersonData, household_id: int | None = None) -> None:
    """Change a person's data (and household, within the village)."""
    _ensure_can_edit(user, person.village_id)
    parsed = validate_person(data, own_id=person.id)
    before = audit_view(auditlog.snapshot(person, PERSON_FIELDS) | {"household_id": person.household_id})
    if household_id is not None and household_id != person.household_id:
        target = get_scoped(Household, household_id, user)  # a body id, loaded like a path id
        if target is None or target.village_id != person.village_id:
            raise RuleViolation(_("Choose a household of the same village."), field="household")
        person.household_id = target.id
    _apply_person(person, data, parsed)
    _flush_or_conflict(parsed.number, person.id)
    after = audit_view(auditlog.snapshot(person, PERSON_FIELDS) | {"household_id": person.household_id})
    auditlog.record(user, "update", "person", person.id, before, after)
    db.session.commit()


# ---- relationships --------------------------------------------------------------------------------


def declare_relationship(user, person: Person, relative: Person, kind: str) -> Relationship:
    """Declare that two registered people are relatives (for the conflict-of-interest checks)."""
    _ensure_can_edit(user, person.village_id)
    if kind not in {k.value for k in rules.RelativeKind}:
        raise RuleViolation(_("Unknown kind of relationship."), field="kind")
    if relative.id == person.id:
        raise RuleViolation(_("A person cannot be their own relative."), field="relative")
    if get_scoped(Person, relative.id, user) is None:
        raise NotAllowed(_("This person is outside your area."))
    pair = db.session.execute(select(Relationship).where(
        ((Relationship.person_id == person.id) & (Relationship.relative_id == relative.id))
        | ((Relationship.person_id == relative.id) & (Relationship.relative_id == person.id)))).first()
    if pair:
        raise Conflict(_("This relationship is already declared."), field="relative")
    rel = Relationship(person_id=person.id, relative_id=relative.id, kind=kind, village_id=person.village_id)
    db.session.add(rel)
    db.session.flush()
    auditlog.record(user, "create", "relationship", rel.id, None,
                    {"person_id": person.id, "relative_id": relative.id, "kind": kind})
    db.session.commit()
    return rel


def remove_relationship(user, rel: Relationship) -> None:
    _ensure_can_edit(user, rel.village_id)
    auditlog.record(user, "delete", "relationship", rel.id,
                    {"person_id": rel.person_id, "relative_id": rel.relative_id, "kind": rel.kind}, None)
    db.session.delete(rel)
    db.session.commit()


def relatives_of(person: Person) -> list[tuple[Relationship, Person]]:
    """Declared relationships of a person, in both directions, with the other person."""
    rels = db.session.execute(select(Relationship).where(
        (Relationship.person_id == person.id) | (Relationship.relative_id == person.id))).scalars().all()
    other_ids = {r.relative_id if r.person_id == person.id else r.person_id for r in rels}
    others = {p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(other_ids))).scalars()}
    return [(r, others[r.relative_id if r.person_id == person.id else r.person_id]) for r in rels]


# ---- masking --------------------------------------------------------------------------------------


def can_reveal(user, person: Person) -> bool:
    """The clerk of the person's own village, and the county admin, may see full values."""
    if not rules.may_reveal(user.role):
        return False
    if user.role == "village_clerk":
        return user.village_id == person.village_id
    return get_scoped(Person, person.id, user) is not None


def reveal(user, person: Person, field: str) -> str:
    """One full value of one record, written to the audit log."""
    if field not in SENSITIVE:
        raise RuleViolation(_("Nothing to reveal there."))
    if not can_reveal(user, person):
        raise NotAllowed(_("Your role may not see full personal data."))
    auditlog.record(user, "reveal", "person", person.id, None, {"field": field})
    db.session.commit()
    return getattr(person, field) or ""


def masked(person: Person, field: str) -> str:
    return SENSITIVE[field](getattr(person, field))


# ---- search ---------------------------------------------------------------------------------------

SORTS = {
    "name": (Person.name, Person.id),
    "household": (Household.number, Person.id),
    "birth": (Person.birth_date, Person.id),
    "-birth": (Person.birth_date.desc(), Person.id),
    "updated": (Person.updated_at.desc(), Person.id),
}


def _people_where(user, *, q: str = "", category: str = "", capacity: str = "", status: str = "",
                  village_id: int | None = None, township_id: int | None = None,
                  include_deceased: bool = True) -> tuple[list, bool]:
    """The conditions of the register's search, and whether they read the household (its number, category)."""
    from portal.core.access import scope_clause

    where, household = [scope_clause(Person, user)], False
    q = (q or "").strip()
    if q:
        if len(q) == 18 and q[:17].isdigit():
            where.append(Person.id_number == q.upper())
        else:
            where.append(Person.name.contains(q, autoescape=True) | (Household.number == q))
            household = True
    if category:
        where.append(Household.category == category)
        household = True
    if capacity:
        where.append(Person.labour_capacity == capacity)
    if status:
        where.append(Person.employment_status == status)
    if village_id:
        where.append(Person.village_id == village_id)
    if township_id:
        where.append(Person.village_id.in_(select(Village.id).where(Village.township_id == township_id)))
    if not include_deceased:
        where.append(Person.deceased.is_(False))
    return where, household


def people_query(user, *, sort: str = "household", **filters):
    """People the user may see, filtered; search by name, or by a full resident ID."""
    where, _household = _people_where(user, **filters)
    return (select(Person).join(Household, Person.household_id == Household.id).where(*where)
            .order_by(*SORTS.get(sort, SORTS["household"])))


def people_page(user, page: int, size: int, *, sort: str = "household", **filters) -> tuple[list[Person], int]:
    """One page of the register list (households and villages loaded) and the count of all that match.

    The count reads people alone unless a filter needs the household, and the sort reads keys only; whole
    rows are loaded for the page's people alone (a county-wide list sorts 20 000 people on every page).
    """
    from sqlalchemy import func
    from sqlalchemy.orm import contains_eager

    where, household = _people_where(user, **filters)
    order = SORTS.get(sort, SORTS["household"])
    joined = household or order is SORTS["household"]
    total = db.session.scalar(_with_household(select(func.count(Person.id)), household).where(*where)) or 0
    keys = db.session.scalars(_with_household(select(Person.id), joined).where(*where).order_by(*order)
                              .limit(size).offset((max(page, 1) - 1) * size)).all()
    if not keys:
        return [], total
    found = {p.id: p for p in db.session.scalars(
        select(Person).join(Household, Person.household_id == Household.id).where(Person.id.in_(keys))
        .options(contains_eager(Person.household).selectinload(Household.village)))}
    return [found[k] for k in keys], total


def _with_household(stmt, joined: bool):
    return stmt.join(Household, Person.household_id == Household.id) if joined else stmt


def page_of(stmt, page: int, size: int):
    """One page of a SELECT and the total count."""
    from sqlalchemy import func

    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = db.session.execute(stmt.limit(size).offset((max(page, 1) - 1) * size)).scalars().all()
    return rows, total
