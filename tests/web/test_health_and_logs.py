"""/healthz, the one-line access log with a request id, and errors a clerk can quote by that id."""

from __future__ import annotations

import logging
import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from portal.extensions import db

REQUEST_LINE = re.compile(r"^request_id=([0-9a-f]{16}) user=(\S+) method=(\S+) path=(\S+) status=(\d{3}) ms=\d+\.\d$")


def _lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "portal.requests"]


def test_healthz_answers_ok_without_login_when_the_schema_is_at_the_head(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok"}


def test_healthz_is_503_without_details_when_the_schema_is_not_at_the_head(app, client):
    with app.app_context():
        revision = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = 'an_old_one'"))
        db.session.commit()
    try:
        resp = client.get("/healthz")
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
            db.session.commit()
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "unavailable"}
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("where", ["sqlite", "postgresql"])
def test_healthz_is_503_when_the_database_cannot_be_reached(tmp_path, where):
    from portal import create_app

    url = (f"sqlite:///{tmp_path / 'no' / 'such' / 'dir.db'}" if where == "sqlite"
           else "postgresql://postgres@127.0.0.1:1/stopped?connect_timeout=2")  # nothing listens on port 1
    gone = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    resp = gone.test_client().get("/healthz")
    with gone.app_context():
        db.engine.dispose()
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "unavailable"}
    assert where not in resp.get_data(as_text=True).lower()


def test_one_line_per_request_with_id_user_status_and_time_but_no_personal_data(app, world, login, caplog):
    from portal.accounts.models import User

    clerk = login("clerk")
    with app.app_context():
        clerk_id = db.session.scalar(db.select(User.id).where(User.username == "clerk"))
    caplog.clear()
    caplog.set_level(logging.INFO, logger="portal.requests")
    resp = clerk.get("/registry/?q=测试人p_a1a&village_id=1")
    assert resp.status_code == 200
    lines = _lines(caplog)
    assert len(lines) == 1, lines
    found = REQUEST_LINE.match(lines[0])
    assert found, lines[0]
    assert found.group(1) == resp.headers["X-Request-Id"]
    assert found.groups()[1:5] == (str(clerk_id), "GET", "/registry/", "200")
    assert "测试人" not in lines[0] and "clerk" not in lines[0] and "q=" not in lines[0]
    # anonymous requests carry "-" as the user, and every request has its own id
    caplog.clear()
    first, second = app.test_client().get("/healthz"), app.test_client().get("/healthz")
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    assert [REQUEST_LINE.match(line).group(2) for line in _lines(caplog)] == ["-", "-"]


@pytest.fixture
def fragile_app(database_url, tmp_path):
    """A second app on the same database with routes that fail, as production would (no propagation)."""
    from portal import create_app

    fragile = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database_url,
                          "PROPAGATE_EXCEPTIONS": False, "WTF_CSRF_ENABLED": False})

    def boom():
        raise RuntimeError("a bug with secret 1234")

    def db_gone():
        raise OperationalError("SELECT 1", {}, ConnectionError("server closed the connection unexpectedly"))

    fragile.add_url_rule("/boom", "boom", boom)
    fragile.add_url_rule("/gone", "gone", db_gone)
    fragile.add_url_rule("/api/v1/gone", "api_gone", db_gone)
    yield fragile
    with fragile.app_context():
        db.engine.dispose()


def test_an_unexpected_error_logs_its_traceback_with_the_id_shown_on_the_page(fragile_app, caplog):
    caplog.set_level(logging.INFO, logger="portal.requests")
    resp = fragile_app.test_client().get("/boom?name=x")
    assert resp.status_code == 500
    request_id = resp.headers["X-Request-Id"]
    page = resp.get_data(as_text=True)
    assert request_id in page
    assert "Traceback" not in page and "1234" not in page
    errors = [r for r in caplog.records if r.name == "portal.requests" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert request_id in errors[0].getMessage() and "name=x" not in errors[0].getMessage()
    assert errors[0].exc_info and errors[0].exc_info[0] is RuntimeError
    assert any(request_id in line and " status=500 " in line for line in _lines(caplog))


def test_a_database_that_went_away_answers_please_retry_not_a_traceback(fragile_app, caplog):
    caplog.set_level(logging.INFO, logger="portal.requests")
    http = fragile_app.test_client()
    page = http.get("/gone")
    assert page.status_code == 503
    assert page.headers["Retry-After"].isdigit()
    text_ = page.get_data(as_text=True)
    assert page.headers["X-Request-Id"] in text_ and "Traceback" not in text_ and "server closed" not in text_
    api = http.get("/api/v1/gone")
    assert api.status_code == 503 and api.headers["Retry-After"].isdigit()
    body = api.get_json()["error"]
    assert body["code"] == "database_unavailable" and body["request_id"] == api.headers["X-Request-Id"]
    assert "server closed" not in api.get_data(as_text=True)
