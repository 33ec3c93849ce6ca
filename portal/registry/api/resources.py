"""API v1 of the labour register: households and people, with the pages' checks, scope and masking.

Every rule is the service layer's (portal.registry.service): the API only shapes input and output (its
schemas are in registry.api.schemas).
- Reading follows the user's scope; a record of another place is 404, exactly like a missing one.
- Writing is for the roles the service allows (the clerk of the village, the county admin); others get
  403 `not_allowed`. The token is checked before the body, so an anonymous caller learns nothing.
- Personal data (resident ID, phone, bank account) is masked in every answer, for every role. The full
  value of one field of one person is `GET /people/<id>/reveal?field=...`, for the roles the service
  allows, and every reveal is written to the audit log.
- Birth date and sex derive from the resident ID and are read-only.
- Money is a decimal string ("1500.00"), never a float.
"""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.api.core import token_required
from portal.api.schemas import ID_PATH, ErrorSchema
from portal.core.access import get_scoped_or_404, scoped
from portal.core.errors import NotAllowed
from portal.registry import rules, service
from portal.registry.api.schemas import (
    HouseholdCreateSchema,
    HouseholdDetailSchema,
    HouseholdListArgs,
    HouseholdPatchSchema,
    HouseholdSchema,
    PeopleListArgs,
    PersonCreateSchema,
    PersonPatchSchema,
    PersonSchema,
    RevealArgs,
    RevealedSchema,
)
from portal.registry.models import Household, Person

TOTAL_HEADER = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "Rows in all pages"}}

households_blp = Blueprint("api_households", __name__, url_prefix="/api/v1",
                           description="Households of the labour register (脱贫劳动力台账)")
people_blp = Blueprint("api_people", __name__, url_prefix="/api/v1",
                       description="People of the labour register; personal data masked")


# ---- helpers --------------------------------------------------------------------------------------


def _ensure_may_write(user) -> None:
    """The role check first, so a read-only role is told so whatever it sent."""
    if not rules.may_edit_register(user.role):
        raise NotAllowed(_("Only the village clerk keeps the labour register."))


def _clean(args: dict) -> dict:
    """The pages' normalisation of input: strings trimmed, the ID in capitals, no spaces in an account."""
    out = {}
    for key, value in args.items():
        if isinstance(value, str) and key != "note":
            value = value.strip()
        if key == "id_number":
            value = value.upper()
        elif key == "bank_account":
            value = value.replace(" ", "")
        out[key] = value
    return out


def _household_data(household: Household | None, args: dict) -> rules.HouseholdData:
    """The stored household with the given fields laid over it."""
    stored = {k: getattr(household, k) for k in service.HOUSEHOLD_FIELDS} if household else {}
    merged = stored | _clean(args)
    if "category" in args and args["category"] != rules.HouseholdCategory.MONITORED \
            and "monitored_subtype" not in args:
        merged["monitored_subtype"] = None  # no longer monitored: its type goes with it
    return rules.HouseholdData(**{k: merged[k] for k in service.HOUSEHOLD_FIELDS if k in merged})


def _person_data(person: Person | None, args: dict) -> rules.PersonData:
    """The stored person (if any) with the given fields laid over it."""
    stored = {k: getattr(person, k) for k in service.PERSON_FIELDS} if person else {}
    given = _clean({k: v for k, v in args.items() if k in service.PERSON_FIELDS})
    merged = stored | given
    if given.get("disabled") is False and "disability_grade" not in given:
        merged["disability_grade"] = None  # no longer disabled: the grade goes with it
    return rules.PersonData(**{k: merged[k] for k in service.PERSON_FIELDS if k in merged})


def _page(stmt, args: dict):
    rows, total = service.page_of(stmt, args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


# ---- households -----------------------------------------------------------------------------------


@households_blp.route("/households")
@token_required
@households_blp.arguments(HouseholdListArgs, location="query")
@households_blp.response(200, HouseholdSchema(many=True), headers=TOTAL_HEADER)
@households_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_households(args):
    """Households the user may see, by village and number; paginated, total in X-Total-Count."""
    stmt = scoped(select(Household), Household, g.api_user).options(selectinload(Household.village))
    if "village_id" in args:
        stmt = stmt.where(Household.village_id == args["village_id"])
    if "category" in args:
        stmt = stmt.where(Household.category == args["category"])
    if args.get("q", "").strip():
        q = args["q"].strip()
        stmt = stmt.where(Household.number.contains(q, autoescape=True)
                          | Household.address.contains(q, autoescape=True))
    return _page(stmt.order_by(Household.village_id, Household.number, Household.id), args)


@households_blp.route("/households", methods=["POST"])
@token_required
@households_blp.arguments(HouseholdCreateSchema)
@households_blp.response(201, HouseholdDetailSchema)
@households_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@households_blp.alt_response(403, schema=ErrorSchema, description="Role may not write, or village outside scope")
@households_blp.alt_response(409, schema=ErrorSchema, description="Household number taken in the village")
def create_household(args):
    """A new household; a clerk's goes to their own village, a county admin names the village."""
    user = g.api_user
    _ensure_may_write(user)
    village_id = args.pop("village_id", None) or user.village_id
    if village_id is None:
        raise service.InvalidData({"village_id": _("Name the village of the household.")})
    return service.create_household(user, village_id, _household_data(None, args)), 201


@households_blp.route(f"/households/<{ID_PATH}:household_id>")
@token_required
@households_blp.response(200, HouseholdDetailSchema)
@households_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@households_blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such household")
def get_household(household_id: int):
    """One household with its members (personal data masked)."""
    return get_scoped_or_404(Household, household_id, g.api_user)


@households_blp.route(f"/households/<{ID_PATH}:household_id>", methods=["PATCH"])
@token_required
@households_blp.arguments(HouseholdPatchSchema)
@households_blp.response(200, HouseholdDetailSchema)
@households_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@households_blp.alt_response(403, schema=ErrorSchema, description="Role may not write")
@households_blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such household")
@households_blp.alt_response(409, schema=ErrorSchema, description="Household number taken in the village")
def update_household(args, household_id: int):
    """Change the given fields of a household; the others stay as they are."""
    hh = get_scoped_or_404(Household, household_id, g.api_user)
    _ensure_may_write(g.api_user)
    service.update_household(g.api_user, hh, _household_data(hh, args))
    return hh


@households_blp.route(f"/households/<{ID_PATH}:household_id>/people", methods=["POST"])
@token_required
@households_blp.arguments(PersonCreateSchema)
@households_blp.response(201, PersonSchema)
@households_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@households_blp.alt_response(403, schema=ErrorSchema, description="Role may not write")
@households_blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such household")
@households_blp.alt_response(409, schema=ErrorSchema, description="The resident ID is already registered")
def add_person(args, household_id: int):
    """Register a person in a household; birth date and sex come from the resident ID."""
    hh = get_scoped_or_404(Household, household_id, g.api_user)
    _ensure_may_write(g.api_user)
    return service.add_person(g.api_user, hh, _person_data(None, args)), 201


# ---- people ---------------------------------------------------------------------------------------


@people_blp.route("/people")
@token_required
@people_blp.arguments(PeopleListArgs, location="query")
@people_blp.response(200, PersonSchema(many=True), headers=TOTAL_HEADER)
@people_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_people(args):
    """People the user may see (the register page's search); paginated, total in X-Total-Count."""
    filters = {k: args[k] for k in ("q", "category", "capacity", "status", "village_id", "township_id", "sort")
               if k in args}
    stmt = service.people_query(g.api_user, **filters).options(selectinload(Person.household))
    return _page(stmt, args)


@people_blp.route(f"/people/<{ID_PATH}:person_id>")
@token_required
@people_blp.response(200, PersonSchema)
@people_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@people_blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such person")
def get_person(person_id: int):
    """One person (personal data masked)."""
    return get_scoped_or_404(Person, person_id, g.api_user)


@people_blp.route(f"/people/<{ID_PATH}:person_id>", methods=["PATCH"])
@token_required
@people_blp.arguments(PersonPatchSchema)
@people_blp.response(200, PersonSchema)
@people_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@people_blp.alt_response(403, schema=ErrorSchema, description="Role may not write")
@people_blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such person")
@people_blp.alt_response(409, schema=ErrorSchema, description="The resident ID is already registered")
def update_person(args, person_id: int):
    """Change the given fields of a person (all checks run on the result); `household_id` moves them."""
    person = get_scoped_or_404(Person, person_id, g.api_user)
    _ensure_may_write(g.api_user)
    service.update_person(g.api_user, person, _person_data(person, args), args.get("household_id"))
    return person


@people_blp.route(f"/people/<{ID_PATH}:person_id>/reveal")
@token_required
@people_blp.arguments(RevealArgs, location="query")
@people_blp.response(200, RevealedSchema)
@people_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@people_blp.alt_response(403, schema=ErrorSchema, description="Role may not see full personal data")
@people_blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such person")
def reveal(args, person_id: int):
    """The full value of one personal field of one person; written to the audit log."""
    person = get_scoped_or_404(Person, person_id, g.api_user)
    value = service.reveal(g.api_user, person, args["field"])
    return {"person_id": person.id, "field": args["field"], "value": value}


BLUEPRINTS = [households_blp, people_blp]
