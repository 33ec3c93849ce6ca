"""Flask extensions, created unbound and initialised in create_app()."""

from __future__ import annotations

import sqlite3

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic's batch mode (SQLite) and PostgreSQL in step.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF check of every unsafe request, reading the token as responses carry it: masked afresh
    each time (portal.core.csrf_mask, against BREACH). The unmasking is installed with the masking, by
    portal.core.compression.init_app (the kernel reads the extensions, never the reverse)."""

    unmask = staticmethod(lambda value: value)

    def _get_csrf_token(self):
        return self.unmask(super()._get_csrf_token())


csrf = MaskedCSRFProtect()
compress = Compress()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)  # storage from RATELIMIT_STORAGE_URI


WAL_AUTOCHECKPOINT_PAGES = 4000  # 16 MB: a backstop (see portal.core.wal)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite as a real database: WAL, a busy timeout instead of instant 'locked', foreign keys; the WAL's
    autocheckpoint only as a backstop (write requests checkpoint after their answer: portal.core.wal)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
        cur.close()
