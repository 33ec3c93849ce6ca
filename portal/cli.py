"""flask commands; each calls a service, never the database directly."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask


def register_cli(app: Flask) -> None:
    from portal.attendance import cli as attendance_cli
    from portal.audit import cli as audit_cli
    from portal.payroll import cli as payroll_cli
    from portal.workshops import cli as workshops_cli

    attendance_cli.register(app)
    payroll_cli.register(app)
    workshops_cli.register(app)
    audit_cli.register(app)

    from portal.core import backup_cli

    backup_cli.register(app)

    @app.cli.command("audit-verify")
    def audit_verify():
        """Check the audit log's hash chain; exit 1 naming the first broken row."""
        from portal.core.auditlog import verify_chain

        result = verify_chain()
        if result.ok:
            click.echo(f"audit chain whole: {result.rows} rows verified")
            return
        click.echo(f"audit chain BROKEN at row seq={result.broken_seq} ({result.reason}); "
                   f"{result.rows} rows before it verified", err=True)
        sys.exit(1)

    @app.cli.command("audit-checkpoint")
    def audit_checkpoint():
        """Write a signed checkpoint (row count and head) of the audit log outside the database; schedule it."""
        from portal.core.auditlog import checkpoint

        mark = checkpoint()
        click.echo(f"checkpoint written: {mark.seq} rows, head {mark.hash[:12]}…")

    @app.cli.command("token-lifetime")
    @click.argument("days", type=int)
    @click.option("--from", "effective_from", type=click.DateTime(["%Y-%m-%d"]), default=None,
                  help="first day it applies (default: today)")
    @click.option("--as", "username", default="admin", show_default=True, help="county admin to act as")
    def token_lifetime(days, effective_from, username):
        """Set how many days a new API token lives in the admin's county (a dated county setting; default 90)."""
        from portal.accounts import settings
        from portal.cli_support import acting_user
        from portal.core.clock import county_today
        from portal.core.errors import DomainError

        admin = acting_user(username, "county_admin")
        day = effective_from.date() if effective_from else county_today()
        try:
            settings.set_setting(admin, settings.TOKEN_DAYS, str(days), day)
        except DomainError as err:
            raise click.ClickException(err.message) from None
        click.echo(f"API tokens made from {day} live {days} days")

    @app.cli.command("demo")
    def demo():
        """Build the fictional demo county (idempotent) and print the demo logins."""
        from portal.demo.county import DEMO_PASSWORD, build_demo

        logins = build_demo()
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for login in logins:
            click.echo(f"  {login.username:<10} {login.role:<18} {login.place}")

    @app.cli.command("demo-if-empty")
    def demo_if_empty():
        """Load the demo county only when the database has no county yet; print the logins either way."""
        from sqlalchemy import select

        from portal.demo.county import DEMO_PASSWORD, build_demo
        from portal.extensions import db
        from portal.places.models import County

        if db.session.execute(select(County.id)).first() is None:
            logins = build_demo()
            click.echo("Demo county loaded.")
            click.echo(f"Demo logins (password for all: {DEMO_PASSWORD})")
            for login in logins:
                click.echo(f"  {login.username:<10} {login.role:<18} {login.place}")
        else:
            click.echo("Database has data; demo not loaded. Demo logins, if it is the demo county: "
                       "admin, auditor, reviewer1-3, clerk01-12 / " + DEMO_PASSWORD)

    @app.cli.command("places-import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--as", "username", default="admin", show_default=True, help="county admin to act as")
    def places_import(path: Path, username: str):
        """Import townships and villages from a CSV (区划代码,名称); all or nothing."""
        from portal.cli_support import acting_user
        from portal.core.imports import ImportRejected
        from portal.places import service

        admin = acting_user(username, "county_admin")
        try:
            report = service.import_places(admin, service.parse_place_csv(path.read_bytes()))
        except ImportRejected as rejected:
            for e in rejected.errors:
                click.echo(f"row {e.row}, {e.column}: {e.reason}", err=True)
            click.echo(rejected.message, err=True)
            sys.exit(1)
        click.echo(f"created {report.created}, renamed {report.updated}, unchanged {report.unchanged}")

    @app.cli.command("registry-import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--village", "village_code", required=True, help="12-digit division code of the village")
    @click.option("--as", "username", default="admin", show_default=True,
                  help="the village's clerk or a county admin to act as")
    def registry_import(path: Path, village_code: str, username: str):
        """Import a village's labour ledger (.xlsx); every row checked first, all or nothing."""
        from portal.cli_support import acting_user, place_key_for_code
        from portal.core.errors import DomainError
        from portal.core.imports import ImportRejected
        from portal.registry.ledger import service as ledger

        level, _sep, village_id = place_key_for_code(village_code).partition(":")
        if level != "village":
            raise click.ClickException(f"{village_code} is not a village")
        try:
            user = acting_user(username, "county_admin")
        except click.ClickException:
            user = acting_user(username, "village_clerk")
        try:
            rows = ledger.parse_ledger(path.read_bytes())
            with click.progressbar(length=2 * len(rows), label=f"checking and writing {len(rows)} rows") as bar:
                report = ledger.import_ledger(user, int(village_id), rows, progress=bar.update)
        except ImportRejected as rejected:
            for e in rejected.errors:
                click.echo(f"row {e.row}, {e.column}: {e.reason}", err=True)
            click.echo(rejected.message, err=True)
            sys.exit(1)
        except DomainError as err:
            click.echo(err.message, err=True)
            sys.exit(1)
        click.echo(f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}")
        for line in report.details:
            click.echo(line)

    @app.cli.command("create-user")
    @click.argument("username")
    @click.option("--role", type=click.Choice(["county_admin", "county_auditor", "township_reviewer",
                                               "village_clerk"]), required=True)
    @click.option("--place", "place_code", required=True, help="12-digit division code of the user's place")
    @click.option("--name", "full_name", required=True)
    @click.password_option()
    @click.option("--person", "person", default="", help="resident ID of the user's own entry in the register")
    @click.option("--as", "actor", default="admin", show_default=True)
    def create_user(username, role, place_code, full_name, password, person, actor):
        """Create a user bound to a place and linked to their person in the register (as a county admin)."""
        from portal.accounts import service
        from portal.cli_support import acting_user, place_key_for_code
        from portal.core.access import Role
        from portal.core.errors import DomainError

        admin = acting_user(actor, "county_admin")
        try:
            user = service.create_user(admin, service.UserInput(username, full_name, Role(role),
                                                                place_key_for_code(place_code), person=person),
                                       password)
        except DomainError as err:
            click.echo(err.message, err=True)
            sys.exit(1)
        click.echo(f"created {user.username} ({user.role})" + (f", linked to person {user.person_id}"
                                                                if user.person_id else ""))
