"""JSON API v1: bearer tokens, the same scope rules as the pages, OpenAPI generated from the code."""

from __future__ import annotations

from flask import Flask

from portal.api.core import api


def init_api(app: Flask) -> None:
    from portal.api import errors, resources
    from portal.extensions import csrf

    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "Personal API token (pt_…)"}
    )
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blp in resources.BLUEPRINTS:
        api.register_blueprint(blp)
        csrf.exempt(blp)
    errors.init_app(app)
