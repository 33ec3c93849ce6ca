"""`flask audit-run`: runs the detectors with a progress bar and prints the counts per detector, as the system
actor (named in the audit log) or a named auditor; a second run is told so (exit 1), a bad period gives the
reason (exit 2)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.audit_factories import plant
from tests.payroll_factories import user

COUNTY = "422825000000"  # the test world's county A (the database holds two counties)


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=["audit-run", *args])


def _actors(app, action: str) -> list[str]:
    from portal.core.auditlog import AuditEntry
    from portal.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(AuditEntry.actor_name).where(AuditEntry.action == action)
                                       .order_by(AuditEntry.seq)))


def test_a_run_as_the_system_actor_prints_the_counts(world, app):
    with app.app_context():
        plant(world, "a1a")
    result = _invoke(app, "--from", "2026-01", "--to", "2026-10", "--detector", "shared_account", "--county", COUNTY)
    assert result.exit_code == 0, result.output
    assert "as system:audit-run: 1 hits" in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("shared_account "))
    assert line.split()[1:4] == ["1", "1", "0"]  # hits, new, refreshed
    assert _actors(app, "audit.run_start") == _actors(app, "finding.open") == ["system:audit-run"]
    from portal.audit.models import AuditRun
    from portal.extensions import db

    with app.app_context():
        run = db.session.scalars(select(AuditRun)).one()
        assert (run.state, run.started_by, run.running_key) == ("done", None, None)


def test_a_run_as_a_named_auditor_is_audited_under_that_name(world, app):
    with app.app_context():
        plant(world, "a1a")
    result = _invoke(app, "--from", "2026-01", "--to", "2026-10", "--detector", "shared_account", "--as", "auditor")
    assert result.exit_code == 0, result.output
    assert _actors(app, "audit.run_finish") == ["auditor"]
    assert _invoke(app, "--from", "2026-01", "--to", "2026-10", "--user", "clerk").exit_code == 1


def test_several_counties_need_one_named(world, app):
    result = _invoke(app, "--from", "2026-01", "--to", "2026-10")
    assert result.exit_code == 1 and "--county" in result.output


def test_a_second_run_is_told_so(world, app):
    from portal.audit import runs
    from portal.audit.rules import Month

    with app.app_context():
        runs.start_run(user("auditor"), Month(2026, 1), Month(2026, 2))
    result = _invoke(app, "--from", "2026-01", "--to", "2026-10", "--as", "admin")
    assert result.exit_code == 1
    assert "An audit run is already going" in result.output or "已有一次审计正在运行" in result.output


@pytest.mark.parametrize("first, last, words", [
    ("2026-05", "2026-04", ("ends before it starts", "截止月份早于起始月份")),
    ("2026-01", "2099-01", ("has not begun", "尚未开始")),
    ("2020-01", "2023-01", ("36 months", "36 个月")),
])
def test_a_bad_period_prints_the_reason(world, app, first, last, words):
    result = _invoke(app, "--from", first, "--to", last, "--as", "auditor")
    assert result.exit_code == 2
    assert any(w in result.output for w in words), result.output


def test_a_malformed_month_or_detector_is_refused(world, app):
    assert _invoke(app, "--from", "2026-13", "--to", "2026-10", "--as", "auditor").exit_code == 2
    result = _invoke(app, "--from", "2026-01", "--to", "2026-10", "--as", "auditor", "--detector", "nobody")
    assert result.exit_code == 2 and "nobody" in result.output
