"""Helpers for the JSON API tests: tokens (through the page or the service), bearer clients, error checks."""

from __future__ import annotations

import re
from html import unescape

import pytest

NEW_TOKEN_RE = re.compile(r'<code[^>]*id="new-token"[^>]*>([^<]+)</code>')


def bearer(token: str) -> dict[str, str]:
    # identity: the fuzzer's WSGI transport hands back the body as sent and cannot undo zstd or brotli
    return {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}


def assert_json_error(resp, status: int, code: str | None = None) -> dict:
    """The response is `status` with the API's JSON error shape; returns the inner error object."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    assert resp.mimetype == "application/json", resp.headers.get("Content-Type")
    body = resp.get_json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    err = body["error"]
    assert isinstance(err.get("code"), str) and err["code"], body
    assert isinstance(err.get("message"), str) and err["message"], body
    if code is not None:
        assert err["code"] == code, body
    if status == 401:
        assert resp.headers.get("WWW-Authenticate", "").startswith("Bearer"), dict(resp.headers)
    return err


def token_from_page(html: str) -> str:
    m = NEW_TOKEN_RE.search(html)
    assert m, "the new token is not shown in #new-token"
    return unescape(m.group(1)).strip()


@pytest.fixture
def make_token(app):
    """make_token("clerk") -> a new API token of that user, made with the account service."""

    def _make(username: str, name: str = "test") -> str:
        from sqlalchemy import select

        from portal.accounts.models import User
        from portal.accounts.service import create_token
        from portal.extensions import db

        with app.app_context():
            user = db.session.execute(select(User).where(User.username == username)).scalar_one()
            token = create_token(user, name)
            db.session.remove()
        return token

    return _make


@pytest.fixture
def api(app):
    """A bare test client (no session cookie) for bearer-token requests."""
    return app.test_client()
