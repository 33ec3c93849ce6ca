"""No false positives, no misses: a clean county yields no finding on a full run; each planted case is found
by its detector exactly once (and by no other detector), and a second run adds nothing."""

from __future__ import annotations

import importlib

import pytest
from sqlalchemy import select

from tests.audit_county import TODAY, build_clean_county
from tests.payroll_factories import user

PLANT_MODULES = ("tests.integration.audit.plant_people", "tests.integration.audit.plant_money")
RUN_ONLY = ("field_check",)  # findings of field checks come from the door-to-door sample, not from a run


def _codes() -> list[str]:
    from portal.audit.detectors import all_detectors

    return [c for c in all_detectors() if c not in RUN_ONLY]


def _plant(code: str):
    for name in PLANT_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        if hasattr(module, f"plant_{code}"):
            return getattr(module, f"plant_{code}")
    return None


def _run():
    from portal.audit import runs
    from portal.audit.models import Finding
    from portal.audit.rules import Month
    from portal.extensions import db

    run = runs.run_audit(user("auditor"), Month(2026, 1), Month(2026, 10), today=TODAY)
    assert run.state == "done"
    db.session.expire_all()
    return run, db.session.execute(select(Finding).order_by(Finding.id)).scalars().all()


def test_a_clean_county_yields_no_finding(world, ctx):
    from portal.audit import findings as service
    from portal.audit import runs

    build_clean_county(world)
    run, findings = _run()
    assert set(runs.run_counts(run)) >= set(_codes())
    assert [(f.detector, service.evidence_of(f)) for f in findings] == []


def test_every_detector_has_a_planted_case():
    missing = [code for code in _codes() if _plant(code) is None]
    assert missing == []


@pytest.mark.parametrize("code", _codes())
def test_a_planted_case_is_found_once_by_its_detector(world, ctx, code):
    from portal.audit import findings as service

    plant = _plant(code)
    if plant is None:
        pytest.fail(f"no plant_{code}")
    build_clean_county(world)
    plant(world)
    _first, findings = _run()
    found = [(f.detector, service.evidence_of(f)) for f in findings]
    assert [d for d, _ in found] == [code], found
    _again, again = _run()
    assert len(again) == 1
