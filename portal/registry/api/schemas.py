"""The register API's fields and schemas: households and people out (personal data masked) and in (shape only:
the checks are the service's)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from portal.api.schemas import PageArgs, PlaceRef, choice_field, id_field, text_field
from portal.core.masking import mask_account, mask_id, mask_phone
from portal.registry import rules, service

# ---- fields ---------------------------------------------------------------------------------------


ID_NUMBER_DOC = {"description": "18 characters, GB 11643 check digit; unique county-wide"}
MONEY_DOC = {"type": "string", "format": "decimal", "example": "1500.00"}


class Masked(fields.String):
    """A personal value as it may be shown: masked on the server, whoever asks."""

    def __init__(self, mask, **kwargs):
        super().__init__(dump_only=True, **kwargs)
        self.mask = mask

    def _serialize(self, value, attr, obj, **kwargs):
        return self.mask(value) if value else ""


# ---- output ---------------------------------------------------------------------------------------


class PersonSchema(Schema):
    id = fields.Integer()
    household_id = fields.Integer()
    household_number = fields.String(attribute="household.number")
    village_id = fields.Integer()
    name = fields.String()
    id_number = Masked(mask_id, metadata={"description": "masked: 4201**********123X", "example": "4201**********123X"})
    birth_date = fields.Date(metadata={"description": "from the resident ID"})
    sex = choice_field(rules.Sex, metadata={"description": "from the resident ID"})
    relation_to_head = choice_field(rules.RelationToHead)
    labour_capacity = choice_field(rules.LabourCapacity)
    disabled = fields.Boolean()
    disability_grade = fields.Integer(allow_none=True)
    phone = Masked(mask_phone, metadata={"description": "masked: 138****5678"})
    bank_name = fields.String()
    bank_account = Masked(mask_account, metadata={"description": "masked: BIN and last four, 622588******1234"})
    employment_status = choice_field(rules.EmploymentStatus)
    monthly_income = fields.Decimal(as_string=True, places=2, metadata=MONEY_DOC)
    training_wish = fields.String()
    willing_to_migrate = fields.Boolean()
    deceased = fields.Boolean()
    is_cadre = fields.Boolean()
    note = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HouseholdSchema(Schema):
    id = fields.Integer()
    village = fields.Nested(PlaceRef)
    number = fields.String()
    category = choice_field(rules.HouseholdCategory)
    monitored_subtype = choice_field(rules.MonitoredSubtype, allow_none=True)
    risk_eliminated = fields.Boolean()
    address = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class HouseholdDetailSchema(HouseholdSchema):
    members = fields.List(fields.Nested(PersonSchema))


class RevealedSchema(Schema):
    person_id = fields.Integer()
    field = fields.String()
    value = fields.String(metadata={"description": "the full value; the reveal is in the audit log"})


# ---- input ----------------------------------------------------------------------------------------


class HouseholdPatchSchema(Schema):
    number = text_field(metadata={"description": "1 to 30 letters, digits or dashes; unique in the village"})
    category = choice_field(rules.HouseholdCategory)
    monitored_subtype = choice_field(rules.MonitoredSubtype, allow_none=True,
                                metadata={"description": "only for monitored households, and required there"})
    risk_eliminated = fields.Boolean()
    address = text_field(120)


class HouseholdCreateSchema(HouseholdPatchSchema):
    village_id = id_field(metadata={"description": "required for county roles; a clerk's own village by default"})
    number = text_field(required=True,
                        metadata={"description": "1 to 30 letters, digits or dashes; unique in the village"})
    category = choice_field(rules.HouseholdCategory, required=True)


class _PersonFields(Schema):
    name = text_field()
    id_number = text_field(metadata=ID_NUMBER_DOC)
    relation_to_head = choice_field(rules.RelationToHead)
    labour_capacity = choice_field(rules.LabourCapacity)
    employment_status = choice_field(rules.EmploymentStatus)
    disabled = fields.Boolean()
    disability_grade = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=4))
    phone = text_field(20)
    bank_name = text_field(60)
    bank_account = text_field(32)
    monthly_income = fields.Decimal(metadata=MONEY_DOC)
    training_wish = text_field(120)
    willing_to_migrate = fields.Boolean()
    deceased = fields.Boolean()
    is_cadre = fields.Boolean()
    note = text_field(2000)


class PersonPatchSchema(_PersonFields):
    household_id = id_field(metadata={"description": "move the person to another household of the same village"})


class PersonCreateSchema(_PersonFields):
    name = text_field(required=True)
    id_number = text_field(required=True, metadata=ID_NUMBER_DOC)
    relation_to_head = choice_field(rules.RelationToHead, required=True)
    labour_capacity = choice_field(rules.LabourCapacity, required=True)
    employment_status = choice_field(rules.EmploymentStatus, required=True)


class HouseholdListArgs(PageArgs):
    village_id = id_field()
    category = choice_field(rules.HouseholdCategory)
    q = text_field(metadata={"description": "part of the household number or address"})


class PeopleListArgs(PageArgs):
    q = text_field(metadata={"description": "part of the name, a household number, or a full resident ID"})
    category = choice_field(rules.HouseholdCategory)
    capacity = choice_field(rules.LabourCapacity)
    status = choice_field(rules.EmploymentStatus)
    village_id = id_field()
    township_id = id_field()
    sort = fields.String(load_default="household", validate=validate.OneOf(list(service.SORTS)))


class RevealArgs(Schema):
    field = fields.String(required=True, validate=validate.OneOf(list(service.SENSITIVE)))
