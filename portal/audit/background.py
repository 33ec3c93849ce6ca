"""Running the audit from a page: the run is opened in the request (so a second run, a bad period or a wrong
role is refused at once) and executed in a background thread with its own app context and database session,
while the page polls its progress.

With `AUDIT_RUN_INLINE` set (by default whenever `TESTING` is), the run executes inside the request instead,
so tests are deterministic.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app

from portal.accounts.models import User
from portal.audit import runs
from portal.audit.models import AuditRun
from portal.audit.rules import Month
from portal.extensions import db


def runs_inline() -> bool:
    flag = current_app.config.get("AUDIT_RUN_INLINE")
    return bool(current_app.config.get("TESTING")) if flag is None else bool(flag)


def start(user, first: Month, last: Month, codes: list[str] | None) -> AuditRun:
    """Open a run (Conflict, RuleViolation or NotAllowed as the service says) and set it going."""
    run = runs.start_run(user, first, last, codes)
    if runs_inline():
        try:
            runs.execute_run(user, run.id)
        except Exception:  # the service has marked the run failed with the error; the run page shows it
            current_app.logger.exception("audit run %s failed", run.id)
        return run
    app = current_app._get_current_object()
    threading.Thread(target=_execute, args=(app, user.id, run.id), name=f"audit-run-{run.id}", daemon=True).start()
    return run


def _execute(app: Flask, user_id: int, run_id: int) -> None:
    with app.app_context():
        try:
            runs.execute_run(db.session.get(User, user_id), run_id)
        except Exception:  # marked failed by the service; nothing else to do in a thread
            app.logger.exception("audit run %s failed", run_id)
        finally:
            db.session.remove()
