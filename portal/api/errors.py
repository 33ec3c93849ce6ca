"""JSON errors: {"error": {"code": "...", "message": "..."}} for every failure under /api/."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from portal.core.errors import DomainError
from portal.core.imports import ImportRejected
from portal.core.web import is_api_request, json_error

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "validation_error",
         429: "too_many_requests", 500: "internal_error"}


def http_error_response(error: HTTPException):
    status = error.code or 500
    messages = {401: _("A valid API token is required (Authorization: Bearer <token>)."),
                403: _("Your role may not do this."), 404: _("Not found."),
                500: _("Something went wrong on our side.")}
    extra = {}
    data = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:
        extra["fields"] = data["messages"]
        message = _("The request body or parameters are invalid.")
    else:
        message = messages.get(status, error.description or error.name)
    response = json_error(status, CODES.get(status, "error"), str(message), **extra)
    for name, value in error.get_headers():  # Allow on a 405, Retry-After on a 429
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        if is_api_request():
            extra = {"field": err.field} if err.field else {}
            if getattr(err, "problems", None):  # registry.service.InvalidData: every wrong field at once
                extra["fields"] = {name: str(message) for name, message in err.problems.items()}
            if getattr(err, "cells", None):  # attendance.service.MarksRefused: every refused cell
                extra["cells"] = [{"appointment_id": c.appointment_id, "day": c.day.isoformat(), "code": c.code,
                                   "message": c.message} for c in err.cells]
            if isinstance(err, ImportRejected):
                extra["rows"] = [e.__dict__ for e in err.errors]
            return json_error(err.http_status, err.code, err.message, **extra)
        from flask import flash, redirect, request

        flash(err.message, "danger")
        return redirect(request.referrer or "/"), 303
