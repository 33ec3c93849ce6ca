"""API v1 of exits (有序退岗): list and read in scope, propose, and the township's and clerk's actions.

Every rule is the service's (portal.posts.exits); the API shapes input and output only. Another place's
exit or appointment is 404; a role that may not act gets 403 `not_allowed`; an illegal move 422
`illegal_move`; a lost race 409 `conflict`. Dates are the county's (Asia/Shanghai) today.
"""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.api.core import token_required
from portal.api.schemas import (
    ID_PATH,
    ErrorSchema,
    PageArgs,
    error_responses,
    id_field,
    text_field,
)
from portal.core.access import get_scoped_or_404, scoped
from portal.posts.exits import service as exits
from portal.posts.models import Appointment, Exit
from portal.posts.rules import ExitReason, ExitState
from portal.registry.service import page_of

TOTAL_HEADER = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "Rows in all pages"}}

blp = Blueprint("api_exits", __name__, url_prefix="/api/v1", description="Exits from public-welfare posts (有序退岗)")


class ExitSchema(Schema):
    id = fields.Integer()
    appointment_id = fields.Integer()
    village_id = fields.Integer()
    holder_name = fields.String(attribute="appointment.person.name")
    post_title = fields.String(attribute="appointment.post.title")
    reason = fields.String(validate=validate.OneOf([r.value for r in ExitReason]))
    evidence = fields.String()
    proposed_by = fields.Integer(allow_none=True, metadata={"description": "null: proposed by the portal"})
    proposed_on = fields.Date()
    effective_on = fields.Date(metadata={"description": "the first day off the post"})
    state = fields.String(validate=validate.OneOf([s.value for s in ExitState]))
    decided_by = fields.Integer(allow_none=True)
    decision_note = fields.String()
    notified_on = fields.Date(allow_none=True)
    appeal_deadline = fields.Method("get_deadline", metadata={"type": "string", "format": "date", "nullable": True})
    appeal_text = fields.String()
    appeal_recorded_on = fields.Date(allow_none=True)
    appeal_note = fields.String()

    def get_deadline(self, exit):
        day = exits.deadline_of(exit)
        return day.isoformat() if day else None


class ExitListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf([s.value for s in ExitState]))
    appointment_id = id_field()


class ProposeSchema(Schema):
    appointment_id = id_field(required=True)
    reason = fields.String(required=True, validate=validate.OneOf([r.value for r in ExitReason]))
    evidence = text_field(2000, required=True)
    effective_on = fields.Date(required=True, metadata={"description": "the first day off the post"})


class NoteSchema(Schema):
    note = text_field(2000, required=True)


class AppealSchema(Schema):
    text = text_field(2000, required=True, metadata={"description": "what the holder says"})


class DecideAppealSchema(Schema):
    uphold = fields.Boolean(required=True, metadata={"description": "true: the exit is cancelled"})
    note = text_field(2000, required=True)


_responses = error_responses(blp, {401: "Missing or invalid token", 403: "Role may not do this",
                                   404: "Not in your scope, or no such exit",
                                   409: "Changed meanwhile, or already open",
                                   422: "Refused by Rule 4, or an illegal move"}, 401, 403, 404, 409, 422)


def _load(exit_id: int) -> Exit:
    return get_scoped_or_404(Exit, exit_id, g.api_user)


@blp.route("/exits")
@token_required
@blp.arguments(ExitListArgs, location="query")
@blp.response(200, ExitSchema(many=True), headers=TOTAL_HEADER)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_exits(args):
    """Exits the user may see, newest first; paginated, total in X-Total-Count."""
    stmt = scoped(select(Exit), Exit, g.api_user).options(
        selectinload(Exit.appointment).selectinload(Appointment.person),
        selectinload(Exit.appointment).selectinload(Appointment.post))
    if "state" in args:
        stmt = stmt.where(Exit.state == args["state"])
    if "appointment_id" in args:
        stmt = stmt.where(Exit.appointment_id == args["appointment_id"])
    rows, total = page_of(stmt.order_by(Exit.id.desc()), args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route(f"/exits/<{ID_PATH}:exit_id>")
@token_required
@blp.response(200, ExitSchema)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such exit")
def get_exit(exit_id: int):
    """One exit, with the last day to appeal once the holder is notified."""
    return _load(exit_id)


@blp.route("/exits", methods=["POST"])
@token_required
@blp.arguments(ProposeSchema)
@blp.response(201, ExitSchema)
@_responses
def propose(args):
    """The village clerk proposes an exit for a holder on duty; the township decides."""
    appointment = get_scoped_or_404(Appointment, args["appointment_id"], g.api_user)
    return exits.propose(g.api_user, appointment, args["reason"], args["evidence"], args["effective_on"],
                         exits.county_today()), 201


@blp.route(f"/exits/<{ID_PATH}:exit_id>/approve", methods=["POST"])
@token_required
@blp.response(200, ExitSchema)
@_responses
def approve(exit_id: int):
    """A reviewer of the township approves (not the proposer); the holder is notified today."""
    exit = _load(exit_id)
    exits.approve(g.api_user, exit, exits.county_today())
    return _load(exit_id)


@blp.route(f"/exits/<{ID_PATH}:exit_id>/reject", methods=["POST"])
@token_required
@blp.arguments(NoteSchema)
@blp.response(200, ExitSchema)
@_responses
def reject(args, exit_id: int):
    """A reviewer of the township rejects the proposal, saying why."""
    exits.reject(g.api_user, _load(exit_id), args["note"])
    return _load(exit_id)


@blp.route(f"/exits/<{ID_PATH}:exit_id>/withdraw", methods=["POST"])
@token_required
@blp.response(200, ExitSchema)
@_responses
def withdraw(exit_id: int):
    """The village clerk withdraws a proposal before the township decides."""
    exits.withdraw(g.api_user, _load(exit_id))
    return _load(exit_id)


@blp.route(f"/exits/<{ID_PATH}:exit_id>/appeal", methods=["POST"])
@token_required
@blp.arguments(AppealSchema)
@blp.response(200, ExitSchema)
@_responses
def appeal(args, exit_id: int):
    """The village clerk records the holder's appeal within the appeal days."""
    exits.record_appeal(g.api_user, _load(exit_id), args["text"], exits.county_today())
    return _load(exit_id)


@blp.route(f"/exits/<{ID_PATH}:exit_id>/decide-appeal", methods=["POST"])
@token_required
@blp.arguments(DecideAppealSchema)
@blp.response(200, ExitSchema)
@_responses
def decide_appeal(args, exit_id: int):
    """A reviewer of the township upholds (exit cancelled) or dismisses (exit stands) the appeal."""
    exits.decide_appeal(g.api_user, _load(exit_id), args["uphold"], args["note"])
    return _load(exit_id)


BLUEPRINTS = [blp]
