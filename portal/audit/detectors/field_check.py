"""抽查不符: a payroll line that failed its door-to-door check in a field-check sample.

This detector finds nothing on a run: its findings are opened one at a time, when the county auditor
records a failed check (audit.sampling.service → sampling.findings.open_field_finding). It is registered so that its
code, name and evidence sentence are known wherever findings are listed, filtered and reported.
Subject: the payroll line; period: its month; amount at stake: the line's amount.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.audit.detectors import Detector, Scope, register
from portal.audit.detectors.common import money_text, month_text
from portal.audit.rules import Severity, SubjectType

CHECKS = {
    "on_duty_confirmed": _l("the holder confirms being on duty"),
    "amount_matches": _l("the amount matches"),
    "account_is_own": _l("the account is the holder's own"),
}


def find(scope: Scope):
    """Nothing: field-check findings come from failed checks, not from a run."""
    return iter(())


def describe(facts: dict) -> str:
    failed = "、".join(str(CHECKS.get(c, c)) for c in facts.get("failed", []))
    text = _("Field check (sample %(sample)s): %(name)s of %(village)s, paid %(amount)s for %(month)s into "
             "account %(account)s; failed: %(failed)s.", sample=facts.get("sample_id", ""),
             name=facts.get("name", ""), village=facts.get("village", ""),
             amount=money_text(facts.get("amount", "0")), month=month_text(facts.get("month", "2000-01")),
             account=facts.get("account", ""), failed=failed)
    note = facts.get("note", "")
    if not note:
        return text
    return text + " " + _("Auditor’s note: %(note)s", note=note)


DETECTOR = register(Detector("field_check", _l("Field check failed"), Severity.HIGH, find, describe,
                             subject=SubjectType.PAYROLL_LINE))
