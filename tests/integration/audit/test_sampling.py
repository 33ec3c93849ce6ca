"""Field-check sampling against a real database: the population (approved and paid duty lines of the
period), the stratified draw with at least one line per township, the stored seed that redraws the same
lines, checks (a failed one opens one `field_check` finding for the township, audited), the progress and
the Wilson estimate, and who may do what."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.payroll_factories import make_payroll, user

TODAY = date(2026, 11, 22)


@pytest.fixture
def paid_county(world, ctx):
    """October 2026: 青竹村 (township A1) with 6 paid lines, 石门村 (A1) 2 approved, 柳岸村 (A2) 2 drafts."""
    make_payroll(world, "a1a", 2026, 10, holders=6, state="paid")
    make_payroll(world, "a1b", 2026, 10, holders=2, state="approved")
    return world


def _lines(sample):
    return sorted(line.payroll_line_id for line in sample.lines)


def test_the_population_is_the_approved_and_paid_duty_lines(paid_county):
    from portal.audit.rules import Month
    from portal.audit.sampling import service as sampling

    strata = sampling.population(user("auditor").county_id, Month(2026, 10), Month(2026, 10))
    assert {k: len(v) for k, v in strata.items()} == {paid_county.ids["a1"]: 8}
    assert sampling.population(user("auditor").county_id, Month(2026, 9), Month(2026, 9)) == {}


def test_a_percentage_sample_is_drawn_and_the_same_seed_draws_it_again(paid_county):
    from portal.audit.sampling import service as sampling
    from portal.core.auditlog import AuditEntry
    from portal.extensions import db

    auditor = user("auditor")
    first = sampling.draw_sample(auditor, "2026-10", "percent", percent=25, seed=4242, today=TODAY)
    assert (first.population, first.size, first.seed, first.period) == (8, 2, 4242, "2026-10")
    assert "⌈8 × 25%⌉ = 2" in first.formula
    again = sampling.draw_sample(auditor, "2026-10", "percent", percent=25, seed=4242, today=TODAY)
    assert _lines(again) == _lines(first)
    other = [_lines(sampling.draw_sample(auditor, "2026-10", "percent", percent=25, seed=s, today=TODAY))
             for s in (1, 2, 3, 5, 8)]
    assert any(lines != _lines(first) for lines in other)
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "sample.draw")
                               .order_by(AuditEntry.seq)).scalars().first()
    assert '"seed":4242' in entry.after


def test_the_quarter_and_the_confidence_method(paid_county):
    from portal.audit.sampling import service as sampling

    sample = sampling.draw_sample(user("auditor"), "2026-Q4", "confidence", confidence=95, margin=5, today=TODAY)
    assert sample.period == "2026-Q4" and sample.population == 8
    assert sample.size == 8  # a small population: n0 = 384.15 corrected for N = 8 is all of it
    assert "384.15" in sample.formula and sample.confidence == 95 and sample.margin == 5


def test_the_county_percentage_setting_sizes_the_sample_by_default(paid_county):
    from portal.audit.sampling import service as sampling

    sample = sampling.draw_sample(user("auditor"), "2026-10", "percent", today=TODAY)
    assert sample.percent == 5 and sample.size == 1  # ⌈8 × 5 %⌉ = 1, one township


@pytest.mark.parametrize("period, code", [("2026-13", "bad_period"), ("2026-12", "period_future"),
                                          ("2026-09", "no_lines")])
def test_bad_periods_are_refused(paid_county, period, code):
    from portal.audit.sampling import service as sampling
    from portal.core.errors import RuleViolation

    with pytest.raises(RuleViolation) as caught:
        sampling.draw_sample(user("auditor"), period, "percent", today=TODAY)
    assert caught.value.code == code


def test_only_the_auditor_draws_and_checks(paid_county):
    from portal.audit.sampling import service as sampling
    from portal.core.errors import NotAllowed

    for name in ("admin", "reviewer", "clerk"):
        with pytest.raises(NotAllowed):
            sampling.draw_sample(user(name), "2026-10", "percent", today=TODAY)
    sample = sampling.draw_sample(user("auditor"), "2026-10", "percent", percent=50, today=TODAY)
    with pytest.raises(NotAllowed):
        sampling.record_check(user("admin"), sample.lines[0], True, True, True)


def test_a_failed_check_opens_one_finding_for_the_township(paid_county):
    from portal.audit import findings as service
    from portal.audit.models import Finding
    from portal.audit.sampling import service as sampling
    from portal.core.auditlog import AuditEntry, verify_chain
    from portal.core.errors import Conflict, RuleViolation
    from portal.extensions import db
    from portal.payroll.models import PayrollLine

    auditor = user("auditor")
    sample = sampling.draw_sample(auditor, "2026-10", "percent", percent=50, seed=7, today=TODAY)
    good, bad = sample.lines[0], sample.lines[1]
    sampling.record_check(auditor, good, True, True, True, "")
    with pytest.raises(RuleViolation) as caught:
        sampling.record_check(auditor, bad, True, True, False, "")
    assert caught.value.code == "note_required"
    sampling.record_check(auditor, bad, True, True, False, "账户为其子女所有")
    finding = db.session.get(Finding, bad.finding_id)
    line = db.session.get(PayrollLine, bad.payroll_line_id)
    assert (finding.detector, finding.subject_type, finding.subject_id) == ("field_check", "payroll_line", str(line.id))
    assert finding.period_key == "2026-10" and finding.amount_at_stake == line.amount == Decimal("600.00")
    assert finding.township_id == paid_county.ids["a1"] and finding.state == "open"
    text = service.evidence_of(finding)
    assert line.person_name in text and "账户为其子女所有" in text and "******" in text
    assert service.get_finding_or_404(finding.id, user("reviewer")).id == finding.id  # the township sees it
    with pytest.raises(Conflict):
        sampling.record_check(auditor, bad, True, True, True, "")
    actions = [a for (a,) in db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq))]
    assert actions.count("sample.check") == 2 and actions.count("finding.open") == 1
    assert verify_chain().ok
    # The same line failing in a later sample keeps its one finding.
    again = sampling.draw_sample(auditor, "2026-10", "percent", percent=50, seed=7, today=TODAY)
    same = next(x for x in again.lines if x.payroll_line_id == bad.payroll_line_id)
    sampling.record_check(auditor, same, False, None, None, "本人不在村")
    assert same.finding_id == finding.id
    assert db.session.scalar(select(func.count(Finding.id)).where(Finding.detector == "field_check")) == 1


def test_progress_and_the_estimate(paid_county):
    from portal.audit.sampling import service as sampling

    auditor = user("auditor")
    sample = sampling.draw_sample(auditor, "2026-10", "percent", percent=50, seed=11, today=TODAY)
    assert sampling.progress(sample).estimate is None
    for i, line in enumerate(sample.lines):
        ok = i != 0
        sampling.record_check(auditor, line, ok, True, True, "" if ok else "本人外出务工")
    p = sampling.progress(sample)
    assert (p.drawn, p.checked, p.failed) == (4, 4, 1)
    assert p.estimate.share == 0.25 and 0 < p.estimate.low < 0.25 < p.estimate.high < 1
    assert p.faulty_low <= 2 <= p.faulty_high


def test_a_run_of_every_detector_leaves_field_checks_alone(paid_county):
    from portal.audit import detectors, runs
    from portal.audit.rules import Month

    assert "field_check" in detectors.all_detectors()
    assert str(detectors.get("field_check").name)
    run = runs.run_audit(user("auditor"), Month(2026, 10), Month(2026, 10), ["field_check"], today=TODAY)
    assert runs.run_counts(run)["field_check"]["hits"] == 0
