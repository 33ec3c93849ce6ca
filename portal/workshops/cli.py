"""The workshops feature's flask command: the daily run (monitoring of every workshop, exits due)."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    """Add the workshop commands to the app's CLI."""

    @app.cli.command("workshops-daily")
    @click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Run as of this day (YYYY-MM-DD); today by default.")
    def workshops_daily(day) -> None:
        """Refresh every workshop's monitoring (proposing the exits due), then exit the workshops whose approved
        exit takes effect."""
        from portal.core.clock import county_today
        from portal.workshops.exits import service as exits
        from portal.workshops.monitoring import service as monitoring

        today = day.date() if day else county_today()
        counts = monitoring.monitor_all(today)
        exited = exits.finalize_due(today)
        click.echo(f"workshops-daily {today.isoformat()}")
        click.echo(f"checked: {counts['checked']}")
        click.echo(f"watch: {counts['watch']}")
        click.echo(f"proposed: {counts['proposed']}")
        click.echo(f"exited: {exited}")
