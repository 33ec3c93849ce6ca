"""The audit's flask command, for cron: run all or chosen detectors over a period of months.

    flask audit-run --from 2026-01 --to 2026-12 [--detector shared_account ...] [--as auditor] [--county CODE]

Who acts: `--as USERNAME` (or `--user`) names an active county auditor or county admin, and the run and its
findings are audited under that name. Without it the command acts as the county's system actor, written in
the audit log as `system:audit-run` (no user id): a scheduled job is nobody's click. The county is the only
one in the database, or the one named by `--county`.

Exit codes: 0 done; 1 another run of the county is going (or the run failed, or the actor is not allowed);
2 a bad period or an unknown detector (the reason is printed).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import click
from flask import Flask

SYSTEM_ACTOR = "system:audit-run"


@dataclass(frozen=True)
class SystemActor:
    """The audit run of a scheduled job: a county auditor by role, nobody by name."""

    county_id: int
    username: str = SYSTEM_ACTOR
    full_name: str = SYSTEM_ACTOR
    role: str = "county_auditor"
    id: None = None


def _county_id(code: str | None) -> int:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.places.models import County

    if code:
        county_id = db.session.scalar(select(County.id).where(County.code == code.strip()))
        if county_id is None:
            raise click.ClickException(f"no county with code {code}")
        return county_id
    ids = db.session.scalars(select(County.id).order_by(County.id)).all()
    if len(ids) != 1:
        raise click.ClickException(f"the database holds {len(ids)} counties: name one with --county CODE")
    return ids[0]


def _actor(username: str | None, county_code: str | None):
    from portal.cli_support import acting_user

    if username is None:
        return SystemActor(_county_id(county_code))
    try:
        return acting_user(username, "county_auditor")
    except click.ClickException:
        return acting_user(username, "county_admin")


def _month(value: str, option: str):
    from portal.audit.rules import Month

    try:
        return Month.parse(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM, e.g. 2026-01", param_hint=option) from None


def register(app: Flask) -> None:
    """Add the audit command to the app's CLI."""

    @app.cli.command("audit-run")
    @click.option("--from", "first_text", required=True, help="The first month, YYYY-MM.")
    @click.option("--to", "last_text", required=True, help="The last month, YYYY-MM (it must have begun).")
    @click.option("--detector", "codes", multiple=True, help="A detector code; repeat for several (default: all).")
    @click.option("--as", "--user", "username", default=None,
                  help=f"County auditor or admin to act as (default: the system actor {SYSTEM_ACTOR}).")
    @click.option("--county", "county_code", default=None, help="12-digit code of the county, if there are several.")
    def audit_run(first_text: str, last_text: str, codes: tuple[str, ...], username: str | None,
                  county_code: str | None) -> None:
        """Run the county audit's detectors over a period; print the findings per detector."""
        from tqdm import tqdm

        from portal.audit import queries, runs
        from portal.core.errors import Conflict, NotAllowed, RuleViolation

        first, last = _month(first_text, "--from"), _month(last_text, "--to")
        actor = _actor(username, county_code)
        try:
            run = runs.start_run(actor, first, last, list(codes) or None)
        except Conflict as err:
            click.echo(err.message, err=True)
            sys.exit(1)
        except NotAllowed as err:
            click.echo(err.message, err=True)
            sys.exit(1)
        except RuleViolation as err:
            click.echo(err.message, err=True)
            sys.exit(2)
        chosen, run_id = queries.run_codes(run), run.id
        with tqdm(total=len(chosen), desc=f"audit {first}..{last}", unit="detector", file=sys.stderr) as bar:
            def progress(code: str, done: int, total: int) -> None:
                bar.set_postfix_str(code)
                bar.update(1)

            try:
                run = runs.execute_run(actor, run_id, progress=progress)
            except Exception as exc:  # the service marked the run failed and kept what was done
                click.echo(f"audit run {run_id} failed: {exc}", err=True)
                sys.exit(1)
        counts = runs.run_counts(run)
        click.echo(f"audit run {run.id} {first}..{last} as {actor.username}: "
                   f"{sum(c['hits'] for c in counts.values())} hits")
        click.echo(f"{'detector':<16} {'hits':>6} {'new':>6} {'refreshed':>9} {'seconds':>8}  name")
        for code in chosen:
            c = counts.get(code, {})
            click.echo(f"{code:<16} {c.get('hits', 0):>6} {c.get('new', 0):>6} {c.get('refreshed', 0):>9} "
                       f"{c.get('seconds', 0):>8.3f}  {queries.detector_name(code)}")
