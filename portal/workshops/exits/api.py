"""API v1 of workshop exits (摘牌退出): proposal, the delisting notice, the county's decision."""

from __future__ import annotations

from flask import g
from marshmallow import Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.api.core import token_required
from portal.api.schemas import ID_PATH, ErrorSchema, PageArgs, choice_field, id_field, text_field
from portal.core.access import get_scoped_or_404, scoped
from portal.core.clock import county_today
from portal.registry.service import page_of
from portal.workshops.api import TOTAL_HEADER, _day, _read, _responses, _With, _workshop, blp
from portal.workshops.certification.api import WorkshopEmployeeSchema
from portal.workshops.checks import MAX_NOTE
from portal.workshops.exits import service
from portal.workshops.models import WorkshopExit
from portal.workshops.rules import ExitCondition, ExitState

# ---- schemas: exits -------------------------------------------------------------------------------

class WorkshopExitSchema(Schema):
    id = fields.Integer()
    workshop_id = fields.Integer()
    workshop_name = fields.String(attribute="workshop.name")
    village_id = fields.Integer()
    condition = choice_field(ExitCondition)
    started_in = fields.Date(allow_none=True, metadata={"description": "first day of the monitored run's first month"})
    met_in = fields.Date(allow_none=True, metadata={"description": "first day of the month the run was met"})
    reason = fields.String()
    evidence = fields.String()
    proposed_by = fields.Integer(allow_none=True, metadata={"description": "null: proposed by the portal"})
    proposed_on = fields.Date()
    state = choice_field(ExitState)
    notice_start = fields.Date(allow_none=True, metadata={"description": "the delisting notice (摘牌公示) from"})
    notice_end = fields.Date(allow_none=True, metadata={"description": "the notice's last day"})
    published_by = fields.Integer(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decision_note = fields.String()
    effective_on = fields.Date(allow_none=True, metadata={"description": "the first day no longer a workshop"})


class WorkshopExitDetailSchema(WorkshopExitSchema):
    followup = fields.List(fields.Nested(WorkshopEmployeeSchema),
                           metadata={"description": "aided employees the exit leaves without this work"})


class WorkshopExitListArgs(PageArgs):
    state = choice_field(ExitState)
    workshop_id = id_field()


class WorkshopExitProposeSchema(Schema):
    workshop_id = id_field(required=True)
    condition = choice_field(ExitCondition, required=True)
    reason = text_field(MAX_NOTE, required=True)
    evidence = text_field(MAX_NOTE, load_default="")


class WorkshopExitApproveSchema(Schema):
    effective_on = _day(required=True, metadata={"description": "the first day no longer a workshop (today or later)"})
    note = text_field(MAX_NOTE, load_default="")


class WorkshopExitRejectSchema(Schema):
    note = text_field(MAX_NOTE, required=True)


# ---- exits ----------------------------------------------------------------------------------------

def _exit(exit_id: int) -> WorkshopExit:
    return get_scoped_or_404(WorkshopExit, exit_id, g.api_user)


def _exit_detail(exit_id: int) -> _With:
    exit = _exit(exit_id)
    return _With(exit, followup=service.followup(exit, county_today()))


@blp.route("/workshop-exits")
@token_required
@blp.arguments(WorkshopExitListArgs, location="query")
@blp.response(200, WorkshopExitSchema(many=True), headers=TOTAL_HEADER)
@blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_exits(args):
    """Workshop exits the user may see (history included), newest first; paginated, total in X-Total-Count."""
    stmt = scoped(select(WorkshopExit), WorkshopExit, g.api_user).options(selectinload(WorkshopExit.workshop))
    if "state" in args:
        stmt = stmt.where(WorkshopExit.state == args["state"])
    if "workshop_id" in args:
        stmt = stmt.where(WorkshopExit.workshop_id == args["workshop_id"])
    rows, total = page_of(stmt.order_by(WorkshopExit.id.desc()), args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route("/workshop-exits", methods=["POST"])
@token_required
@blp.arguments(WorkshopExitProposeSchema)
@blp.response(201, WorkshopExitDetailSchema)
@_responses
def propose_exit(args):
    """The township reviewer (or the county admin) proposes a workshop's exit, saying why."""
    workshop = _workshop(args["workshop_id"])
    proposal = service.propose_exit(g.api_user, workshop, args["condition"], args["reason"], args["evidence"],
                                    today=county_today())
    return _exit_detail(proposal.id), 201


@blp.route(f"/workshop-exits/<{ID_PATH}:exit_id>")
@token_required
@blp.response(200, WorkshopExitDetailSchema)
@_read
def get_exit(exit_id: int):
    """One exit, with the aided employees it leaves without this work (for follow-up; IDs masked)."""
    return _exit_detail(exit_id)


@blp.route(f"/workshop-exits/<{ID_PATH}:exit_id>/publish", methods=["POST"])
@token_required
@blp.response(200, WorkshopExitDetailSchema)
@_responses
def publish_notice(exit_id: int):
    """The township reviewer (or the county admin) posts the delisting notice (摘牌公示) on the village board
    from today, for the county's notice working days."""
    service.publish_notice(g.api_user, _exit(exit_id), today=county_today())
    return _exit_detail(exit_id)


@blp.route(f"/workshop-exits/<{ID_PATH}:exit_id>/approve", methods=["POST"])
@token_required
@blp.arguments(WorkshopExitApproveSchema)
@blp.response(200, WorkshopExitDetailSchema)
@_responses
def approve_exit(args, exit_id: int):
    """The county admin approves after the notice has ended (never their own proposal), effective on a day
    from today on; a day that has come exits the workshop at once."""
    service.approve_exit(g.api_user, _exit(exit_id), args["effective_on"], args["note"], today=county_today())
    return _exit_detail(exit_id)


@blp.route(f"/workshop-exits/<{ID_PATH}:exit_id>/reject", methods=["POST"])
@token_required
@blp.arguments(WorkshopExitRejectSchema)
@blp.response(200, WorkshopExitDetailSchema)
@_responses
def reject_exit(args, exit_id: int):
    """The county admin turns a proposal down before approval, saying why; the workshop resumes."""
    service.reject_exit(g.api_user, _exit(exit_id), args["note"], today=county_today())
    return _exit_detail(exit_id)
