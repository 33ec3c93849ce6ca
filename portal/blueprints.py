"""Every blueprint of the portal, in registration order: the pages' and the JSON API's (each feature's api).

A blueprint that several route modules share lives in its feature's `pages` module; the feature's `views` imports
the others (sub-packages' views, settings pages, home-page items), so importing it here brings every route along.
"""

from __future__ import annotations

from flask import Blueprint


def page_blueprints() -> list[Blueprint]:
    """The pages, with every route and home-page item of each feature registered on them."""
    from portal.accounts.views import bp as accounts_bp
    from portal.attendance import exit_check  # noqa: F401  (POST /exits/check, on the exit pages' blueprint)
    from portal.attendance.views import bp as attendance_bp
    from portal.audit import views as audit_views  # noqa: F401  (the log, runs, findings, settings, home items)
    from portal.audit.desk.views import bp as audit_desk_bp
    from portal.audit.pages import bp as audit_bp
    from portal.home.views import bp as home_bp
    from portal.notice.views import bp as notice_bp
    from portal.payroll.output_views import bp as payroll_files_bp
    from portal.payroll.views import bp as payroll_bp
    from portal.places.views import bp as places_bp
    from portal.posts.exits.views import bp as exits_bp
    from portal.posts.hiring.views import bp as hiring_bp
    from portal.posts.plans import views as plan_views  # noqa: F401  (the plans and the county settings page)
    from portal.posts.plans.pages import bp as plans_bp
    from portal.registry.ledger.views import bp as ledger_bp
    from portal.registry.views import bp as registry_bp
    from portal.workshops import views as workshop_views  # noqa: F401  (every sub-package's pages, home items)
    from portal.workshops.file_views import bp as workshop_files_bp
    from portal.workshops.pages import bp as workshops_bp

    return [home_bp, accounts_bp, places_bp, registry_bp, ledger_bp, plans_bp, hiring_bp, exits_bp, attendance_bp,
            payroll_bp, payroll_files_bp, workshops_bp, workshop_files_bp, notice_bp, audit_bp, audit_desk_bp]


def api_blueprints() -> list[Blueprint]:
    """The JSON API's blueprints, each feature's own (the OpenAPI document lists them in this order)."""
    from portal.accounts import api as accounts_api
    from portal.attendance import api as attendance_api
    from portal.audit import api as audit_api
    from portal.audit.desk import api as audit_desk_api
    from portal.payroll import api as payroll_api
    from portal.places import api as places_api
    from portal.posts.exits import api as exits_api
    from portal.posts.hiring import api as hiring_api
    from portal.posts.plans import api as plans_api
    from portal.registry.api import resources as registry_api
    from portal.workshops import api as workshops_api
    from portal.workshops.assessments import api as _assessments  # noqa: F401  (resources on api_workshops)
    from portal.workshops.certification import api as _certification  # noqa: F401  (resources on api_workshops)
    from portal.workshops.exits import api as _exits  # noqa: F401  (resources on api_workshops)
    from portal.workshops.reports import api as _reports  # noqa: F401  (resources on api_workshops)

    return [*accounts_api.BLUEPRINTS, *places_api.BLUEPRINTS, *registry_api.BLUEPRINTS, *plans_api.BLUEPRINTS,
            *hiring_api.BLUEPRINTS, *exits_api.BLUEPRINTS, *attendance_api.BLUEPRINTS, *payroll_api.BLUEPRINTS,
            *workshops_api.BLUEPRINTS, *audit_api.BLUEPRINTS, *audit_desk_api.BLUEPRINTS]
