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

    from portal.accounts.views import bp as accounts_bp
    from portal.attendance import views as attendance_views
    from portal.audit.desk_views import bp as audit_desk_bp
    from portal.audit.views import bp as audit_bp
    from portal.home.views import bp as home_bp
    from portal.notice.views import bp as notice_bp
    from portal.payroll import output_views as payroll_files
    from portal.payroll import views as payroll_views
    from portal.places.views import bp as places_bp
    from portal.posts import exit_views, hiring_views, plan_views
    from portal.registry.ledger_views import bp as ledger_bp
    from portal.registry.views import bp as registry_bp
    from portal.workshops import file_views as workshop_files
    from portal.workshops import views as workshop_views

    for bp in (home_bp, accounts_bp, places_bp, registry_bp, ledger_bp, plan_views.bp, hiring_views.bp,
               exit_views.bp, attendance_views.bp, payroll_views.bp, payroll_files.bp, workshop_views.bp,
               workshop_files.bp, notice_bp, audit_bp, audit_desk_bp):
        app.register_blueprint(bp)

    from portal.api import init_api

    init_api(app)
    web.init_app(app)

    from portal.core import compression, health, request_log, wal

    compression.init_app(app)
    wal.init_app(app)
    request_log.init_app(app)
    health.init_app(app)

    from portal.cli import register_cli

    register_cli(app)
    return app
