"""One log line per request, a request id on every answer, and errors a clerk can quote.

Each request gets a random id, sent back as `X-Request-Id` and shown on the error page; the access line
holds the id, the user id (a number), the method, the path without its query string (search terms and
names travel in query strings), the status and the time in milliseconds — no personal data. An unexpected
error logs its traceback under the same id. A database that went away answers "please retry" (503 with
Retry-After), as a page or, under /api/, as JSON — never a traceback.
"""

from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, g, make_response, render_template, request
from flask_babel import gettext as _
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DisconnectionError, InterfaceError, NoInspectionAvailable, OperationalError
from werkzeug.exceptions import InternalServerError

log = logging.getLogger("portal.requests")
RETRY_AFTER_SECONDS = 5


def request_id() -> str:
    """The current request's id ("-" outside a request)."""
    return g.get("request_id", "-")


def _start() -> None:
    g.request_id = uuid.uuid4().hex[:16]
    g.request_started = time.perf_counter()


def _user_id() -> str:
    # only a user this request already loaded, read without touching the database (it may be gone)
    user = g.get("log_user") or g.get("api_user") or g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return "-"
    try:
        identity = sa_inspect(user).identity
    except NoInspectionAvailable:
        return "-"
    return str(identity[0]) if identity else "-"


def _finish(response):
    response.headers["X-Request-Id"] = request_id()
    started = g.get("request_started")
    ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    log.info("request_id=%s user=%s method=%s path=%s status=%s ms=%.1f", request_id(), _user_id(),
             request.method, request.path, response.status_code, ms)
    return response


def _log_exception(exc_info) -> None:
    log.error("unhandled error request_id=%s method=%s path=%s", request_id(), request.method, request.path,
              exc_info=exc_info)


def _server_error(error: InternalServerError):
    from portal.core.web import is_api_request

    if is_api_request():
        from portal.core.web import json_error

        return json_error(500, "internal_error", _("Something went wrong on our side."), request_id=request_id())
    return render_template("errors/error.html", code=500, title=_("Something went wrong on our side")), 500


def _database_unavailable(error: Exception):
    """The database did not answer (restarted, connection cut): the work was not saved; try again."""
    from portal.core.web import is_api_request
    from portal.extensions import login_manager

    log.error("database unavailable request_id=%s method=%s path=%s: %s", request_id(), request.method,
              request.path, type(error).__name__, exc_info=error)
    # The answer must not touch the database again: the page is drawn for an anonymous visitor (the session
    # is rolled back and closed at teardown; the pool replaces the dead connection on the next checkout).
    g.log_user = g.get("_login_user")
    g._login_user = login_manager.anonymous_user()
    message = _("The database is not answering at the moment. Nothing was saved; please try again in a "
                "few seconds.")
    if is_api_request():
        from portal.core.web import json_error

        response = json_error(503, "database_unavailable", message, request_id=request_id())
    else:
        response = make_response(render_template("errors/retry.html", title=_("Please try again"),
                                                 message=message), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app: Flask) -> None:
    """Request ids, the access log, traceback logging with the id, and the 500 and 503 answers."""
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)
    if not log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        log.addHandler(handler)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)  # first, so every other hook has the id
    app.after_request(_finish)
    app.log_exception = _log_exception  # Flask's documented hook: the traceback goes out with the request id
    app.register_error_handler(InternalServerError, _server_error)
    for exc in (OperationalError, InterfaceError, DisconnectionError):
        app.register_error_handler(exc, _database_unavailable)
