"""Compare-and-set state changes: one UPDATE guarded by the state that was read, so of two requests racing
for the same move exactly one succeeds (design habit 8), on SQLite and PostgreSQL alike."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from portal.core.errors import Conflict
from portal.extensions import db


def compare_and_set(model, obj, new_state: str, *, message: str | None = None, **values) -> None:
    """Move `obj` from the state we read to `new_state` (with `values`), or roll back and raise Conflict."""
    result = db.session.execute(update(model).where(model.id == obj.id, model.state == obj.state)
                                .values(state=str(new_state), **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(message or _("Someone else changed this record just now. Reload and try again."))
    db.session.expire(obj)
