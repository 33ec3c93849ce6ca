"""The payroll feature's flask command: the county's monthly batch of payrolls."""

from __future__ import annotations

import re
import sys

import click
from flask import Flask


def register(app: Flask) -> None:
    """Add the payroll commands to the app's CLI."""

    @app.cli.command("payroll-generate")
    @click.option("--month", "month_text", required=True, help="The month, YYYY-MM (it must have ended).")
    @click.option("--village", "village_code", default=None, help="Only this village (12-digit division code).")
    @click.option("--as", "username", default="admin", show_default=True, help="county admin to act as")
    def payroll_generate(month_text: str, village_code: str | None, username: str) -> None:
        """Generate every village's payroll of an ended month (villages that have one are skipped)."""
        from sqlalchemy import select

        from portal.cli_support import acting_user
        from portal.core.errors import DomainError
        from portal.extensions import db
        from portal.payroll import service
        from portal.places.models import Village

        found = re.fullmatch(r"(\d{4})-(\d{1,2})", month_text.strip())
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise click.BadParameter("use YYYY-MM, e.g. 2026-10", param_hint="--month")
        year, month = int(found.group(1)), int(found.group(2))
        admin = acting_user(username, "county_admin")
        village_ids = None
        if village_code:
            village_id = db.session.scalar(select(Village.id).where(Village.code == village_code.strip()))
            if village_id is None:
                raise click.ClickException(f"no village with code {village_code}")
            village_ids = [village_id]
        try:
            batch = service.generate_month(admin, year, month, village_ids)
        except DomainError as err:
            click.echo(err.message, err=True)
            sys.exit(1)
        click.echo(f"payroll-generate {year}-{month:02d}: {batch.payrolls} payrolls, {batch.lines} lines made; "
                   f"{batch.existing} villages already had one; {batch.without_holders} had nobody on duty")
