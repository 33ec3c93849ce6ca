"""The audit log: every write chained to the previous row; edits and deletions are caught."""

import hashlib
import json
import threading
from contextlib import contextmanager

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from portal.core import audit_guard, audit_seal, auditlog
from portal.core.auditlog import AuditEntry, AuditHead, verify_chain
from portal.extensions import db


@contextmanager
def tampering():
    """Someone who owns the database turns the triggers off (here: the sanctioned bypass) and edits."""
    with audit_guard.maintenance(db.session.connection()):
        yield
    db.session.commit()


def _write(n: int, actor="tester"):
    for i in range(n):
        auditlog.record(actor, "update", "thing", i, {"name": f"旧{i}"}, {"name": f"新{i}", "amount": "12.50"})
    db.session.commit()


def test_rows_chain_to_their_predecessor(ctx):
    _write(3)
    rows = db.session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars().all()
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == auditlog.GENESIS
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    assert verify_chain().ok and verify_chain().rows == 3


def test_an_edited_row_is_named(ctx):
    _write(5)
    with tampering():
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(after='{"name":"篡改"}'))
    result = verify_chain()
    assert not result.ok
    assert (result.broken_seq, result.reason) == (3, "hash")


def test_an_edited_actor_is_named(ctx):
    _write(4)
    with tampering():
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(actor_name="someone-else"))
    assert verify_chain().broken_seq == 2


def test_a_deleted_row_in_the_middle_is_named(ctx):
    _write(5)
    with tampering():
        db.session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
    result = verify_chain()
    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "missing")


def test_a_deleted_last_row_is_caught_by_the_head(ctx):
    _write(5)
    with tampering():
        db.session.execute(delete(AuditEntry).where(AuditEntry.seq == 5))
    result = verify_chain()
    assert (result.ok, result.broken_seq) == (False, 5)


def test_a_rewritten_chain_tail_is_caught(ctx):
    """Recomputing one row's hash after editing it still breaks the next row's link."""
    _write(4)
    with tampering():
        row = db.session.get(AuditEntry, 2)
        row.after = '{"name":"篡改"}'
        row.hash = auditlog.row_hash(row.seq, row.ts, row.actor_id, row.actor_name, row.action, row.entity_type,
                                     row.entity_id, row.before, row.after, row.prev_hash)
        db.session.flush()
    result = verify_chain()
    assert (result.broken_seq, result.reason) == (3, "link")


def test_cli_says_whole_or_names_the_broken_row(app):
    with app.app_context():
        _write(3)
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["audit-verify"])
    assert ok.exit_code == 0 and "3 rows verified" in ok.output
    with app.app_context(), tampering():
        db.session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(action="delete"))
    broken = runner.invoke(args=["audit-verify"])
    assert broken.exit_code == 1
    assert "seq=2" in broken.output
    assert isinstance(runner, CliRunner)


def test_concurrent_writers_never_fork_the_chain(app):
    """Eight threads writing at once: every row lands, one chain, no duplicate sequence numbers."""
    errors = []

    def worker(k):
        try:
            with app.app_context():
                for i in range(5):
                    auditlog.record(f"w{k}", "update", "thing", f"{k}-{i}", None, {"i": i})
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.seq))) == 40
        assert db.session.get(AuditHead, 1).seq == 40
        assert verify_chain().ok


def test_values_are_stored_as_canonical_json(ctx):
    from datetime import date
    from decimal import Decimal

    entry = auditlog.record("tester", "create", "thing", 1, None,
                            {"b": Decimal("1.10"), "a": date(2026, 11, 1), "名": "王"})
    db.session.commit()
    assert entry.after == '{"a":"2026-11-01","b":"1.10","名":"王"}'


# ---- someone who can write the database (issue 12, point 6) -------------------------------------------

@pytest.mark.parametrize("change", ["update", "delete"])
def test_the_database_refuses_to_change_or_delete_audit_rows(ctx, change):
    _write(3)
    stmt = (update(AuditEntry).where(AuditEntry.seq == 2).values(action="x") if change == "update"
            else delete(AuditEntry).where(AuditEntry.seq == 3))
    with pytest.raises(DBAPIError):
        db.session.execute(stmt)
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuditEntry.seq))) == 3 and verify_chain().ok


def test_deleting_the_last_rows_and_resetting_the_head_is_caught_by_a_checkpoint(ctx):
    _write(5)
    assert verify_chain().ok  # a verification writes a signed checkpoint outside the database (seq 5)
    with tampering():
        db.session.execute(delete(AuditEntry).where(AuditEntry.seq > 3))
        row3 = db.session.get(AuditEntry, 3)
        db.session.execute(update(AuditHead).values(seq=3, last_hash=row3.hash))
    result = verify_chain()
    assert (result.ok, result.broken_seq, result.reason) == (False, 5, "truncated")


def test_an_edit_with_every_later_hash_recomputed_is_caught_without_the_key(ctx):
    """The intruder recomputes the chain, but has no key: plain SHA-256 (or any other key) does not fit."""
    _write(4)
    with tampering():
        prev = db.session.get(AuditEntry, 1).hash
        for seq in (2, 3, 4):
            row = db.session.get(AuditEntry, seq)
            if seq == 2:
                row.after = '{"name":"篡改"}'
            row.prev_hash = prev
            parts = (str(row.seq), auditlog._ts_text(row.ts), str(row.actor_id or ""), row.actor_name, row.action,
                     row.entity_type, row.entity_id, row.before, row.after, row.prev_hash)
            row.hash = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
            prev = row.hash
        db.session.execute(update(AuditHead).values(last_hash=prev))
        db.session.flush()
    result = verify_chain()
    assert (result.ok, result.broken_seq, result.reason) == (False, 2, "hash")


def test_an_edited_or_forged_checkpoint_is_caught(ctx, app):
    _write(2)
    assert verify_chain().ok
    path = audit_seal._path()
    line = json.loads(path.read_text().splitlines()[-1])
    line["seq"] = 1
    path.write_text(path.read_text() + json.dumps(line) + "\n")
    assert verify_chain().reason == "checkpoint_forged"


def test_the_checkpoint_command_writes_a_signed_checkpoint(app):
    with app.app_context():
        _write(3)
    result = app.test_cli_runner().invoke(args=["audit-checkpoint"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        marks = audit_seal.checkpoints()
        assert marks and marks[-1].seq == 3 and marks[-1].valid
