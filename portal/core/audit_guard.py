"""The database refuses UPDATE and DELETE on the audit log (and TRUNCATE on PostgreSQL), by triggers.

The migration installs them; `maintenance()` is the one sanctioned way around them, for the test suite's
cleanup between tests (and a county's archiving, should it ever need one): on PostgreSQL it sets the
transaction-local setting `portal.audit_maintenance` that the trigger function lets through; SQLite has no
session settings, so the triggers are dropped inside the transaction and created again before it commits.
Whoever owns the database can still drop the triggers: that is what the keyed chain and the checkpoints
outside the database catch (auditlog.verify_chain).
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import text

SQLITE_CREATE = (
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
)
SQLITE_DROP = ("DROP TRIGGER IF EXISTS audit_log_no_update", "DROP TRIGGER IF EXISTS audit_log_no_delete")
POSTGRES_CREATE = (
    """CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
    BEGIN
        IF coalesce(current_setting('portal.audit_maintenance', true), '') = 'on' THEN
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)
POSTGRES_DROP = ("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log",
                 "DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log",
                 "DROP FUNCTION IF EXISTS audit_log_append_only()")


def create_statements(dialect: str) -> tuple[str, ...]:
    return POSTGRES_CREATE if dialect == "postgresql" else SQLITE_CREATE


def drop_statements(dialect: str) -> tuple[str, ...]:
    return POSTGRES_DROP if dialect == "postgresql" else SQLITE_DROP


@contextmanager
def maintenance(conn):
    """Inside this block (one transaction of `conn`) the audit log may be changed; the guard is back after it."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SET LOCAL portal.audit_maintenance = 'on'"))
        yield
        conn.execute(text("SET LOCAL portal.audit_maintenance = 'off'"))
        return
    for sql in SQLITE_DROP:
        conn.execute(text(sql))
    yield
    for sql in SQLITE_CREATE:
        conn.execute(text(sql))
