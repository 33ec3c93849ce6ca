"""The county portal for rural public-welfare posts and employment-aid workshops."""

from __future__ import annotations

from flask import Flask

from portal.config import PROJECT_ROOT, build_config


def create_app(config: dict | None = None) -> Flask:
    """Build the Flask app: settings, extensions, blueprints, CLI, error pages, security headers."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_mapping(build_config(config))
    from portal.core.web import BoundedIntConverter, PortalRequest

    app.request_class = PortalRequest
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    app.json.ensure_ascii = False  # Chinese stays readable in JSON

    from portal import models  # noqa: F401  (every model registered before migrations look)
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)

    from portal.core import i18n, web

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone,
                   default_translation_directories=str(PROJECT_ROOT / "portal" / "translations"))
    i18n.init_app(app)

    from portal.accounts import sessions

    login_manager.init_app(app)
    sessions.init_login_manager(login_manager)

    from portal.accounts.service import user_for_token
    from portal.api.core import init_api
    from portal.blueprints import api_blueprints, page_blueprints

    for bp in page_blueprints():
        app.register_blueprint(bp)
    init_api(app, api_blueprints(), user_for_token)
    web.init_app(app)

    from portal.core import compression, health, request_log, wal

    compression.init_app(app)
    wal.init_app(app)
    request_log.init_app(app)
    health.init_app(app)

    from portal.cli import register_cli

    register_cli(app)
    return app
