"""The append-only, hash-chained audit log.

Every write of the portal records one row here inside the same transaction. Each row carries the
SHA-256 of its own content and the previous row's hash; a single-row head table is updated first, so
concurrent writers queue on its row lock (PostgreSQL) or the write lock (SQLite) and the chain never
forks. `verify_chain()` walks the rows and names the first one that does not fit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Integer, String, Text, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.types import UTCDateTime, utcnow
from portal.extensions import db

GENESIS = "0" * 64


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

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


def canonical(data: Any) -> str:
    """Stable JSON text: sorted keys, no spaces, Chinese kept readable."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def _ts_text(ts: datetime) -> str:
    return ts.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def row_hash(
    seq: int, ts: datetime, actor_id: int | None, actor_name: str, action: str,
    entity_type: str, entity_id: str, before: str, after: str, prev_hash: str,
) -> str:
    """The SHA-256 of a row's content and its predecessor's hash."""
    parts = [str(seq), _ts_text(ts), str(actor_id or ""), actor_name, action, entity_type, entity_id,
             before, after, prev_hash]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


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
    rows = []
    for ch in changes:
        seq += 1
        before = canonical(ch.before) if ch.before is not None else ""
        after = canonical(ch.after) if ch.after is not None else ""
        h = row_hash(seq, now, actor_id, actor_name, ch.action, ch.entity_type, ch.entity_id,
                     before, after, prev)
        rows.append({"seq": seq, "ts": now, "actor_id": actor_id, "actor_name": actor_name, "action": ch.action,
                     "entity_type": ch.entity_type, "entity_id": ch.entity_id, "before": before, "after": after,
                     "prev_hash": prev, "hash": h})
        prev = h
    # A Core bulk insert: a 20 000-row ledger import writes 20 000 audit rows without building ORM objects.
    db.session.execute(insert(AuditEntry.__table__), rows)
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, last_hash=prev))
    db.session.expire(head)
    return [Written(row["seq"], row["hash"], row["after"]) for row in rows]


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    rows: int
    broken_seq: int | None = None
    reason: str = ""


def verify_chain(batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first row whose hash, link or sequence is wrong."""
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
            h = row_hash(r.seq, r.ts, r.actor_id, r.actor_name, r.action, r.entity_type, r.entity_id,
                         r.before, r.after, r.prev_hash)
            if h != r.hash:
                return VerifyResult(False, count, r.seq, "hash")
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
