"""The append-only, hash-chained audit log.

Every write of the portal records one row here inside the same transaction. Each row carries the
HMAC-SHA256 (under a key kept outside the database, core/audit_seal.py) of its own content and the previous
row's hash; a single-row head table is updated first, so concurrent writers queue on its row lock
(PostgreSQL) or the write lock (SQLite) and the chain never forks. Triggers refuse UPDATE and DELETE on the
table (core/audit_guard.py). `verify_chain()` walks the rows, names the first one that does not fit, checks
the signed checkpoints written outside the database, and writes a new one when all is well.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from itertools import repeat
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Table, Text, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column

from portal.core import audit_seal
from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db

GENESIS = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    # A record's history (the audit reads when a status, a category or a death was recorded) by one lookup.
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(db.Model):
    """One row: the last sequence number and hash. Updating it serialises writers."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# What json.dumps(data, sort_keys=True, ...) builds on every call, built once: the same encoder, the same text.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def canonical(data: Any) -> str:
    """Stable JSON text: sorted keys, no spaces, Chinese kept readable."""
    return _ENCODER.encode(data)


def _ts_text(ts: datetime) -> str:
    return ts.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def row_hash(
    seq: int, ts: datetime, actor_id: int | None, actor_name: str, action: str,
    entity_type: str, entity_id: str, before: str, after: str, prev_hash: str,
) -> str:
    """The keyed hash (HMAC-SHA256) of a row's content and its predecessor's hash."""
    return _hash(seq, _ts_text(ts), actor_id, actor_name, action, entity_type, entity_id, before, after, prev_hash,
                 audit_seal.key())


def _hash(seq: int, ts_text: str, actor_id: int | None, actor_name: str, action: str,
          entity_type: str, entity_id: str, before: str, after: str, prev_hash: str, key: bytes) -> str:
    parts = (str(seq), ts_text, str(actor_id or ""), actor_name, action, entity_type, entity_id,
             before, after, prev_hash)
    return audit_seal.mac("\x1f".join(parts), key)


def ensure_head() -> None:
    """Create the head row if the log is new (called by migrations' callers and the CLI)."""
    if db.session.get(AuditHead, 1) is None:
        db.session.add(AuditHead(id=1, seq=0, last_hash=GENESIS))
        db.session.flush()


@dataclass(frozen=True)
class Change:
    action: str
    entity_type: str
    entity_id: str
    before: dict | None
    after: dict | None


@dataclass(frozen=True)
class Written:
    """What was appended: the row's place in the chain and its stored `after` text."""

    seq: int
    hash: str
    after: str


def record(actor, action: str, entity_type: str, entity_id: Any,
           before: dict | None = None, after: dict | None = None) -> Written:
    """Append one row for a change made in the current transaction (the caller commits)."""
    return record_many(actor, [Change(action, entity_type, str(entity_id), before, after)])[-1]


def record_many(actor, changes: Iterable[Change]) -> list[Written]:
    """Append several rows in order (bulk imports) with one trip to the head row."""
    changes = list(changes)
    if not changes:
        return []
    # The UPDATE takes the lock first; only then is the head read, so no two writers see the same one.
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 0))
    head = db.session.execute(select(AuditHead).where(AuditHead.id == 1)).scalar_one_or_none()
    if head is None:
        ensure_head()
        head = db.session.get(AuditHead, 1)
    db.session.refresh(head)
    head_seq, head_hash = head.seq, head.last_hash
    actor_id = getattr(actor, "id", None)
    actor_name = getattr(actor, "username", None) or (actor if isinstance(actor, str) else "system")
    seq, prev = head_seq, head_hash
    now = utcnow()
    ts_text = _ts_text(now)  # one timestamp for the batch: formatted once for the hashes, bound once below
    rows = []
    key = audit_seal.key()
    for ch in changes:
        seq += 1
        before = canonical(ch.before) if ch.before is not None else ""
        after = canonical(ch.after) if ch.after is not None else ""
        h = _hash(seq, ts_text, actor_id, actor_name, ch.action, ch.entity_type, ch.entity_id, before, after, prev,
                  key)
        rows.append((seq, actor_id, actor_name, ch.action, ch.entity_type, ch.entity_id, before, after, prev, h))
        prev = h
    insert_rows(AuditEntry.__table__, _COLUMNS, rows, ts=now)
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, last_hash=prev))
    db.session.expire(head)
    return [Written(row[0], row[9], row[7]) for row in rows]


_COLUMNS = ("seq", "actor_id", "actor_name", "action", "entity_type", "entity_id", "before", "after", "prev_hash",
            "hash")


def insert_rows(table: Table, names: Sequence[str], rows: Sequence[Sequence], **same: Any) -> None:
    """INSERT rows (values in `names` order) in bulk within the session's transaction; `same` is shared by all.

    The audit log and the ledger import write tens of thousands of rows at once, and SQLAlchemy's Core bulk
    insert spent longer building each row's parameters than the database took to store them. Here each
    column's values go through its type's own bind processor (so they are stored exactly as the ORM stores
    them), a shared value once; then PostgreSQL (psycopg) takes a batch by COPY, and a single row, or any
    other database, gets a plain INSERT (one executemany). Constraints and triggers apply as for INSERT, and
    a violation is raised as SQLAlchemy's IntegrityError, as from any statement (COPY goes to the driver
    directly, so SQLAlchemy's echo log does not show it).
    """
    if not rows:
        return
    conn = db.session.connection()
    dialect = conn.dialect
    columns: list[Iterable] = []
    for name, values in zip(names, zip(*rows, strict=True), strict=True):
        process = _binder(table.c[name].type, dialect)
        columns.append(map(process, values) if process else values)
    for name, value in same.items():
        process = _binder(table.c[name].type, dialect)
        columns.append(repeat(process(value) if process else value, len(rows)))
    bound = zip(*columns, strict=True)
    quote = dialect.identifier_preparer.quote
    target = f"{quote(table.name)} ({', '.join(quote(n) for n in (*names, *same))})"
    if dialect.driver == "psycopg" and len(rows) > 1:
        sql = f"COPY {target} FROM STDIN"
        try:
            with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
                for row in bound:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(sql, None, exc, dialect.loaded_dbapi.Error, dialect=dialect) from exc
        return
    if dialect.paramstyle not in ("qmark", "format", "pyformat"):
        raise NotImplementedError(f"bulk insert with paramstyle {dialect.paramstyle}")
    marks = ", ".join(["?" if dialect.paramstyle == "qmark" else "%s"] * (len(names) + len(same)))
    conn.exec_driver_sql(f"INSERT INTO {target} VALUES ({marks})", list(bound))  # noqa: S608 (our own names, quoted)


def _binder(column_type, dialect):
    """The type's bind processor; a boolean's as a lookup of its three answers (four flags on each of 20 000 people
    cost more in calls than the database took to store them). Anything but True, False or None is still refused."""
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is not None and isinstance(column_type, Boolean):
        return {value: process(value) for value in (True, False, None)}.__getitem__
    return process


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(batch: int = 5000, write_checkpoint: bool = True) -> VerifyResult:
    """Walk the chain in order; report the first row whose hash, link or sequence is wrong, or a signed
    checkpoint outside the database that the chain no longer holds; a whole chain gets a new checkpoint."""
    marks = audit_seal.checkpoints()
    if any(not m.valid for m in marks):
        return VerifyResult(False, 0, None, "checkpoint_forged")
    wanted = {m.seq: m.hash for m in marks}
    seen: dict[int, str] = {}
    result = _walk(batch, wanted, seen)
    if not result.ok:
        return result
    for m in sorted(marks, key=lambda m: m.seq):
        if m.seq not in seen and m.seq > 0:
            return VerifyResult(False, result.rows, m.seq, "truncated")
        if m.seq > 0 and seen[m.seq] != m.hash:
            return VerifyResult(False, result.rows, m.seq, "rewritten")
    if write_checkpoint:
        checkpoint()
    return result


def checkpoint() -> audit_seal.Checkpoint:
    """Write a signed checkpoint of the head (row count and last hash) outside the database."""
    head = db.session.get(AuditHead, 1)
    return audit_seal.write_checkpoint(head.seq if head else 0, head.last_hash if head else GENESIS)


def _walk(batch: int, wanted: dict[int, str], seen: dict[int, str]) -> VerifyResult:
    key = audit_seal.key()
    expected_prev, expected_seq, count = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = db.session.execute(
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for r in rows:
            if r.seq != expected_seq:
                return VerifyResult(False, count, expected_seq, "missing")
            if r.prev_hash != expected_prev:
                return VerifyResult(False, count, r.seq, "link")
            h = _hash(r.seq, _ts_text(r.ts), r.actor_id, r.actor_name, r.action, r.entity_type, r.entity_id,
                      r.before, r.after, r.prev_hash, key)
            if h != r.hash:
                return VerifyResult(False, count, r.seq, "hash")
            if r.seq in wanted:
                seen[r.seq] = r.hash
            expected_prev, expected_seq = r.hash, r.seq + 1
            count += 1
        last_seq = rows[-1].seq
        db.session.expire_all()
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != expected_seq - 1 or head.last_hash != expected_prev):
        return VerifyResult(False, count, expected_seq, "missing")
    return VerifyResult(True, count)


def snapshot(obj, fields: Iterable[str]) -> dict:
    """The named attributes of a model as a plain dict, for before/after."""
    return {f: getattr(obj, f) for f in fields}
