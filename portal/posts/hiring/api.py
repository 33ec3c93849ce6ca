"""API v1 of Rule 2 (以岗聘任): candidates, nominations, objections, approval — the pages' service calls.

Scope as everywhere: a post, appointment or objection of another place is 404. Resident IDs are masked.
Refusals come back as the service's DomainErrors (403 not_allowed, 409 conflict, 422 hiring_refused with
`fields`), the same messages as the pages.
"""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from portal.api.core import token_required
from portal.api.schemas import (
    ID_PATH,
    PageArgs,
    error_responses,
    id_field,
    text_field,
)
from portal.core.access import get_scoped_or_404, scoped
from portal.core.masking import mask_id
from portal.posts import rules
from portal.posts.hiring import labels as hiring_labels
from portal.posts.hiring import service as hiring
from portal.posts.models import Appointment, Objection, Post
from portal.registry.service import page_of

TOTAL_HEADER = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "Rows in all pages"}}

blp = Blueprint("api_hiring", __name__, url_prefix="/api/v1",
                description="Hiring by post (以岗聘任): candidates, nominations, public notice, approval")


class CandidateSchema(Schema):
    person_id = fields.Integer(attribute="person.id")
    name = fields.String(attribute="person.name")
    id_number = fields.Function(lambda r: mask_id(r.person.id_number), metadata={"description": "masked"})
    household_number = fields.String(attribute="person.household.number")
    rank = fields.Integer(allow_none=True)
    reasons = fields.List(fields.String())
    reason_texts = fields.Function(lambda r: [hiring_labels.reason_text(c) for c in r.reasons])
    problems = fields.List(fields.String(), metadata={"description": "why not eligible (codes)"})
    problem_texts = fields.Function(lambda r: [hiring_labels.problem_text(c) for c in r.problems])
    conflicts = fields.List(fields.String())


class CandidatesSchema(Schema):
    ranked = fields.List(fields.Nested(CandidateSchema))
    ineligible = fields.List(fields.Nested(CandidateSchema))


class ObjectionSchema(Schema):
    id = fields.Integer()
    appointment_id = fields.Integer()
    received_on = fields.Date()
    objector = fields.String()
    content = fields.String()
    state = fields.String()
    decision_note = fields.String()
    decided_at = fields.DateTime(allow_none=True)


def _codes(attr):
    return fields.Function(lambda a: hiring_labels.split_codes(getattr(a, attr)))


class AppointmentSchema(Schema):
    id = fields.Integer()
    post_id = fields.Integer()
    village_id = fields.Integer()
    person_id = fields.Integer()
    name = fields.String(attribute="person.name")
    id_number = fields.Function(lambda a: mask_id(a.person.id_number), metadata={"description": "masked"})
    state = fields.String()
    rank = fields.Integer()
    rank_reasons = _codes("rank_reasons")
    choice_reason = fields.String()
    conflicts = _codes("conflicts")
    justification = fields.String()
    nominated_by = fields.Integer()
    notice_start = fields.Date(allow_none=True)
    notice_end = fields.Date(allow_none=True)
    start_date = fields.Date()
    end_date = fields.Date()
    decided_by = fields.Integer(allow_none=True)
    reject_reason = fields.String()
    objections = fields.List(fields.Nested(ObjectionSchema))


class NominationArgs(Schema):
    person_id = id_field(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    choice_reason = text_field(2000, load_default="")
    justification = text_field(2000, load_default="")


class AppointmentListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf([s.value for s in rules.AppointmentState]))
    post_id = id_field()


class RejectArgs(Schema):
    reason = text_field(2000, required=True)


class ObjectionArgs(Schema):
    received_on = fields.Date(required=True)
    objector = text_field(60, load_default="")
    content = text_field(4000, required=True)


class DecideArgs(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["uphold", "dismiss"]))
    note = text_field(2000, required=True)


ERRORS = {401: "Missing or invalid token", 403: "Role or segregation of duties forbids it",
          404: "Not in your scope, or no such record", 409: "State moved on meanwhile",
          422: "Refused by Rule 2 (fields name why)"}


def _errors(*codes):
    return error_responses(blp, ERRORS, *codes)


@blp.route(f"/posts/<{ID_PATH}:post_id>/candidates")
@token_required
@blp.response(200, CandidatesSchema)
@_errors(401, 404)
def list_candidates(post_id: int):
    """The village's people for a post: eligible ones ranked with reasons, the others with why not."""
    return hiring.candidates(get_scoped_or_404(Post, post_id, g.api_user), g.api_user)


@blp.route(f"/posts/<{ID_PATH}:post_id>/nominations", methods=["POST"])
@token_required
@blp.arguments(NominationArgs)
@blp.response(201, AppointmentSchema)
@_errors(401, 403, 404, 409, 422)
def nominate(args, post_id: int):
    """Nominate a person (village clerk); the nomination goes on the public notice at once."""
    post = get_scoped_or_404(Post, post_id, g.api_user)
    return hiring.nominate(g.api_user, post, args["person_id"], args["start_date"], args["end_date"],
                           args["choice_reason"], args["justification"]), 201


@blp.route("/appointments")
@token_required
@blp.arguments(AppointmentListArgs, location="query")
@blp.response(200, AppointmentSchema(many=True), headers=TOTAL_HEADER)
@_errors(401)
def list_appointments(args):
    """Appointments in the user's scope, oldest notice first; paginated, total in X-Total-Count."""
    stmt = scoped(select(Appointment), Appointment, g.api_user)
    if "state" in args:
        stmt = stmt.where(Appointment.state == args["state"])
    if "post_id" in args:
        stmt = stmt.where(Appointment.post_id == args["post_id"])
    rows, total = page_of(stmt.order_by(Appointment.id), args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route(f"/appointments/<{ID_PATH}:appt_id>")
@token_required
@blp.response(200, AppointmentSchema)
@_errors(401, 404)
def get_appointment(appt_id: int):
    """One appointment with its rank, reasons, conflicts and objections."""
    return get_scoped_or_404(Appointment, appt_id, g.api_user)


@blp.route(f"/appointments/<{ID_PATH}:appt_id>/approve", methods=["POST"])
@token_required
@blp.response(200, AppointmentSchema)
@_errors(401, 403, 404, 409, 422)
def approve(appt_id: int):
    """The township approves after the notice with no open objection (not the nominator, not kin)."""
    appt = get_scoped_or_404(Appointment, appt_id, g.api_user)
    hiring.approve(g.api_user, appt)
    return appt


@blp.route(f"/appointments/<{ID_PATH}:appt_id>/reject", methods=["POST"])
@token_required
@blp.arguments(RejectArgs)
@blp.response(200, AppointmentSchema)
@_errors(401, 403, 404, 409, 422)
def reject(args, appt_id: int):
    """The township rejects a nomination with a reason."""
    appt = get_scoped_or_404(Appointment, appt_id, g.api_user)
    hiring.reject(g.api_user, appt, args["reason"])
    return appt


@blp.route(f"/appointments/<{ID_PATH}:appt_id>/objections", methods=["POST"])
@token_required
@blp.arguments(ObjectionArgs)
@blp.response(201, ObjectionSchema)
@_errors(401, 403, 404, 409, 422)
def record_objection(args, appt_id: int):
    """The village clerk records an objection received during the notice."""
    appt = get_scoped_or_404(Appointment, appt_id, g.api_user)
    return hiring.record_objection(g.api_user, appt, args["received_on"], args["objector"], args["content"]), 201


@blp.route(f"/objections/<{ID_PATH}:objection_id>/decide", methods=["POST"])
@token_required
@blp.arguments(DecideArgs)
@blp.response(200, ObjectionSchema)
@_errors(401, 403, 404, 409, 422)
def decide_objection(args, objection_id: int):
    """The township upholds (the nomination is rejected) or dismisses an objection."""
    objection = get_scoped_or_404(Objection, objection_id, g.api_user)
    hiring.decide_objection(g.api_user, objection, args["decision"], args["note"])
    return objection


BLUEPRINTS = [blp]
