"""What keeps the audit chain honest against someone who can write the database: a key and checkpoints
that live outside it.

- The chain is keyed: each row's hash is an HMAC-SHA256 under AUDIT_KEY (PORTAL_AUDIT_KEY, else a key
  generated once into instance/audit_key). Without the key nobody can recompute the hashes after editing a row.
- Signed checkpoints: the row count and the head hash, signed with the same key, appended as a JSON line to
  AUDIT_CHECKPOINT_DIR/checkpoints.jsonl (PORTAL_AUDIT_CHECKPOINT_DIR) by `flask audit-checkpoint` (schedule
  it) and by every verification that finds the chain whole. Deleting the last rows and resetting the head,
  which leaves a shorter chain that is whole, no longer passes: a checkpoint names a row that is gone or
  differs. Copy the file off the machine (or point the directory at write-once storage) to keep it out of an
  intruder's reach.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from portal.core.types import utcnow

FILE = "checkpoints.jsonl"


def key() -> bytes:
    """The chain's HMAC key (never stored in the database)."""
    value = current_app.config.get("AUDIT_KEY") or ""
    if not value:
        raise RuntimeError("AUDIT_KEY is not configured")
    return value.encode() if isinstance(value, str) else value


def mac(text: str, secret: bytes | None = None) -> str:
    return hmac.new(secret or key(), text.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    valid: bool  # the signature checks out


def _path() -> Path:
    return Path(current_app.config["AUDIT_CHECKPOINT_DIR"]) / FILE


def _payload(seq: int, head: str, at: str) -> str:
    return f"audit-checkpoint\x1f{seq}\x1f{head}\x1f{at}"


def write_checkpoint(seq: int, head: str) -> Checkpoint:
    """Append a signed checkpoint (row count = last seq, head hash) to the file outside the database."""
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    at = utcnow().isoformat()
    line = json.dumps({"seq": seq, "hash": head, "at": at, "sig": mac(_payload(seq, head, at))})
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())
    return Checkpoint(seq, head, at, True)


def checkpoints() -> list[Checkpoint]:
    """Every checkpoint written, with whether its signature holds (a forged or edited line does not)."""
    path = _path()
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
            seq, head, at = int(data["seq"]), str(data["hash"]), str(data["at"])
            valid = hmac.compare_digest(str(data["sig"]), mac(_payload(seq, head, at)))
        except (ValueError, KeyError, TypeError):
            found.append(Checkpoint(-1, "", "", False))
            continue
        found.append(Checkpoint(seq, head, at, valid))
    return found


def forget_checkpoints() -> None:
    """Remove the checkpoints (the test suite, which empties the database between tests)."""
    _path().unlink(missing_ok=True)
