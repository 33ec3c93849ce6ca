"""Audit findings: who sees which (scope), their facts and evidence; a township answers a finding, the county
auditor closes it. Runs raise them (audit.runs), failed field checks too (audit.sampling.service).

A finding is keyed by county, detector, subject and period; every answer and every closing is in the audit log.
"""

from __future__ import annotations

import json
from decimal import Decimal

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import false, select
from sqlalchemy.sql.elements import ColumnElement

from portal.audit import detectors as registry
from portal.audit.models import Finding
from portal.audit.rules import (
    Decision,
    FindingAction,
    next_finding_state,
    recovered_problem,
)
from portal.core import auditlog
from portal.core.access import Role
from portal.core.cas import compare_and_set
from portal.core.errors import NotAllowed, RuleViolation
from portal.core.types import utcnow
from portal.extensions import db

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


def _canonical(facts: dict) -> str:
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)



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
