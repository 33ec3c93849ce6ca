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
    from portal.api import (
        attendance_resources,
        audit_desk_resources,
        audit_resources,
        exit_resources,
        hiring_resources,
        payroll_resources,
        posts_resources,
        workshop_resources,
    )

    blueprints = [*resources.BLUEPRINTS, *posts_resources.BLUEPRINTS, *hiring_resources.BLUEPRINTS,
                  *exit_resources.BLUEPRINTS, *attendance_resources.BLUEPRINTS,
                  *payroll_resources.BLUEPRINTS, *workshop_resources.BLUEPRINTS, *audit_resources.BLUEPRINTS,
                  *audit_desk_resources.BLUEPRINTS]
    for blp in blueprints:
        api.register_blueprint(blp)
        csrf.exempt(blp)
    errors.init_app(app)
