"""API v1 of the annual assessments and tiered rewards of workshops (年度考核, 梯次奖补)."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.api.core import token_required
from portal.api.schemas import ID_PATH, ErrorSchema, PageArgs, choice_field, id_field, text_field
from portal.core.access import get_scoped_or_404, scoped
from portal.core.clock import county_today
from portal.core.masking import mask_id
from portal.extensions import db
from portal.registry.models import Person
from portal.registry.service import page_of
from portal.workshops.api import TOTAL_HEADER, YEARS, _day, _money_out, _read, _responses, _With, blp
from portal.workshops.assessments import service
from portal.workshops.assessments.service import MAX_REFERENCE
from portal.workshops.models import Assessment, Workshop
from portal.workshops.rules import AssessmentState, Classification

# ---- schemas: assessments ---------------------------------------------------------------------------

class WorkshopPersonSchema(Schema):
    person_id = fields.Integer()
    name = fields.String()
    id_number = fields.String(metadata={"description": "masked"})


class WorkshopAssessmentSchema(Schema):
    id = fields.Integer()
    workshop_id = fields.Integer()
    workshop_name = fields.String(attribute="workshop.name")
    village_id = fields.Integer()
    year = fields.Integer()
    stable_aided = fields.Integer(metadata={"description": "aided employees employed 6 months or more of the year"})
    level = fields.Integer(metadata={"description": "tier level: 0 none, 1 the lowest tier ..."})
    previous_level = fields.Integer(allow_none=True, metadata={"description": "last year's level (null: none)"})
    reward = _money_out("yuan for the year")
    classification = choice_field(Classification, metadata={"description": "new 新建一批, upgraded 升级一批, "
                                                                           "supported 扶持一批, adjusted 调整一批, "
                                                                           "steady 稳定运行"})
    in_watch = fields.Boolean()
    condition_met = fields.Boolean()
    withheld = fields.Boolean(metadata={"description": "exited within the year: no reward"})
    tier_table = fields.String(metadata={"description": "the county's tier table used (stable:yuan, ...)"})
    state = choice_field(AssessmentState)
    computed_by = fields.Integer(allow_none=True)
    computed_at = fields.DateTime()
    approved_by = fields.Integer(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    approved_on = fields.Date(allow_none=True)
    paid_on = fields.Date(allow_none=True)
    bank_reference = fields.String()
    paid_by = fields.Integer(allow_none=True)
    paid_recorded_at = fields.DateTime(allow_none=True)


class WorkshopAssessmentDetailSchema(WorkshopAssessmentSchema):
    stable_employees = fields.List(fields.Nested(WorkshopPersonSchema),
                                   metadata={"description": "the stable aided employees as computed"})


class WorkshopAssessmentListArgs(PageArgs):
    year = fields.Integer(required=True, validate=YEARS)
    workshop_id = id_field()
    state = choice_field(AssessmentState)


class WorkshopComputeSchema(Schema):
    year = fields.Integer(required=True, strict=True, validate=YEARS, metadata={"description": "an ended year"})


class WorkshopPaymentSchema(Schema):
    paid_on = _day(required=True)
    bank_reference = text_field(MAX_REFERENCE, required=True)


# ---- assessments ----------------------------------------------------------------------------------

def _assessment(assessment_id: int) -> _With:
    row = get_scoped_or_404(Assessment, assessment_id, g.api_user)
    ids = [int(p) for p in row.stable_person_ids.split(",") if p.strip().isdigit()]
    people = {p.id: p for p in db.session.execute(select(Person).where(Person.id.in_(ids))).scalars()} if ids else {}
    stable = [{"person_id": i, "name": people[i].name, "id_number": mask_id(people[i].id_number)}
              for i in ids if i in people]
    return _With(row, stable_employees=stable)


@blp.route("/workshop-assessments")
@token_required
@blp.arguments(WorkshopAssessmentListArgs, location="query")
@blp.response(200, WorkshopAssessmentSchema(many=True), headers=TOTAL_HEADER)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_assessments(args):
    """The year's assessments the user may see, by village and workshop; paginated, total in X-Total-Count."""
    stmt = scoped(select(Assessment), Assessment, g.api_user).join(Workshop).where(
        Assessment.year == args["year"]).options(selectinload(Assessment.workshop))
    if "workshop_id" in args:
        stmt = stmt.where(Assessment.workshop_id == args["workshop_id"])
    if "state" in args:
        stmt = stmt.where(Assessment.state == args["state"])
    stmt = stmt.order_by(Assessment.village_id, Workshop.name, Assessment.id)
    rows, total = page_of(stmt, args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route("/workshop-assessments/compute", methods=["POST"])
@token_required
@blp.arguments(WorkshopComputeSchema)
@blp.response(200, WorkshopAssessmentSchema(many=True))
@_responses
def compute(args):
    """The county admin computes an ended year's assessment of every workshop of the county (stable aided
    employees, tier, reward, classification); assessments still `computed` are computed again."""
    return service.compute_year(g.api_user, args["year"], today=county_today())


@blp.route(f"/workshop-assessments/<{ID_PATH}:assessment_id>")
@token_required
@blp.response(200, WorkshopAssessmentDetailSchema)
@_read
def get_assessment(assessment_id: int):
    """One assessment with its stable aided employees as computed (IDs masked)."""
    return _assessment(assessment_id)


@blp.route(f"/workshop-assessments/<{ID_PATH}:assessment_id>/approve", methods=["POST"])
@token_required
@blp.response(200, WorkshopAssessmentDetailSchema)
@_responses
def approve_assessment(assessment_id: int):
    """The county admin approves the year's reward: its figures, and the year's records, are final."""
    service.approve_assessment(g.api_user, _assessment(assessment_id)._record, today=county_today())
    return _assessment(assessment_id)


@blp.route(f"/workshop-assessments/<{ID_PATH}:assessment_id>/payment", methods=["POST"])
@token_required
@blp.arguments(WorkshopPaymentSchema)
@blp.response(200, WorkshopAssessmentDetailSchema)
@_responses
def record_payment(args, assessment_id: int):
    """The county admin records that an approved reward was paid: the day and the bank's reference."""
    service.record_payment(g.api_user, _assessment(assessment_id)._record, args["paid_on"], args["bank_reference"],
                           today=county_today())
    return _assessment(assessment_id)
