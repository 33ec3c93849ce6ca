"""The API object and the bearer-token guard every endpoint stands behind."""

from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_smorest import Api

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


def token_required(view):
    """Authenticate with `Authorization: Bearer <token>`; the user is in g.api_user."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        from flask import abort

        from portal.accounts.service import user_for_token

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
