"""Test fixtures: a real database (SQLite file, or PostgreSQL when PORTAL_TEST_DATABASE_URL is set),
migrated with the project's migrations, emptied after every test; a small two-county world; logins.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

# Property tests are judged on what they find, not on time: a loaded CI machine must not fail them by the clock.
hypothesis_settings.register_profile("portal", deadline=None)
hypothesis_settings.load_profile("portal")

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL", "")
PASSWORD = "Test-password-1"


def _compile_catalogues() -> None:
    """The catalogues are compiled by `make install`; compile them here too when pytest runs alone."""
    translations = ROOT / "portal" / "translations"
    if any(translations.glob("*/LC_MESSAGES/messages.po")) and not any(translations.glob("*/LC_MESSAGES/*.mo")):
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "compile", "-d",
                        str(translations)], check=True)


def _pg_database(worker: str) -> tuple[str, callable]:
    """A fresh PostgreSQL database for this test process, dropped at the end."""
    from portal.config import normalise_database_url

    base = make_url(normalise_database_url(PG_URL))
    name = f"{base.database}_{worker}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A test database needs no durability against a crash of the server (nothing here crashes it; the outage
        # tests end connections): without waiting for the disk on each commit the run spends its time on the tests.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    if PG_URL:
        url, drop = _pg_database(worker_id)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'portal.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The portal on a freshly migrated database (the migrations are exercised by every run)."""
    _compile_catalogues()
    os.environ.setdefault("PORTAL_INSTANCE_DIR", str(tmp_path_factory.mktemp("instance")))
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "AUDIT_KEY": "test-audit-key",
        "SESSION_COOKIE_SECURE": False,  # the test client and the browser tests speak plain HTTP
        "AUDIT_CHECKPOINT_DIR": str(tmp_path_factory.mktemp("audit-checkpoints")),
    })
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        from portal.extensions import db

        event.listen(db.engine, "before_cursor_execute", _note_writes)
    yield app
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


_WRITES = {"seen": False}


def _note_writes(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
        _WRITES["seen"] = True


@pytest.fixture(autouse=True)
def _clean_database(request, app):
    """Every test starts from an empty, migrated database with the audit head at genesis.

    Emptying is skipped after a test that wrote nothing (the pure rule tests). On PostgreSQL the tables are
    emptied by DELETE and their sequences set back to 1, not by TRUNCATE … RESTART IDENTITY: a test leaves a
    few rows, and TRUNCATE gives each of the tables new files, about a third of a second per test against a
    few milliseconds.
    """
    yield
    if not _WRITES["seen"]:
        return
    from portal.extensions import db

    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        from portal.core import audit_guard, audit_seal

        with db.engine.begin() as conn, audit_guard.maintenance(conn):  # the one sanctioned way past the guard
            for t in tables:
                conn.execute(db.metadata.tables[t].delete())
            if conn.dialect.name == "postgresql":
                sequences = conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"))
                restart = ", ".join(f"setval('\"{name}\"', 1, false)" for (name,) in sequences)
                if restart:
                    conn.execute(text(f"SELECT {restart}"))
            conn.execute(text("INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
        audit_seal.forget_checkpoints()  # the log starts again at genesis, so do its checkpoints
    _WRITES["seen"] = False


@pytest.fixture(autouse=True)
def _fresh_throttles(app):
    """Login throttles count per test: every test logs in from the same address (memory storage)."""
    yield
    from portal.extensions import limiter

    with app.app_context():
        limiter.reset()


@pytest.fixture
def ctx(app):
    """An application context for test code that reads or writes the database directly."""
    with app.app_context():
        yield
        from portal.extensions import db

        db.session.remove()


@dataclass
class World:
    """Two counties; county A has townships A1, A2 with villages A1a, A1b, A2a; county B one of each."""

    ids: dict[str, int] = field(default_factory=dict)
    users: dict[str, str] = field(default_factory=dict)  # key -> username
    people: dict[str, int] = field(default_factory=dict)


def build_world(app) -> World:
    from portal.accounts.models import User
    from portal.accounts.service import hash_password
    from portal.extensions import db
    from portal.places.models import County, Township, Village
    from portal.registry.models import Household, Person

    w = World()
    with app.app_context():
        pw = hash_password(PASSWORD)
        ca = County(code="422825000000", name="云溪县")
        cb = County(code="422823000000", name="远山县")
        a1 = Township(county=ca, code="422825101000", name="白石镇")
        a2 = Township(county=ca, code="422825102000", name="柳河乡")
        b1 = Township(county=cb, code="422823101000", name="北岭镇")
        a1a = Village(township=a1, code="422825101201", name="青竹村")
        a1b = Village(township=a1, code="422825101202", name="石门村")
        a2a = Village(township=a2, code="422825102201", name="柳岸村")
        b1a = Village(township=b1, code="422823101201", name="北坡村")
        db.session.add_all([ca, cb, a1, a2, b1, a1a, a1b, a2a, b1a])
        db.session.flush()
        for key, obj in dict(ca=ca, cb=cb, a1=a1, a2=a2, b1=b1, a1a=a1a, a1b=a1b, a2a=a2a, b1a=b1a).items():
            w.ids[key] = obj.id
        specs = {
            "admin": ("county_admin", dict(county_id=ca.id)),
            "auditor": ("county_auditor", dict(county_id=ca.id)),
            "reviewer": ("township_reviewer", dict(township_id=a1.id)),
            "reviewer2": ("township_reviewer", dict(township_id=a1.id)),
            "clerk": ("village_clerk", dict(village_id=a1a.id)),
            "clerk_b": ("village_clerk", dict(village_id=a1b.id)),
            "admin_b": ("county_admin", dict(county_id=cb.id)),
        }
        for key, (role, place) in specs.items():
            u = User(username=key, full_name=f"测试{key}", password_hash=pw, role=role, locale="zh_CN",
                     active=True, failed_logins=0, must_change_password=False, **place)
            db.session.add(u)
            w.users[key] = key
        for key, village in (("p_a1a", a1a), ("p_a1b", a1b), ("p_b1a", b1a)):
            hh = Household(village_id=village.id, number=f"H-{key}", category="lifted")
            db.session.add(hh)
            db.session.flush()
            from datetime import date

            from portal.registry.rules import with_check_digit

            number = with_check_digit(f"422825{1970 + len(w.people)}0101" + "12" + str(len(w.people) % 10))
            p = Person(household_id=hh.id, village_id=village.id, name=f"测试人{key}", id_number=number,
                       birth_date=date(1970 + len(w.people), 1, 1), sex="M", relation_to_head="head",
                       labour_capacity="full", employment_status="unemployed")
            db.session.add(p)
            db.session.flush()
            w.people[key] = p.id
        db.session.commit()
    return w


@pytest.fixture
def world(app) -> World:
    return build_world(app)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


class PortalClient:
    """The Flask test client plus the session's CSRF token, as a browser would have it."""

    def __init__(self, client):
        self.http = client
        self.csrf = ""

    def get(self, url, **kw):
        return self.http.get(url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf)
        return self.http.post(url, data=data, **kw)

    def login(self, username, password=PASSWORD):
        page = self.http.get("/login")
        token = csrf_from(page.get_data(as_text=True))
        resp = self.http.post("/login", data={"csrf_token": token, "username": username, "password": password})
        if resp.status_code == 302:
            home = self.http.get("/account")
            self.csrf = csrf_from(home.get_data(as_text=True))
        return resp


@pytest.fixture
def client(app) -> PortalClient:
    return PortalClient(app.test_client())


@pytest.fixture
def login(app):
    """login("clerk") -> a PortalClient logged in as that user."""

    def _login(username: str) -> PortalClient:
        c = PortalClient(app.test_client())
        resp = c.login(username)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return c

    return _login
