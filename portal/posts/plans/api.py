"""API v1 of post plans (Rule 1, 按需设岗): list, read, draft, change, and the workflow moves.

Every rule is the service layer's (portal.posts.plans): the API only shapes input and output.
- Reading follows the user's scope; a post of another place is 404, exactly like a missing one.
- Drafting and changing are for the village clerk; approving and returning for the township reviewer of
  the village (never the submitter); refusals are 403 `not_allowed`, 422 with the numbers, 409 when the
  post moved on meanwhile (of two concurrent approvals exactly one succeeds).
- Money is a decimal string ("800.00"), never a float.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import g
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.api.core import token_required
from portal.api.schemas import (
    ID_PATH,
    PageArgs,
    PlaceRef,
    choice_field,
    error_responses,
    id_field,
    text_field,
)
from portal.core.access import get_scoped_or_404, scoped
from portal.posts.models import Post
from portal.posts.plans import service as plans
from portal.posts.rules import FundingSource, PostCategory, PostState, Schedule
from portal.registry.service import page_of

TOTAL_HEADER = {"X-Total-Count": {"schema": {"type": "integer"}, "description": "Rows in all pages"}}
MONEY_DOC = {"type": "string", "format": "decimal", "example": "800.00"}
DATES = validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31))

blp = Blueprint("api_posts", __name__, url_prefix="/api/v1",
                description="Public-welfare post plans (公益性岗位): village drafts, township decides")


def _at_most(limit: int):
    """A bound on a decimal input (not a schema Range: the document states money as a string)."""
    def check(value: Decimal) -> None:
        if not value.is_finite() or not 0 <= value <= limit:
            raise ValidationError(f"from 0 to {limit}")
    return check


def _decimal(limit: int, **kwargs) -> fields.Decimal:
    return fields.Decimal(validate=_at_most(limit), metadata=MONEY_DOC, **kwargs)


class PostSchema(Schema):
    id = fields.Integer()
    village = fields.Nested(PlaceRef)
    category = choice_field(PostCategory)
    title = fields.String()
    duties = fields.String()
    workload_amount = fields.Decimal(as_string=True, metadata=MONEY_DOC)
    workload_unit = fields.String()
    headcount = fields.Integer()
    schedule = choice_field(Schedule)
    required_days = fields.Integer(allow_none=True)
    subsidy = fields.Decimal(as_string=True, places=2, metadata=MONEY_DOC | {"description": "yuan a month"})
    funding_source = choice_field(FundingSource)
    start_date = fields.Date()
    end_date = fields.Date()
    need_reason = fields.String()
    state = choice_field(PostState)
    vacancies = fields.Method("get_vacancies", metadata={"type": "integer"})
    submitted_by = fields.Integer(allow_none=True)
    submitted_at = fields.DateTime(allow_none=True)
    decided_by = fields.Integer(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    return_reason = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()

    def get_vacancies(self, post) -> int:
        return plans.vacancies(post)


class PostPatchSchema(Schema):
    category = choice_field(PostCategory)
    title = text_field(60)
    duties = text_field(2000)
    workload_amount = _decimal(10**7)
    workload_unit = text_field(20)
    headcount = fields.Integer(validate=validate.Range(min=0, max=1000))
    schedule = choice_field(Schedule)
    required_days = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=31))
    subsidy = _decimal(10**6)
    funding_source = choice_field(FundingSource)
    start_date = fields.Date(validate=DATES)
    end_date = fields.Date(validate=DATES)
    need_reason = text_field(2000)


class PostCreateSchema(PostPatchSchema):
    category = choice_field(PostCategory, required=True)
    title = text_field(60, required=True)
    duties = text_field(2000, required=True)
    workload_amount = _decimal(10**7, required=True)
    workload_unit = text_field(20, required=True)
    headcount = fields.Integer(required=True, validate=validate.Range(min=0, max=1000))
    schedule = choice_field(Schedule, required=True)
    subsidy = _decimal(10**6, required=True)
    funding_source = choice_field(FundingSource, required=True)
    start_date = fields.Date(required=True, validate=DATES)
    end_date = fields.Date(required=True, validate=DATES)
    need_reason = text_field(2000, required=True)


class ReturnSchema(Schema):
    reason = text_field(1000, required=True, metadata={"description": "why the plan goes back to the village"})


class PostListArgs(PageArgs):
    state = choice_field(PostState)
    village_id = id_field()


def _data(post: Post | None, args: dict) -> plans.PlanData:
    clean = {k: (v.strip() if isinstance(v, str) else v) for k, v in args.items()}
    if post is None:
        clean.setdefault("required_days", None)
        return plans.PlanData(**clean)
    return plans.PlanData.of(post, **clean)


ERRORS = {401: "Missing or invalid token", 403: "Role may not do this", 404: "Not in your scope, or no such post",
          409: "The post moved on meanwhile", 422: "Refused by Rule 1 (with the numbers) or invalid input"}


def _documented(*codes):
    return error_responses(blp, ERRORS, *codes)


@blp.route("/posts")
@token_required
@blp.arguments(PostListArgs, location="query")
@blp.response(200, PostSchema(many=True), headers=TOTAL_HEADER)
@_documented(401)
def list_posts(args):
    """Posts the user may see, by village and id; filter by state or village; total in X-Total-Count."""
    stmt = scoped(select(Post), Post, g.api_user).options(selectinload(Post.village))
    if "state" in args:
        stmt = stmt.where(Post.state == args["state"])
    if "village_id" in args:
        stmt = stmt.where(Post.village_id == args["village_id"])
    rows, total = page_of(stmt.order_by(Post.village_id, Post.id), args["page"], args["per_page"])
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route(f"/posts/<{ID_PATH}:post_id>")
@token_required
@blp.response(200, PostSchema)
@_documented(401, 404)
def get_post(post_id: int):
    """One post with its state, decisions and vacancies."""
    return get_scoped_or_404(Post, post_id, g.api_user)


@blp.route("/posts", methods=["POST"])
@token_required
@blp.arguments(PostCreateSchema)
@blp.response(201, PostSchema)
@_documented(401, 403, 422)
def create_post(args):
    """The village clerk drafts a post for their village (standard and quota are checked on submit)."""
    return plans.create_plan(g.api_user, _data(None, args)), 201


@blp.route(f"/posts/<{ID_PATH}:post_id>", methods=["PATCH"])
@token_required
@blp.arguments(PostPatchSchema)
@blp.response(200, PostSchema)
@_documented(401, 403, 404, 409, 422)
def update_post(args, post_id: int):
    """The village clerk changes the given fields of a draft or returned plan."""
    post = get_scoped_or_404(Post, post_id, g.api_user)
    plans.update_plan(g.api_user, post, _data(post, args))
    return post


def _move(post_id: int, service, *extra):
    post = get_scoped_or_404(Post, post_id, g.api_user)
    service(g.api_user, post, *extra)
    return post


@blp.route(f"/posts/<{ID_PATH}:post_id>/submit", methods=["POST"])
@token_required
@blp.response(200, PostSchema)
@_documented(401, 403, 404, 409, 422)
def submit_post(post_id: int):
    """The village clerk submits the plan; refused with the numbers when over standard, quota or term."""
    return _move(post_id, plans.submit)


@blp.route(f"/posts/<{ID_PATH}:post_id>/approve", methods=["POST"])
@token_required
@blp.response(200, PostSchema)
@_documented(401, 403, 404, 409, 422)
def approve_post(post_id: int):
    """A reviewer of the village's township approves a submitted plan (never the submitter)."""
    return _move(post_id, plans.approve)


@blp.route(f"/posts/<{ID_PATH}:post_id>/return", methods=["POST"])
@token_required
@blp.arguments(ReturnSchema)
@blp.response(200, PostSchema)
@_documented(401, 403, 404, 409, 422)
def return_post(args, post_id: int):
    """A reviewer of the township returns a submitted plan with a reason."""
    return _move(post_id, plans.return_plan, args["reason"])


@blp.route(f"/posts/<{ID_PATH}:post_id>/close", methods=["POST"])
@token_required
@blp.response(200, PostSchema)
@_documented(401, 403, 404, 409, 422)
def close_post(post_id: int):
    """The village clerk or the township reviewer closes a post that nobody holds."""
    return _move(post_id, plans.close)


BLUEPRINTS = [blp]
