"""Monitoring (动态监测): a workshop's state follows its reports and employment records.

`refresh` runs inside every use case that changes what the monitoring reads (a report filed, an employee
added or ended, an exit rejected) and in the daily run `monitor_all` (a low-aided run grows with time
alone). It moves normal ⇄ watch and writes which condition started first and when; every run that
reached its length gets an exit proposed by the portal, once per run (a rejected proposal is not
proposed again for the same run; a new run is a new proposal). One proposal at a time: a workshop
already exiting waits until that exit is decided.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update

from portal.core import auditlog
from portal.core.clock import county_today
from portal.core.errors import DomainError
from portal.extensions import db
from portal.workshops import queries, rules
from portal.workshops.guards import county_of, hold
from portal.workshops.labels import condition_label, run_text
from portal.workshops.models import Workshop, WorkshopExit
from portal.workshops.monitoring.proposals import create_exit, move_workshop
from portal.workshops.rules import WorkshopAction, WorkshopState

FOLLOWS = (WorkshopState.NORMAL, WorkshopState.WATCH)  # states the monitoring moves between


def refresh(workshop: Workshop, today: date | None = None) -> rules.Monitoring:
    """Recompute the workshop's monitoring; move its state, note the first condition, propose exits due.
    The caller commits (the moves are audited as the portal's)."""
    today = today or county_today()
    found = queries.monitoring_of(workshop, today)
    if workshop.state == WorkshopState.EXITED:
        return found
    first = found.first
    condition, since = (str(first.condition), queries.first_day(first.started)) if first else ("", None)
    if workshop.state in FOLLOWS and str(found.state) != workshop.state:
        action = WorkshopAction.WATCH if found.state == WorkshopState.WATCH else WorkshopAction.CLEAR
        move_workshop("system", workshop, action, watch_condition=condition, watch_since=since)
    elif (workshop.watch_condition, workshop.watch_since) != (condition, since):
        before = {"watch_condition": workshop.watch_condition, "watch_since": workshop.watch_since}
        db.session.execute(update(Workshop).where(Workshop.id == workshop.id)
                           .values(watch_condition=condition, watch_since=since)
                           .execution_options(synchronize_session=False))
        db.session.expire(workshop)
        auditlog.record("system", "workshop.monitor", "workshop", workshop.id, before,
                        {"watch_condition": condition, "watch_since": since})
    if workshop.state in FOLLOWS:
        policy = queries.policy_of(workshop, today)
        for run in found.met:
            if queries.exit_for_run(workshop.id, run.condition, queries.first_day(run.started)) is None:
                create_exit(None, workshop, run.condition, condition_label(run.condition), run_text(run, policy),
                            today, run)
                break
    return found


def monitor_all(today: date | None = None, county_id: int | None = None) -> dict[str, int]:
    """The daily run: refresh every workshop that is still one (of a county, or all), one commit each."""
    today = today or county_today()
    ids = db.session.execute(select(Workshop.id, Workshop.village_id).where(
        Workshop.state.in_([str(s) for s in rules.LIVE_STATES])).order_by(Workshop.id)).all()
    counts = {"checked": 0, "watch": 0, "proposed": 0}
    for workshop_id, village_id in ids:
        if county_id is not None and county_of(village_id) != county_id:
            continue
        before = db.session.scalar(select(func.count(WorkshopExit.id)))
        try:
            workshop = db.session.get(Workshop, workshop_id)
            hold(workshop)
            refresh(workshop, today)
            db.session.commit()
        except DomainError:
            db.session.rollback()  # someone moved it just now: the next run sees it again
            continue
        counts["checked"] += 1
        counts["watch"] += workshop.state == WorkshopState.WATCH
        counts["proposed"] += db.session.scalar(select(func.count(WorkshopExit.id))) - before
    return counts
