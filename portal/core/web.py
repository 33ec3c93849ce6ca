"""Cross-cutting web behaviour: security headers, error pages, domain errors on pages."""

from __future__ import annotations

from flask import Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

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


def render_error_page(error: HTTPException):
    """An HTML error page in the user's language; the API answers JSON through its own handler."""
    titles = {
        400: _("The request could not be understood"),
        403: _("You may not open this page"),
        404: _("Not found"),
        405: _("This action is not available here"),
        413: _("The file is too large"),
        500: _("Something went wrong on our side"),
    }
    code = error.code or 500
    title = titles.get(code, error.name)
    return render_template("errors/error.html", code=code, title=title), code


def init_app(app: Flask) -> None:
    from portal.core.types import utcnow

    app.after_request(_security_headers)
    app.add_url_rule("/favicon.ico", "favicon",
                     lambda: redirect(url_for("static", filename="favicon.svg"), 301))
    app.jinja_env.globals["now_utc"] = utcnow

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        if is_api_request():
            from portal.api.errors import json_error

            return json_error(400, "csrf", error.description)
        flash(_("The form had expired or was sent from elsewhere. Please try again."), "danger")
        return redirect(request.referrer or "/"), 303
