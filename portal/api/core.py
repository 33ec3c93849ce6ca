"""The API object, its setup with the features' blueprints, and the bearer-token guard every endpoint stands behind."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from flask import Flask, g, request
from flask_smorest import Api, Blueprint

from portal.api.schemas import ErrorSchema
from portal.core.web import is_api_request, render_error_page


class PortalApi(Api):
    """flask-smorest's Api, answering errors in our JSON shape, and leaving HTML pages their own."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error):
        if not is_api_request():
            return render_error_page(error)
        from portal.api.errors import http_error_response

        return http_error_response(error)


api = PortalApi()
_TOKENS: dict[str, Callable] = {}


def init_api(app: Flask, blueprints: Iterable[Blueprint], user_for_token: Callable) -> None:
    """Set the API up on the app: the OpenAPI document's security scheme, every feature's blueprints (CSRF-exempt:
    a bearer token is no cookie), the JSON errors; `user_for_token(token)` is the accounts feature's lookup."""
    from portal.api import errors
    from portal.extensions import csrf

    _TOKENS["user_for_token"] = user_for_token
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Personal API token (pt_…)"}
    )
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blp in blueprints:
        api.register_blueprint(blp)
        csrf.exempt(blp)
    errors.init_app(app)


def token_required(view):
    """Authenticate with `Authorization: Bearer <token>`; the user is in g.api_user."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from flask import abort

        user_for_token = _TOKENS["user_for_token"]
        header = request.headers.get("Authorization", "")
        scheme, _sep, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            abort(401)
        if user.must_change_password:  # a temporary password: the API waits until it is changed
            abort(403)
        from portal.core.web import refuse_bad_input

        refuse_bad_input()
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped
