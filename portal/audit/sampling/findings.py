"""The finding a failed field check opens (`field_check`): on the payroll line, for the line's township to answer."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit import detectors as registry
from portal.audit.detectors.common import village_names
from portal.audit.findings import _canonical, _text
from portal.audit.models import Finding
from portal.audit.rules import FindingState, Month, SubjectType, period_key
from portal.audit.sampling.rules import check_failed
from portal.core import auditlog
from portal.core.errors import RuleViolation
from portal.core.masking import mask_account
from portal.core.money import round_half_up
from portal.extensions import db
from portal.payroll.models import Payroll, PayrollLine


def open_field_finding(user, sample_line, note: str) -> Finding:
    """A failed door-to-door check opens a `field_check` finding on the payroll line (its month, its amount),
    visible to the line's township; the check's own changes commit with it. A line already found by an
    earlier sample keeps its one finding."""
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
