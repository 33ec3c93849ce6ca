"""Words of the audit pages: finding states, severities, decisions, run states and the audit thresholds,
through the translation layer (unknown codes show as they are)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.audit.rules import Decision, FindingState, Severity

STATE = {FindingState.OPEN: _l("Open finding"), FindingState.RESPONDED: _l("Answered by the township"),
         FindingState.CLOSED: _l("Closed")}
STATE_COLOUR = {FindingState.OPEN: "warning", FindingState.RESPONDED: "info", FindingState.CLOSED: "secondary"}
SEVERITY = {Severity.HIGH: _l("High"), Severity.MEDIUM: _l("Medium"), Severity.LOW: _l("Low")}
SEVERITY_COLOUR = {Severity.HIGH: "danger", Severity.MEDIUM: "warning", Severity.LOW: "secondary"}
DECISION = {Decision.CONFIRMED: _l("Confirmed"), Decision.DISMISSED: _l("Dismissed")}
RUN_STATE = {"running": _l("Running"), "done": _l("Finished"), "failed": _l("Failed")}
RUN_COLOUR = {"running": "primary", "done": "success", "failed": "danger"}
SETTING = {
    "audit_late_mark_days": _l("Late marks: a mark saved more than this many days after its day is late"),
    "audit_near_full_percent": _l("Absent holder: duty of at least this share of the required days (%) counts "
                                  "as full attendance"),
    "audit_rotation_people": _l("Rotation: this many people on one post within the window"),
    "audit_rotation_months": _l("Rotation: the window in months"),
    "audit_batch_months": _l("Batch-filled attendance: identical full months in a row"),
    "audit_ineligible_grace_days": _l("Ineligible household still paid: grace period in days"),
    "audit_response_days": _l("Days a township has to answer a finding"),
    "audit_sample_percent": _l("Field checks: share of payroll lines drawn (%)"),
}


def text(table: dict, code: str | None) -> str:
    """The code's word from one of the tables above (the code itself when unknown)."""
    return str(table.get(code, code or ""))
