"""Backups the county can restore: a consistent copy taken while the portal serves, with a manifest.

SQLite is copied with its online backup API (one consistent snapshot, writers keep working); PostgreSQL
with `pg_dump -Fc` inside an exported snapshot, so the manifest's counts are those of the dump. The
manifest (`<file>.json`) holds the row count of every table, the audit chain's last row (seq and hash),
the alembic revision and the time. `restore` only fills an empty database; `check` restores into a
scratch database (a temporary SQLite file or a temporary PostgreSQL database, dropped after) and verifies
the counts and the audit chain through auditlog.verify_chain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from glob import glob
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, make_url

from portal.config import normalise_database_url

SQLITE_MAGIC, PGDUMP_MAGIC = b"SQLite format 3\x00", b"PGDMP"


class BackupError(Exception):
    """A backup, restore or check that cannot go on; the message says why."""


@dataclass
class Manifest:
    kind: str  # "sqlite" or "pg_dump"
    file: str
    created_at: str
    alembic_revision: str | None
    tables: dict[str, int]
    audit_seq: int
    audit_hash: str
    sha256: str = ""

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__, indent=2, sort_keys=True) + "\n")

    @classmethod
    def read(cls, backup: Path) -> Manifest:
        path = manifest_path(backup)
        if not path.exists():
            raise BackupError(f"no manifest next to the backup: {path}")
        return cls(**json.loads(path.read_text()))


@dataclass
class CheckResult:
    ok: bool
    problems: list[str] = field(default_factory=list)
    audit_rows: int = 0


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _facts(conn: Connection) -> tuple[dict[str, int], str | None, int, str]:
    """Row counts of every table, the alembic revision and the audit chain's last row, read on `conn`."""
    names = sorted(inspect(conn).get_table_names())
    tables = {n: conn.execute(text(f"SELECT count(*) FROM {_quote(n)}")).scalar_one() for n in names}  # noqa: S608
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if "alembic_version" in tables \
        else None
    last = conn.execute(text("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")).first() \
        if "audit_log" in tables else None
    return tables, revision, (last[0] if last else 0), (last[1] if last else "")


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%SZ")


# ---- tools ------------------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on the PATH, else the newest PostgreSQL bin directory."""
    found = shutil.which(name) or next(iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return found


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password (that goes in PGPASSWORD, not on a command line)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return url.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _url(value: str | URL) -> URL:
    return make_url(normalise_database_url(str(value))) if isinstance(value, str) else value


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


# ---- backup -----------------------------------------------------------------------------------------


def backup(database_url: str | URL, out_dir: Path) -> tuple[Path, Manifest]:
    """Write a consistent copy of the database and its manifest into out_dir; return both."""
    url, now = _url(database_url), _now()
    out_dir.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        target = out_dir / f"portal-{_stamp(now)}.sqlite"
        _sqlite_backup(_sqlite_file(url), target)
        engine = create_engine(f"sqlite:///{target}")
        try:
            with engine.connect() as conn:
                tables, revision, seq, last_hash = _facts(conn)
        finally:
            engine.dispose()
        kind = "sqlite"
    elif url.get_backend_name() == "postgresql":
        target = out_dir / f"portal-{_stamp(now)}.dump"
        tables, revision, seq, last_hash = _pg_backup(url, target)
        kind = "pg_dump"
    else:
        raise BackupError(f"cannot back up a {url.get_backend_name()} database")
    manifest = Manifest(kind, target.name, now.isoformat(timespec="seconds"), revision, tables, seq, last_hash,
                        _sha256(target))
    manifest.write(manifest_path(target))
    return target, manifest


def _sqlite_backup(source: Path, target: Path) -> None:
    if not source.exists():
        raise BackupError(f"no database file at {source}")
    partial = target.with_name(target.name + ".partial")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        src.backup(dst)  # all pages in one step: one consistent snapshot; writers are not stopped
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        dst.commit()
    finally:
        dst.close()
        src.close()
    partial.replace(target)


def _pg_backup(url: URL, target: Path) -> tuple[dict[str, int], str | None, int, str]:
    """pg_dump inside a snapshot exported by our own repeatable-read transaction: the counts we read in
    that transaction are exactly the dump's."""
    engine = create_engine(url, isolation_level="REPEATABLE READ")
    partial = target.with_name(target.name + ".partial")
    try:
        with engine.connect() as conn:
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            facts = _facts(conn)
            uri, env = _libpq(url)
            command = [pg_tool("pg_dump"), "-Fc", "--no-owner", "--no-acl", f"--snapshot={snapshot}",
                       "-f", str(partial), uri]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
            conn.rollback()
    finally:
        engine.dispose()
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    partial.replace(target)
    return facts


# ---- restore ----------------------------------------------------------------------------------------


def _kind_of(backup_file: Path) -> str:
    with backup_file.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "pg_dump"
    raise BackupError(f"{backup_file} is neither a SQLite backup nor a pg_dump custom-format file")


def _is_empty(url: URL) -> bool:
    if url.get_backend_name() == "sqlite":
        path = _sqlite_file(url)
        if not path.exists() or path.stat().st_size == 0:
            return True
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return not inspect(conn).get_table_names()
    finally:
        engine.dispose()


def restore(backup_file: Path, into: str | URL) -> Manifest:
    """Restore a backup into an empty database (a non-empty one is refused) and check its row counts."""
    url, kind = _url(into), _kind_of(backup_file)
    manifest = Manifest.read(backup_file)
    if manifest.sha256 and _sha256(backup_file) != manifest.sha256:
        raise BackupError("the backup file does not match its manifest (sha256 differs)")
    wanted = "sqlite" if kind == "sqlite" else "postgresql"
    if url.get_backend_name() != wanted:
        raise BackupError(f"a {kind} backup restores into a {wanted} database, not {url.get_backend_name()}")
    if not _is_empty(url):
        raise BackupError("the target database is not empty: restore only into a new, empty database")
    if kind == "sqlite":
        src = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        dst = sqlite3.connect(_sqlite_file(url))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
            dst.commit()
        finally:
            dst.close()
            src.close()
    else:
        uri, env = _libpq(url)
        command = [pg_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
                   "-d", uri, str(backup_file)]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
    problems = compare(url, manifest)
    if problems:
        raise BackupError("restored, but it differs from the manifest: " + "; ".join(problems))
    return manifest


def compare(url: URL, manifest: Manifest) -> list[str]:
    """What in the database differs from the manifest (tables, counts, revision, audit head)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables, revision, seq, last_hash = _facts(conn)
    finally:
        engine.dispose()
    problems = [f"{name}: {tables.get(name)} rows, the manifest says {count}"
                for name, count in sorted(manifest.tables.items()) if tables.get(name) != count]
    problems += [f"{name}: not in the manifest" for name in sorted(set(tables) - set(manifest.tables))]
    if revision != manifest.alembic_revision:
        problems.append(f"schema revision {revision}, the manifest says {manifest.alembic_revision}")
    if (seq, last_hash) != (manifest.audit_seq, manifest.audit_hash):
        problems.append(f"audit chain ends at seq {seq}, the manifest says {manifest.audit_seq}")
    return problems


# ---- check ------------------------------------------------------------------------------------------


@contextmanager
def scratch_database(kind: str, server: str | URL | None) -> Iterator[URL]:
    """An empty database to restore into, removed afterwards: a temporary SQLite file, or a temporary
    PostgreSQL database on the same server as `server`."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="portal-check-") as tmp:
            yield make_url(f"sqlite:///{Path(tmp) / 'check.db'}")
        return
    base = _url(server) if server else None
    if base is None or base.get_backend_name() != "postgresql":
        raise BackupError("checking a pg_dump backup needs a PostgreSQL server: run it with PORTAL_DATABASE_URL "
                          "set to one, or pass --server")
    name = f"portal_check_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield base.set(database=name)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def check(backup_file: Path, server: str | URL | None = None) -> CheckResult:
    """Restore the backup into a scratch database; verify its counts against the manifest and its audit chain."""
    kind = _kind_of(backup_file)
    with scratch_database(kind, server) as url:
        try:
            restore(backup_file, url)
        except BackupError as err:
            return CheckResult(False, [str(err)])
        verified = _verify_chain_in(url)
    if not verified.ok:
        return CheckResult(False, [f"audit chain broken at seq {verified.broken_seq} ({verified.reason})"],
                           verified.rows)
    return CheckResult(True, [], verified.rows)


def _verify_chain_in(url: URL):
    """auditlog.verify_chain, run by a bare Flask app (the database and the portal's settings, no feature) bound to
    the restored database: the kernel does not build the whole portal."""
    from flask import Flask, current_app, has_app_context

    from portal.config import build_config
    from portal.core.auditlog import verify_chain
    from portal.extensions import db

    # the running portal's settings (its keys verify the chain), bound to the scratch database
    settings = {k: v for k, v in current_app.config.items() if k.isupper()} if has_app_context() else {}
    settings["SQLALCHEMY_DATABASE_URI"] = url.render_as_string(hide_password=False)
    settings.setdefault("SECRET_KEY", "")
    app = Flask(__name__)
    app.config.from_mapping(build_config(settings))
    db.init_app(app)
    with app.app_context():
        try:
            return verify_chain()
        finally:
            db.session.remove()
            db.engine.dispose()
