"""Server-side login sessions on top of Flask-Login.

The signed cookie holds only the session id; the `login_sessions` row decides whether it is still
alive. Logout and 30 idle minutes end the row, so a copied cookie dies with it, in every process.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, flash, request, session
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import update

from portal.accounts.models import LoginSession, User
from portal.accounts.rules import session_expired
from portal.core.types import utcnow
from portal.extensions import db

# Writing last_seen on every request would turn reads into writes; once a minute is enough.
TOUCH_EVERY = timedelta(seconds=60)


def start_session(user: User) -> LoginSession:
    """A fresh session at login: the old cookie content is dropped and a new id issued."""
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale
    row = LoginSession(
        id=secrets.token_urlsafe(32),
        user_id=user.id,
        remote_addr=(request.remote_addr or "")[:64],
        user_agent=(request.user_agent.string or "")[:255],
    )
    db.session.add(row)
    session["sid"] = row.id
    session.permanent = True
    return row


def end_session() -> None:
    """Logout: the row is ended and the cookie emptied."""
    sid = session.pop("sid", None)
    if sid:
        db.session.execute(
            update(LoginSession).where(LoginSession.id == sid, LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow())
        )
    session.clear()


def end_other_sessions(user_id: int, keep: str | None) -> None:
    """After a password change or reset, every other session of the user ends."""
    stmt = update(LoginSession).where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
    if keep:
        stmt = stmt.where(LoginSession.id != keep)
    db.session.execute(stmt.values(ended_at=utcnow()))


def _load_user(user_id: str) -> User | None:
    sid = session.get("sid")
    if not sid:
        return None
    row = db.session.get(LoginSession, sid)
    if row is None or row.ended_at is not None or str(row.user_id) != user_id:
        session.clear()
        return None
    now = utcnow()
    if session_expired(row.last_seen_at, now, current_app.config["IDLE_TIMEOUT"]):
        row.ended_at = now
        db.session.commit()
        session.clear()
        flash(_l("Your session ended after a period of inactivity. Please log in again."), "warning")
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return user


def init_login_manager(lm: LoginManager) -> None:
    lm.login_view = "accounts.login"
    lm.login_message = _l("Please log in to open this page.")
    lm.login_message_category = "info"
    lm.session_protection = None  # the server-side row is the protection
    lm.user_loader(_load_user)
