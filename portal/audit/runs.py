"""Audit runs: run the detectors over a period (one run per county at a time) and keep their findings.

A run writes each detector's findings in its own transaction, so a long run shows its progress and a
failure keeps what was done. A finding is keyed by county, detector, subject and period: a re-run
refreshes an open finding's evidence and amount and leaves answered ones alone. Every new finding and
every refresh is in the audit log.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.audit import detectors as registry
from portal.audit.detectors import Hit, Scope
from portal.audit.findings import MAX_TEXT, _canonical
from portal.audit.models import AuditRun, Finding
from portal.audit.rules import (
    FindingState,
    Month,
    period_key,
    period_problem,
)
from portal.audit.settings import policy_for
from portal.core import auditlog
from portal.core.access import Role
from portal.core.clock import county_today
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.core.money import round_half_up
from portal.core.types import utcnow
from portal.extensions import db
from portal.places.models import Township, Village
from portal.posts.settings import policy_for as posts_policy_for

STALE_RUN = timedelta(hours=2)  # a run of another host still "running" after this died with its process


# ---- runs -----------------------------------------------------------------------------------------


PERIOD_MESSAGES = {
    "period_reversed": lambda: _("The period ends before it starts."),
    "period_future": lambda: _("The period reaches into a month that has not begun."),
    "period_too_long": lambda: _("A run covers at most 36 months."),
}


def this_runner() -> str:
    """The process a run belongs to: host and process id (the page's background thread runs in it too)."""
    return f"{socket.gethostname()[:100]}:{os.getpid()}"


def runner_gone(runner: str) -> bool:
    """Whether the process that ran a run is known to be dead: it ran on this host and its pid is gone (a
    killed `flask audit-run`, a server process that died). A run of another host is judged by its age."""
    host, _, pid = (runner or "").rpartition(":")
    if host != socket.gethostname()[:100] or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


def _ensure_runner(user) -> None:
    if getattr(user, "role", None) not in (Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN):
        raise NotAllowed(_("Only the county auditor and the county admin run the audit."))


def check_request(first: Month, last: Month, codes: Iterable[str] | None, today: date) -> list[str]:
    """The detector codes a run would use; RuleViolation for a bad period or an unknown detector."""
    problem = period_problem(first, last, today)
    if problem:
        raise RuleViolation(PERIOD_MESSAGES[problem](), code=problem, field="period")
    known = registry.all_detectors()
    chosen = list(codes or known)
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise RuleViolation(_("Unknown detector: %(codes)s.", codes=", ".join(unknown)), code="unknown_detector",
                            field="detectors")
    return [c for c in known if c in chosen]


def start_run(user, first: Month, last: Month, codes: Iterable[str] | None = None,
              today: date | None = None) -> AuditRun:
    """Open a run of the county's detectors over first..last; Conflict while another run is going."""
    _ensure_runner(user)
    today = today or county_today()
    chosen = check_request(first, last, codes, today)
    county_id = user.county_id
    stale = db.session.execute(select(AuditRun).where(AuditRun.running_key == county_id)).scalar_one_or_none()
    if stale is not None and (utcnow() - stale.started_at > STALE_RUN or runner_gone(stale.runner)):
        stale.running_key, stale.state, stale.error, stale.finished_at = None, "failed", "stale", utcnow()
        db.session.flush()
    run = AuditRun(county_id=county_id, running_key=county_id, first_month=first.first, last_month=last.first,
                   detectors=",".join(chosen), state="running", started_by=getattr(user, "id", None),
                   runner=this_runner())
    db.session.add(run)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("An audit run is already going; wait for it to finish."), code="run_in_progress") from None
    auditlog.record(user, "audit.run_start", "audit_run", run.id, None,
                    {"from": str(first), "to": str(last), "detectors": chosen})
    db.session.commit()
    return run


def execute_run(user, run_id: int, today: date | None = None,
                progress: Callable[[str, int, int], None] | None = None) -> AuditRun:
    """Run each detector of an open run, writing its findings in its own transaction; close the run."""
    run = db.session.get(AuditRun, run_id)
    codes = [c for c in run.detectors.split(",") if c]
    today = today or county_today()
    scope = _scope(run.county_id, Month.of(run.first_month), Month.of(run.last_month), today)
    counts: dict[str, dict] = {}
    try:
        for i, code in enumerate(codes):
            started = time.perf_counter()
            hits = list(registry.get(code).find(scope))
            new, refreshed = _store(user, run, code, hits)
            counts[code] = {"hits": len(hits), "new": new, "refreshed": refreshed,
                            "seconds": round(time.perf_counter() - started, 3)}
            db.session.execute(update(AuditRun).where(AuditRun.id == run.id).values(
                done_count=i + 1, counts=json.dumps(counts)))
            db.session.commit()
            if progress:
                progress(code, i + 1, len(codes))
    except Exception as exc:
        db.session.rollback()
        db.session.execute(update(AuditRun).where(AuditRun.id == run.id).values(
            state="failed", running_key=None, error=str(exc)[:MAX_TEXT], finished_at=utcnow()))
        db.session.commit()
        raise
    db.session.execute(update(AuditRun).where(AuditRun.id == run.id).values(
        state="done", running_key=None, finished_at=utcnow(), counts=json.dumps(counts)))
    auditlog.record(user, "audit.run_finish", "audit_run", run.id, None,
                    {code: c["hits"] for code, c in counts.items()})
    db.session.commit()
    db.session.expire(run)
    return run


def run_audit(user, first: Month, last: Month, codes: Iterable[str] | None = None, today: date | None = None,
              progress: Callable[[str, int, int], None] | None = None) -> AuditRun:
    """Start and execute a run in this process (the CLI, tests)."""
    run = start_run(user, first, last, codes, today)
    return execute_run(user, run.id, today, progress)


def run_counts(run: AuditRun) -> dict[str, dict]:
    try:
        return json.loads(run.counts or "{}")
    except ValueError:
        return {}


def _scope(county_id: int, first: Month, last: Month, today: date) -> Scope:
    return Scope(county_id=county_id, first=first, last=last, today=today,
                 policy_on=cache(lambda day: policy_for(county_id, day)),
                 posts_policy_on=cache(lambda day: posts_policy_for(county_id, day)))


def _store(user, run: AuditRun, code: str, hits: list[Hit]) -> tuple[int, int]:
    """Hits → findings of one detector: new ones inserted, open ones refreshed, answered ones untouched."""
    detector = registry.get(code)
    townships = dict(db.session.execute(select(Village.id, Village.township_id).join(
        Township, Township.id == Village.township_id).where(Township.county_id == run.county_id)).all())
    existing = {(f.subject_type, f.subject_id, f.period_key): f for f in db.session.execute(
        select(Finding).where(Finding.county_id == run.county_id, Finding.detector == code)).scalars()}
    changes, new, refreshed, seen = [], 0, 0, set()
    for hit in hits:
        key = (str(hit.subject_type), str(hit.subject_id), period_key(hit.period_start, hit.period_end))
        if key in seen:
            continue
        seen.add(key)
        amount = round_half_up(Decimal(hit.amount))
        facts = _canonical(hit.facts)
        severity = str(hit.severity or detector.severity)
        finding = existing.get(key)
        if finding is None:
            finding = Finding(county_id=run.county_id, detector=code, subject_type=key[0], subject_id=key[1],
                              period_key=key[2], period_start=hit.period_start, period_end=hit.period_end,
                              village_id=hit.village_id, township_id=townships.get(hit.village_id),
                              severity=severity, facts=facts, amount_at_stake=amount, state=FindingState.OPEN,
                              first_run_id=run.id, last_run_id=run.id)
            db.session.add(finding)
            db.session.flush()
            new += 1
            changes.append(auditlog.Change("finding.open", "finding", str(finding.id), None,
                                           {"detector": code, "subject": f"{key[0]}:{key[1]}", "period": key[2],
                                            "amount_at_stake": amount, "severity": severity}))
            continue
        if finding.state != FindingState.OPEN:
            continue
        if finding.facts != facts or finding.amount_at_stake != amount or finding.severity != severity:
            changes.append(auditlog.Change("finding.refresh", "finding", str(finding.id),
                                           {"amount_at_stake": finding.amount_at_stake, "severity": finding.severity},
                                           {"amount_at_stake": amount, "severity": severity}))
            finding.facts, finding.amount_at_stake, finding.severity = facts, amount, severity
            refreshed += 1
        finding.last_run_id = run.id
    auditlog.record_many(user, changes)
    return new, refreshed
