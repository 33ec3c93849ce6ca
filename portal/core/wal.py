"""SQLite's write-ahead log is checkpointed after a write request's answer has gone, not inside a clerk's save.

SQLite copies the WAL back into the database file (a checkpoint) at the commit that takes the log past
`wal_autocheckpoint` pages, inside whatever request made that commit: with the default of 1 000 pages
(4 MB) every fourth grid save paid ~150 ms for the three before it. Here each POST, PUT, PATCH or DELETE
checkpoints (PASSIVE: it never waits for, nor blocks, readers and writers) once its response has been sent,
so the next save starts from an empty log, and the autocheckpoint is raised to 4 000 pages (16 MB;
portal.extensions.WAL_AUTOCHECKPOINT_PAGES): a backstop for writers outside requests (CLI bulk loads) and
for moments when readers keep a checkpoint from finishing. PostgreSQL has no such pause: nothing is done there.
"""

from __future__ import annotations

import logging

from flask import Flask, request
from sqlalchemy.engine import Engine

from portal.extensions import db

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
log = logging.getLogger(__name__)


def checkpoint(engine: Engine) -> None:
    """One PASSIVE checkpoint of the engine's SQLite database (copies what no reader still needs)."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except Exception:  # the answer has gone; a failed checkpoint is retried by the next write or the backstop
        log.exception("WAL checkpoint failed")


def init_app(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    @app.after_request
    def _checkpoint_after_the_answer(response):
        if request.method in WRITES:
            engine = db.engine
            response.call_on_close(lambda: checkpoint(engine))
        return response
