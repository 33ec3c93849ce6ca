"""API v1 of accounts: who the token belongs to."""

from __future__ import annotations

from flask import g
from flask_smorest import Blueprint

from portal.api.core import token_required
from portal.api.schemas import ErrorSchema, MeSchema

me_blp = Blueprint("api_me", __name__, url_prefix="/api/v1", description="The user behind the token")


@me_blp.route("/me")
@me_blp.response(200, MeSchema)
@me_blp.alt_response(401, schema=ErrorSchema, description="Missing or invalid token")
@token_required
def me():
    """The user the token belongs to, with their role and place."""
    return g.api_user


BLUEPRINTS = [me_blp]
