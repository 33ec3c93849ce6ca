"""`/healthz` for the reverse proxy and monitoring: is the database answering, at the migration head?

No login, and no details: 200 {"status": "ok"} or 503 {"status": "unavailable"} — an attacker learns
nothing about the database, its version or the schema from it. The reason is logged for the operator.
"""

from __future__ import annotations

import logging
from functools import cache

from flask import Flask, current_app, jsonify
from sqlalchemy import text

log = logging.getLogger("portal.health")


@cache
def _heads(directory: str) -> frozenset[str]:
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory(directory).get_heads())


def migration_heads() -> frozenset[str]:
    """The revisions the code expects the database to be at (read once from migrations/)."""
    return _heads(current_app.extensions["migrate"].directory)


def database_state() -> str:
    """"ok", or why not ("unreachable", "behind"): for the log and the CLI, not for the HTTP answer."""
    from portal.extensions import db

    try:
        with db.engine.connect() as conn:
            revisions = set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception as err:
        log.warning("health: database unreachable or unmigrated: %s", type(err).__name__)
        return "unreachable"
    if revisions != set(migration_heads()):
        log.warning("health: schema at %s, code expects %s", sorted(revisions), sorted(migration_heads()))
        return "behind"
    return "ok"


def healthz():
    if database_state() == "ok":
        return jsonify(status="ok")
    response = jsonify(status="unavailable")
    response.status_code = 503
    response.headers["Retry-After"] = "10"
    return response


def init_app(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
