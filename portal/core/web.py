"""Cross-cutting web behaviour: security headers, error pages, domain errors on pages."""

from __future__ import annotations

import json

from flask import Flask, Request, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from portal.core.text import has_control

# Every id of the portal is an INTEGER column (32 bits on PostgreSQL); a bigger number names nothing.
ID_MAX = 2**31 - 1
MAX_JSON_DEPTH = 32
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route: 0 to 2^31 - 1; a bigger number does not match the route (404, not a 500)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


class BoundedArgs(ImmutableMultiDict):
    """Query and form values: get(key, type=int) gives the default for a number outside the id range."""

    def get(self, key, default=None, type=None):
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -ID_MAX <= value <= ID_MAX:
            return default
        return value


class PortalRequest(Request):
    parameter_storage_class = BoundedArgs


class BadInput(Exception):
    """Refused input: `code` is control_characters or too_deep; `location` and `field` say where."""

    def __init__(self, code: str, location: str = "", field: str = ""):
        super().__init__(code)
        self.code, self.location, self.field = code, location, field


def _check_json(data: bytes) -> None:
    """A JSON body nested deeper than MAX_JSON_DEPTH, or with a control character in a key or a string, is
    refused; malformed JSON is left to the parser (its own 400/422)."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise BadInput("too_deep", "json") from None
    except ValueError:
        return
    stack = [(value, 1, "")]
    while stack:  # iterative: a deep body cannot exhaust the stack here
        item, depth, top = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadInput("too_deep", "json")
        if isinstance(item, dict):
            for k, v in item.items():
                if has_control(k):
                    raise BadInput("control_characters", "json", top or "_schema")
                stack.append((v, depth + 1, top or str(k)))
        elif isinstance(item, list):
            stack.extend((v, depth + 1, top) for v in item)
        elif has_control(item):
            raise BadInput("control_characters", "json", top or "_schema")


def refuse_bad_input() -> None:
    """One refusal for every text input of a page or the API: a control character in a query, form or JSON
    value, or a JSON body nested deeper than MAX_JSON_DEPTH, is refused before the view reads it, so
    nothing of it reaches the database."""
    values = [("query", k, v) for k, v in request.args.items(multi=True)]
    if request.method in BODY_METHODS:
        if request.is_json:
            _check_json(request.get_data(cache=True))
        else:
            values += [("form", k, v) for k, v in request.form.items(multi=True)]
            values += [("files", k, f.filename or "") for k, f in request.files.items(multi=True)]
    for location, key, value in values:
        if has_control(key) or has_control(value):
            raise BadInput("control_characters", location, key if not has_control(key) else "_schema")


def _refuse_bad_page_input() -> None:
    if not is_api_request():  # the API checks after the token (token_required): 401 comes first
        refuse_bad_input()

CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        # Pages and downloads carry personal data: nothing is kept in a browser or proxy cache, also not the
        # files send_file marks "no-cache" (which still allows storing them).
        response.headers["Cache-Control"] = "no-store"
    return response


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, **extra):
    """The API's error answer: {"error": {"code": ..., "message": ..., **extra}} with its status."""
    body = {"error": {"code": code, "message": message, **extra}}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="portal"'
    return response


def render_error_page(error: HTTPException):
    """An HTML error page in the user's language; the API answers JSON through its own handler."""
    titles = {
        400: _("The request could not be understood"),
        403: _("You may not open this page"),
        404: _("Not found"),
        405: _("This action is not available here"),
        413: _("The file is too large"),
        429: _("Too many attempts; wait a few minutes, then try again"),
        500: _("Something went wrong on our side"),
    }
    code = error.code or 500
    title = titles.get(code, error.name)
    return render_template("errors/error.html", code=code, title=title), code


BAD_INPUT = {
    "control_characters": lambda: _("The request contains control characters (such as NUL) that no field accepts. "
                                    "Remove them, then send it again; nothing was saved."),
    "too_deep": lambda: _("The JSON body is nested more than %(n)d levels deep; nothing was saved.",
                          n=MAX_JSON_DEPTH),
}


def bad_input_response(error: BadInput):
    """A page: 400 saying what to remove. The API: 422 validation_error naming the field, as the schemas do;
    400 too_deep for a body nested too deep."""
    message = BAD_INPUT[error.code]()
    if is_api_request():
        if error.code == "too_deep":
            return json_error(400, error.code, message)
        return json_error(422, "validation_error", message, fields={error.location: {error.field: [message]}})
    return render_template("errors/error.html", code=400, title=_("The request could not be understood"),
                           message=message), 400


def init_app(app: Flask) -> None:
    from portal.core.types import utcnow

    app.before_request(_refuse_bad_page_input)
    app.register_error_handler(BadInput, bad_input_response)

    app.after_request(_security_headers)
    app.add_url_rule("/favicon.ico", "favicon",
                     lambda: redirect(url_for("static", filename="favicon.svg"), 301))
    app.jinja_env.globals["now_utc"] = utcnow

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if is_api_request():
                return json_error(400, "csrf", error.description)
        return render_template("errors/error.html", code=400, title=_("The form could not be accepted"),
                               message=_("The form had expired or was sent from elsewhere. Reload the page and "
                                         "try again.")), 400
