"""The daily run of posts (flask posts-daily): activations, exits due, automatic exit proposals (which read marks)."""

from __future__ import annotations

import click
from flask import Flask


def register(app: Flask) -> None:
    """Add the posts-daily command to the app's CLI."""

    @app.cli.command("posts-daily")
    @click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Run as of this day (YYYY-MM-DD); today by default.")
    def posts_daily(day) -> None:
        """Activate appointments due, make approved exits effective, propose exits the triggers call for."""
        from portal.attendance import exit_triggers
        from portal.posts.exits import service as exits

        today = day.date() if day else exits.county_today()
        counts = exit_triggers.run_daily(today)
        click.echo(f"posts-daily {today.isoformat()}")
        for name, count in counts.items():
            click.echo(f"{name}: {count}")
