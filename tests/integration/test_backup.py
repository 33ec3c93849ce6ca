"""A backup taken while the portal writes restores with nothing missing and its audit chain whole."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from portal.core import auditlog
from portal.core import backup as backups
from portal.extensions import db
from tests.payroll_factories import user

ACTION = "test.backup_write"


def _writer(app, village_id: int, stop: threading.Event, written: list[int]) -> None:
    """One household and its audit row per transaction, as fast as the database takes them."""
    from portal.registry.models import Household

    with app.app_context():
        clerk = user("clerk")
        i = 0
        while not stop.is_set():
            household = Household(village_id=village_id, number=f"BK-{i}", category="lifted")
            db.session.add(household)
            db.session.flush()
            auditlog.record(clerk, ACTION, "household", household.id, None, {"number": household.number})
            db.session.commit()
            written.append(i)
            i += 1
        db.session.remove()


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A new, empty database of the same kind as the test database, dropped afterwards."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        yield make_url(f"sqlite:///{tmp_path / 'restored.db'}")
        return
    name = f"portal_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_backup_taken_during_writes_restores_with_nothing_missing(app, world, database_url, tmp_path,
                                                                    empty_database):
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(app, world.ids["a1a"], stop, written))
    writer.start()
    try:
        while len(written) < 20:
            threading.Event().wait(0.01)
        target, manifest = backups.backup(database_url, tmp_path / "backups")
        seen = len(written)
        while len(written) < seen + 20:  # the portal kept writing after the snapshot
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join(30)
    assert 0 < manifest.tables["households"] - 3 < len(written)  # a snapshot mid-stream (3: the world's own)
    assert manifest.audit_seq == manifest.tables["audit_log"]

    with app.app_context():
        checked = backups.check(target, database_url)
    assert checked.ok, checked.problems
    assert checked.audit_rows == manifest.audit_seq

    backups.restore(target, empty_database)
    engine = create_engine(empty_database)
    try:
        with engine.connect() as conn:
            households = conn.execute(text("SELECT count(*) FROM households WHERE number LIKE 'BK-%'")).scalar()
            audited = conn.execute(text("SELECT count(*) FROM audit_log WHERE action = :a"), {"a": ACTION}).scalar()
    finally:
        engine.dispose()
    assert households == audited == manifest.tables["households"] - 3  # each write whole: row and audit row
    with pytest.raises(backups.BackupError, match="not empty"):
        backups.restore(target, empty_database)


def test_a_tampered_backup_fails_its_check(app, world, database_url, tmp_path):
    with app.app_context():
        auditlog.record(user("clerk"), ACTION, "household", 1, None, {"n": 1})
        db.session.commit()
    target, manifest = backups.backup(database_url, tmp_path)
    manifest.tables["households"] += 1
    manifest.sha256 = ""
    manifest.write(backups.manifest_path(target))
    with app.app_context():
        checked = backups.check(target, database_url)
    assert not checked.ok
    assert any("households" in p for p in checked.problems)


def test_the_backup_commands(app, world, tmp_path):
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", "--out", str(tmp_path)])
    assert made.exit_code == 0, made.output
    files = [p for p in tmp_path.iterdir() if not p.name.endswith(".json")]
    assert len(files) == 1 and backups.manifest_path(files[0]).exists()
    checked = runner.invoke(args=["backup", "--check", str(files[0])])
    assert checked.exit_code == 0, checked.output
    assert "backup check ok" in checked.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(auditlog.AuditEntry)) == 0
