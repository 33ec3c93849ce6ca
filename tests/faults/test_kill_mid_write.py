"""Killed mid-write: each use case runs as a real process and is killed with SIGKILL at a random moment.

For every use case a county is built in the test database, copied for each trial (SQLite: the online backup
API; PostgreSQL: CREATE DATABASE … TEMPLATE), and the use case's command is started on the copy and killed
after a random delay within its measured duration (or left to finish, when the delay outlasts it). Then:
no payroll without lines, no locked month without its submitted payroll (nor the reverse), the use case is
all-or-nothing (its own count is before or after, never between), `audit-verify` passes, and running the
same command again completes. PORTAL_FAULT_TRIALS sets the trials per use case (default 1, killed
within its first 6 s, so CI stays short; 0 skips them; `make faults` runs 20, each killed within the use case's measured
time); PORTAL_FAULT_REPORT names a file to append each trial's outcome to (JSON lines).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import ROOT

pytestmark = pytest.mark.faults

TRIALS = int(os.environ.get("PORTAL_FAULT_TRIALS", "1"))
REPORT = os.environ.get("PORTAL_FAULT_REPORT", "")
MONTH = (2026, 10)
LEDGER_ROWS = 20_000
DEFAULT_DURATION = 6.0  # seconds: about a use case's run on SQLite on the CI machine


@dataclass
class UseCase:
    name: str
    build: Callable  # (world, tmp) -> dict of facts the command and the checks need
    command: Callable  # (facts) -> argv
    count: Callable  # (conn, facts) -> the use case's own count: it must be facts["before"] or facts["after"]


def _flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "portal", *args]


def _driver(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.faults.driver", *args]


def _scalar(conn, sql: str, **params) -> int:
    return conn.execute(text(sql), params).scalar() or 0


# ---- the use cases --------------------------------------------------------------------------------------


def _build_generate(world, tmp):
    from tests.payroll_factories import make_holders, mark_month

    for key in ("a1a", "a1b", "a2a"):
        mark_month(make_holders(world, key, 120), *MONTH)
    return {"before": 0, "after": 3}


def _build_import(world, tmp):
    from benchmarks.registry_import import ledger_xlsx

    path = tmp / "ledger.xlsx"
    if not path.exists():
        path.write_bytes(ledger_xlsx(LEDGER_ROWS))
    return {"before": 0, "after": LEDGER_ROWS, "ledger": str(path), "village": world.ids["a2a"]}


def _build_grid(world, tmp):
    from tests.payroll_factories import make_holders

    holders = make_holders(world, "a1a", 120)
    return {"before": 0, "after": len(holders) * 30, "village": world.ids["a1a"]}


def _build_submit(world, tmp):
    from portal.payroll import service
    from tests.payroll_factories import TODAY, make_holders, mark_month, user

    mark_month(make_holders(world, "a1a", 300), *MONTH)
    service.generate(user("clerk"), world.ids["a1a"], *MONTH, TODAY)
    return {"before": 0, "after": 1, "village": world.ids["a1a"]}


def _build_assess(world, tmp):
    from tests.workshop_factories import file_reports, make_workshop

    for n in range(3):
        file_reports(make_workshop(world, "a1a", aided=12, n=n + 1), (2025, 1), (2025, 12))
    return {"before": 0, "after": 3}


def _build_audit(world, tmp):
    from portal.payroll import batch
    from tests.payroll_factories import make_holders, mark_month

    for key in ("a1a", "a1b"):
        holders = make_holders(world, key, 100)
        for month in (8, 9, 10):
            mark_month(holders, 2026, month)
    for month in (8, 9, 10):
        batch.generate_month("system", 2026, month, today=__import__("datetime").date(2026, 11, 22))
    return {"before": 0, "after": 1}


USE_CASES = [
    UseCase("payroll-generate", _build_generate,
            lambda f: _flask("payroll-generate", "--month", "2026-10", "--as", "admin"),
            lambda c, f: _scalar(c, "SELECT count(*) FROM payrolls WHERE year = 2026 AND month = 10")),
    UseCase("registry-import", _build_import,
            lambda f: _flask("registry-import", f["ledger"], "--village", "422825102201", "--as", "admin"),
            lambda c, f: _scalar(c, "SELECT count(*) FROM people WHERE village_id = :v", v=f["village"])),
    UseCase("grid-save", _build_grid,
            lambda f: _driver("save-grid", "422825101201", "2026", "11"),
            lambda c, f: _scalar(c, "SELECT count(*) FROM attendance_marks WHERE village_id = :v AND day >= :d",
                                 v=f["village"], d="2026-11-01")),
    UseCase("payroll-submit", _build_submit,
            lambda f: _driver("submit", "422825101201", "2026", "10"),
            lambda c, f: _scalar(c, "SELECT count(*) FROM payrolls WHERE village_id = :v AND state = 'submitted'",
                                 v=f["village"])),
    UseCase("workshop-assessment", _build_assess, lambda f: _driver("assess", "2025"),
            lambda c, f: _scalar(c, "SELECT count(*) FROM workshop_assessments WHERE year = 2025")),
    UseCase("audit-run", _build_audit,
            lambda f: _flask("audit-run", "--from", "2026-01", "--to", "2026-10", "--county", "422825000000"),
            # done or not: a second run after a finished one is another run, so "after" is "at least one done"
            lambda c, f: min(1, _scalar(c, "SELECT count(*) FROM audit_runs WHERE state = 'done'"))),
]


# ---- the invariants every use case keeps ------------------------------------------------------------


def invariants(conn) -> list[str]:
    """What would show a half-written use case anywhere in the database."""
    problems = []
    empty = conn.execute(text(
        "SELECT p.id FROM payrolls p WHERE NOT EXISTS (SELECT 1 FROM payroll_lines l WHERE l.payroll_id = p.id)"
    )).scalars().all()
    problems += [f"payroll {i} has no lines" for i in empty]
    short = conn.execute(text(
        "SELECT p.id FROM payrolls p WHERE p.line_count != (SELECT count(*) FROM payroll_lines l "
        "WHERE l.payroll_id = p.id AND l.kind = 'duty')")).scalars().all()
    problems += [f"payroll {i}: line_count differs from its lines" for i in short]
    orphan_locks = conn.execute(text(
        "SELECT l.village_id, l.year, l.month FROM attendance_locks l WHERE NOT EXISTS (SELECT 1 FROM payrolls p "
        "WHERE p.village_id = l.village_id AND p.year = l.year AND p.month = l.month "
        "AND p.state IN ('submitted', 'approved', 'paid'))")).all()
    problems += [f"month {r} locked without its submitted payroll" for r in orphan_locks]
    unlocked = conn.execute(text(
        "SELECT p.id FROM payrolls p WHERE p.state IN ('submitted', 'approved', 'paid') AND NOT EXISTS "
        "(SELECT 1 FROM attendance_locks l WHERE p.village_id = l.village_id AND p.year = l.year "
        "AND p.month = l.month)")).scalars().all()
    problems += [f"payroll {i} submitted but its month is not locked" for i in unlocked]
    return problems


def audit_verify(url: str, checkpoints: Path) -> tuple[int, str]:
    """`flask audit-verify` on a trial's database, with the key its rows were sealed with and the trial's own
    checkpoint file (each trial's copy of the base grows its own chain)."""
    from portal import create_app
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret", "TESTING": True,
                      "AUDIT_KEY": "test-audit-key", "AUDIT_CHECKPOINT_DIR": str(checkpoints)})
    result = app.test_cli_runner().invoke(args=["audit-verify"])
    with app.app_context():
        db.engine.dispose()
    return result.exit_code, result.output.strip()


# ---- trial databases --------------------------------------------------------------------------------


class Copies:
    """Fresh copies of the built base database, one per trial."""

    def __init__(self, base_url: str, tmp: Path):
        self.base, self.tmp, self.made = make_url(base_url), tmp, []
        self.admin = None
        if self.base.get_backend_name() == "postgresql":
            self.admin = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def new(self) -> str:
        if self.admin is None:
            path = self.tmp / f"trial-{uuid.uuid4().hex[:8]}.db"
            src, dst = sqlite3.connect(self.base.database), sqlite3.connect(path)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
            return f"sqlite:///{path}"
        name = f"{self.base.database}_f{uuid.uuid4().hex[:6]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.base.database}"'))
        self.made.append(name)
        return self.base.set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                for name in self.made:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.admin.dispose()


def _run(argv: list[str], url: str, instance: Path, kill_after: float | None = None) -> tuple[str, float, str]:
    env = dict(os.environ, PORTAL_DATABASE_URL=url, PORTAL_INSTANCE_DIR=str(instance),
               PORTAL_SECRET_KEY="test-secret", PORTAL_AUDIT_KEY="test-audit-key",  # the key the base was sealed with
               PORTAL_AUDIT_CHECKPOINT_DIR=str(instance / "audit-checkpoints-runs"), PYTHONWARNINGS="ignore")
    env.pop("PORTAL_TEST_DATABASE_URL", None)
    started = time.perf_counter()
    with subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as proc:
        try:
            output, _err = proc.communicate(timeout=kill_after if kill_after is not None else 600)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            return "killed", time.perf_counter() - started, ""
    return f"exit {proc.returncode}", time.perf_counter() - started, output.decode(errors="replace")


_STARTUP: list[float] = []


def _startup(tmp: Path) -> float:
    """How long the portal's process takes to start and do nothing (measured once)."""
    if not _STARTUP:
        _STARTUP.append(_run(_flask("--help"), "sqlite://", tmp)[1])
    return _STARTUP[0]


@pytest.mark.parametrize("case", USE_CASES, ids=[c.name for c in USE_CASES])
def test_killed_mid_write_leaves_nothing_half_written(case, app, world, database_url, tmp_path_factory):
    from portal.extensions import db

    if TRIALS < 1:
        pytest.skip("PORTAL_FAULT_TRIALS=0: no fault trials in this run (make faults runs them)")
    tmp = tmp_path_factory.mktemp(f"faults-{case.name}")
    shared = tmp_path_factory.getbasetemp()
    with app.app_context():
        facts = case.build(world, shared)
        db.session.remove()
        db.engine.dispose()  # the template must have no open connection
    copies = Copies(database_url, tmp)
    rng = random.Random(os.environ.get("PORTAL_FAULT_SEED") or None)
    outcomes = []
    try:
        if TRIALS > 1:  # measure the use case once, uninterrupted, to draw kill moments within it
            status, duration, output = _run(case.command(facts), copies.new(), tmp)
            assert status == "exit 0", output
            start = min(_startup(tmp), duration / 2)  # before that the process only imports: nothing to hit
        else:  # the short default run: one kill within the first seconds (process start, then the writes)
            duration, start = DEFAULT_DURATION, 0.0
        for trial in range(TRIALS):
            url = copies.new()
            checkpoints = tmp / f"checkpoints-{trial + 1}"
            delay = rng.uniform(start, duration)
            status, _took, _out = _run(case.command(facts), url, tmp, kill_after=delay)
            engine = create_engine(url)
            with engine.connect() as conn:
                problems = invariants(conn)
                count = case.count(conn, facts)
            if count not in (facts["before"], facts["after"]):
                problems.append(f"half in: count {count}, neither {facts['before']} nor {facts['after']}")
            verified, verify_text = audit_verify(url, checkpoints)
            if verified != 0:
                problems.append(f"audit-verify failed: {verify_text}")
            rerun, _took, rerun_out = _run(case.command(facts), url, tmp)
            with engine.connect() as conn:
                problems += invariants(conn)
                after = case.count(conn, facts)
            engine.dispose()
            if rerun != "exit 0":
                problems.append(f"running it again: {rerun}: {rerun_out.strip()[-300:]}")
            elif after != facts["after"]:
                problems.append(f"running it again left count {after}, not {facts['after']}")
            verified, verify_text = audit_verify(url, checkpoints)
            if verified != 0:
                problems.append(f"audit-verify after the re-run failed: {verify_text}")
            outcome = {"use_case": case.name, "database": make_url(url).get_backend_name(), "trial": trial + 1,
                       "delay_s": round(delay, 2), "duration_s": round(duration, 2), "first_run": status,
                       "state_after_kill": "before" if count == facts["before"] else
                       "after" if count == facts["after"] else f"between ({count})",
                       "rerun": rerun, "problems": problems}
            outcomes.append(outcome)
            if REPORT:
                with open(REPORT, "a") as f:
                    f.write(json.dumps(outcome, ensure_ascii=False) + "\n")
    finally:
        copies.close()
    failed = [o for o in outcomes if o["problems"]]
    assert failed == [], json.dumps(failed, ensure_ascii=False, indent=1)
