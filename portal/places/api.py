"""API v1 of places: the villages in the user's scope."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint
from sqlalchemy import func, or_, select

from portal.api.core import token_required
from portal.api.schemas import ErrorSchema, VillageListArgs, VillageSchema
from portal.core.access import get_scoped_or_404, scoped
from portal.extensions import db
from portal.places.models import Village

places_blp = Blueprint("api_places", __name__, url_prefix="/api/v1", description="Places in the user's scope")


@places_blp.route("/villages")
@token_required
@places_blp.arguments(VillageListArgs, location="query")
@places_blp.response(200, VillageSchema(many=True), headers={"X-Total-Count": {"schema": {"type": "integer"}}})
@places_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
def list_villages(args):
    """Villages the user may see, in code order; paginated, total in X-Total-Count."""
    stmt = scoped(select(Village), Village, g.api_user)
    if "township_id" in args:
        stmt = stmt.where(Village.township_id == args["township_id"])
    if args.get("q"):
        stmt = stmt.where(or_(Village.name.contains(args["q"]), Village.code.startswith(args["q"])))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(
        stmt.order_by(Village.code).limit(args["per_page"]).offset((args["page"] - 1) * args["per_page"])
    ).scalars().all()
    return rows, 200, {"X-Total-Count": str(total)}


@places_blp.route("/villages/<int(min=1, max=2147483647):village_id>")
@places_blp.response(200, VillageSchema)
@places_blp.alt_response(404, schema=ErrorSchema, description="Not in your scope, or no such village")
@token_required
def get_village(village_id: int):
    """One village of the user's scope; any other is 404."""
    return get_scoped_or_404(Village, village_id, g.api_user)


BLUEPRINTS = [places_blp]
