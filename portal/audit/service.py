"""Audit use cases: run the detectors over a period (one run per county at a time) and keep their
findings; a township answers a finding, the county auditor closes it.

A run writes each detector's findings in its own transaction, so a long run shows its progress and a
failure keeps what was done. A finding is keyed by county, detector, subject and period: a re-run
refreshes an open finding's evidence and amount and leaves answered ones alone. Every new finding,
every refresh and every answer is in the audit log.
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

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import false, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from portal.audit import detectors as registry
from portal.audit.detectors import Hit, Scope
from portal.audit.models import AuditRun, Finding
from portal.audit.rules import (
    Decision,
    FindingAction,
    FindingState,
    Month,
    next_finding_state,
    period_key,
    period_problem,
    recovered_problem,
)
from portal.audit.settings import policy_for
from portal.core import auditlog
from portal.core.access import Role
from portal.core.cas import compare_and_set
from portal.core.clock import county_today
from portal.core.errors import Conflict, NotAllowed, RuleViolation
from portal.core.money import round_half_up
from portal.core.types import utcnow
from portal.extensions import db
from portal.places.models import Township, Village
from portal.posts.settings import policy_for as posts_policy_for

STALE_RUN = timedelta(hours=2)  # a run of another host still "running" after this died with its process
MAX_TEXT = 2000


# ---- scope ----------------------------------------------------------------------------------------


def finding_scope(user) -> ColumnElement[bool]:
    """County roles see their county's findings, a township reviewer those of its township, clerks none."""
    role = getattr(user, "role", None)
    if role in (Role.COUNTY_AUDITOR, Role.COUNTY_ADMIN):
        return Finding.county_id == user.county_id
    if role == Role.TOWNSHIP_REVIEWER:
        return Finding.township_id == user.township_id
    return false()


def get_finding_or_404(finding_id: int, user) -> Finding:
    finding = db.session.execute(select(Finding).where(Finding.id == finding_id, finding_scope(user))
                                 ).scalar_one_or_none()
    if finding is None:
        abort(404)
    return finding


def facts_of(finding: Finding) -> dict:
    try:
        return json.loads(finding.facts or "{}")
    except ValueError:
        return {}


def evidence_of(finding: Finding) -> str:
    """The detector's plain-language sentence for the finding, in the reader's language."""
    detector = registry.get(finding.detector)
    facts = facts_of(finding)
    if detector is None:
        return facts.get("text", "")
    return detector.describe(facts)


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


def _canonical(facts: dict) -> str:
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)


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


# ---- answering and closing ---------------------------------------------------------------------------


def _text(value: str, field: str, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise RuleViolation(_("This field is required."), field=field)
    if len(text) > MAX_TEXT:
        raise RuleViolation(_("At most %(n)d characters.", n=MAX_TEXT), field=field)
    return text


def respond(user, finding: Finding, response: str, action_taken: str) -> Finding:
    """The finding's township reviewer explains it and says what was done (again, to improve the answer)."""
    if getattr(user, "role", None) != Role.TOWNSHIP_REVIEWER or finding.township_id != user.township_id:
        raise NotAllowed(_("Only a reviewer of the finding's township answers it."), code="not_township")
    new_state = next_finding_state(finding.state, FindingAction.RESPOND)
    response, action_taken = _text(response, "response"), _text(action_taken, "action_taken")
    before = {"state": finding.state, "response": finding.response, "action_taken": finding.action_taken}
    compare_and_set(Finding, finding, new_state, response=response, action_taken=action_taken,
                    responded_by=user.id, responded_at=utcnow())
    auditlog.record(user, "finding.respond", "finding", finding.id, before,
                    {"state": str(new_state), "response": response, "action_taken": action_taken})
    db.session.commit()
    return finding


RECOVERED_MESSAGES = {
    "recovered_not_money": lambda: _("The amount recovered is 0 or more, with at most two decimals."),
    "recovered_above_stake": lambda: _("The amount recovered cannot exceed the amount at stake."),
}


def close(user, finding: Finding, decision: str, recovered: Decimal, note: str) -> Finding:
    """The county auditor confirms or dismisses the finding, with the amount recovered (≤ the amount at stake)."""
    if getattr(user, "role", None) != Role.COUNTY_AUDITOR or finding.county_id != user.county_id:
        raise NotAllowed(_("Only the county auditor closes a finding."), code="not_auditor")
    new_state = next_finding_state(finding.state, FindingAction.CLOSE)
    if decision not in set(Decision):
        raise RuleViolation(_("Choose to confirm or dismiss the finding."), field="decision")
    recovered = recovered if recovered is not None else Decimal("0.00")
    if decision == Decision.DISMISSED and recovered != 0:
        raise RuleViolation(_("A dismissed finding recovers nothing."), field="amount_recovered")
    problem = recovered_problem(recovered, finding.amount_at_stake)
    if problem:
        raise RuleViolation(RECOVERED_MESSAGES[problem](), code=problem, field="amount_recovered")
    note = _text(note, "close_note")
    before = {"state": finding.state}
    compare_and_set(Finding, finding, new_state, decision=decision, amount_recovered=recovered, close_note=note,
                    closed_by=user.id, closed_at=utcnow())
    auditlog.record(user, "finding.close", "finding", finding.id, before,
                    {"state": str(new_state), "decision": decision, "amount_recovered": recovered, "note": note})
    db.session.commit()
    return finding


# ---- field checks (抽查) ---------------------------------------------------------------------------


def open_field_finding(user, sample_line, note: str) -> Finding:
    """A failed door-to-door check opens a `field_check` finding on the payroll line (its month, its amount),
    visible to the line's township; the check's own changes commit with it. A line already found by an
    earlier sample keeps its one finding."""
    from portal.audit.detectors.common import village_names
    from portal.audit.rules import SubjectType
    from portal.audit.sampling_rules import check_failed
    from portal.core.masking import mask_account
    from portal.payroll.models import Payroll, PayrollLine

    line = db.session.get(PayrollLine, sample_line.payroll_line_id)
    payroll = db.session.get(Payroll, line.payroll_id)
    month = Month(payroll.year, payroll.month)
    county_id = sample_line.sample.county_id
    key = (str(SubjectType.PAYROLL_LINE), str(line.id), period_key(month.first, month.last))
    finding = db.session.execute(select(Finding).where(
        Finding.county_id == county_id, Finding.detector == "field_check", Finding.subject_type == key[0],
        Finding.subject_id == key[1], Finding.period_key == key[2])).scalar_one_or_none()
    if finding is None:
        answers = {"on_duty_confirmed": sample_line.on_duty_confirmed, "amount_matches": sample_line.amount_matches,
                   "account_is_own": sample_line.account_is_own}
        if not check_failed(*answers.values()):
            raise RuleViolation(_("Only a failed check opens a finding."), code="check_not_failed")
        facts = {"sample_id": sample_line.sample_id, "sample_line_id": sample_line.id, "payroll_id": payroll.id,
                 "payroll_line_id": line.id, "person_id": line.person_id, "appointment_id": line.appointment_id,
                 "post_id": line.post_id, "village_id": line.village_id, "name": line.person_name,
                 "village": village_names(county_id).get(line.village_id, ""), "month": str(month),
                 "amount": f"{line.amount:.2f}", "account": mask_account(line.bank_account),
                 "failed": [name for name, value in answers.items() if value is False],
                 "note": _text(note, "note", required=False)}
        finding = Finding(county_id=county_id, detector="field_check", subject_type=key[0], subject_id=key[1],
                          period_key=key[2], period_start=month.first, period_end=month.last,
                          village_id=line.village_id, township_id=sample_line.township_id,
                          severity=str(registry.get("field_check").severity), facts=_canonical(facts),
                          amount_at_stake=round_half_up(Decimal(line.amount)), state=FindingState.OPEN)
        db.session.add(finding)
        db.session.flush()
        auditlog.record(user, "finding.open", "finding", finding.id, None,
                        {"detector": "field_check", "subject": f"{key[0]}:{key[1]}", "period": key[2],
                         "amount_at_stake": finding.amount_at_stake, "severity": finding.severity,
                         "sample_line": sample_line.id})
    sample_line.finding_id = finding.id
    db.session.commit()
    return finding
