"""Personal API tokens: made on the account page, kept only as a hash, sent as a bearer token, revocable."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from tests.api.conftest import assert_json_error, bearer, token_from_page

ENDPOINTS = ["/api/v1/me", "/api/v1/villages", "/api/v1/villages/{a1a}"]
ALERT_RE = re.compile(r'<div class="alert alert-(\w+)" role="alert">([^<]*)</div>')


def _create_on_page(c, name: str = "script") -> str:
    resp = c.post("/account", data={"tok-name": name, "tok-csrf_token": c.csrf})
    assert resp.status_code == 200, resp.status_code
    return token_from_page(resp.get_data(as_text=True))


def _token_row(app, token: str):
    from portal.accounts.models import ApiToken
    from portal.extensions import db

    with app.app_context():
        row = db.session.execute(select(ApiToken).where(ApiToken.prefix == token[:10])).scalar_one()
        db.session.expunge(row)
        db.session.remove()
    return row


def _alerts(html: str) -> list[tuple[str, str]]:
    return ALERT_RE.findall(html)


def test_token_made_on_the_account_page_authenticates_and_is_shown_once(world, login, api):
    c = login("clerk")
    token = _create_on_page(c, "nightly export")
    assert token.startswith("pt_") and len(token) > 30

    resp = api.get("/api/v1/me", headers=bearer(token))
    assert resp.status_code == 200
    assert resp.get_json()["username"] == "clerk"

    page = c.get("/account").get_data(as_text=True)
    assert token not in page, "the token must be shown only once, right after it is made"
    assert 'id="new-token"' not in page
    assert "nightly export" in page and token[:10] in page  # listed by name and prefix


def test_token_is_stored_only_as_a_hash(app, world, login):
    from portal.extensions import db

    c = login("reviewer")
    token = _create_on_page(c)

    with app.app_context():
        rows = db.session.execute(text("SELECT * FROM api_tokens")).mappings().all()
        assert len(rows) == 1
        row = rows[0]
        assert row["token_hash"] != token
        assert re.fullmatch(r"[0-9a-f]{64}", row["token_hash"]), row["token_hash"]
        for column, value in row.items():
            assert token not in str(value), f"api_tokens.{column} holds the token text"
        # Nor anywhere else (the audit log records the creation with the prefix only).
        for table in db.metadata.sorted_tables:
            for found in db.session.execute(table.select()).all():
                assert token not in repr(tuple(found)), f"{table.name} holds the token text"
        db.session.remove()


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_token_authenticates_every_endpoint(world, make_token, api, scheme):
    token = make_token("admin")
    for url in ENDPOINTS:
        resp = api.get(url.format(**world.ids), headers={"Authorization": f"{scheme} {token}"})
        assert resp.status_code == 200, (url, resp.status_code)
        assert resp.mimetype == "application/json"


@pytest.mark.parametrize("header", [
    None,
    "",
    "Bearer",
    "Bearer ",
    "Bearer garbage",
    "Bearer pt_" + "A" * 43,
    "Basic YWRtaW46VGVzdC1wYXNzd29yZC0x",
    "{token}",              # the right token without the scheme
    "Token {token}",        # the right token with another scheme
    "Bearer {token}x",      # one character too many
    "Bearer {token_head}",  # the stored prefix alone
])
def test_missing_or_wrong_token_is_401_with_json_error(world, make_token, api, header):
    token = make_token("admin")
    headers = {}
    if header is not None:
        headers["Authorization"] = header.format(token=token, token_head=token[:10])
    for url in ENDPOINTS:
        resp = api.get(url.format(**world.ids), headers=headers)
        assert_json_error(resp, 401, "unauthorized")


def test_revoked_token_is_401_and_other_tokens_keep_working(app, world, login, api):
    c = login("clerk")
    revoked = _create_on_page(c, "old")
    kept = _create_on_page(c, "new")
    assert api.get("/api/v1/me", headers=bearer(revoked)).status_code == 200

    row = _token_row(app, revoked)
    resp = c.post(f"/account/tokens/{row.id}/revoke")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account")
    assert _token_row(app, revoked).revoked_at is not None

    for url in ENDPOINTS:
        resp = api.get(url.format(**world.ids), headers=bearer(revoked))
        assert_json_error(resp, 401, "unauthorized")
    assert api.get("/api/v1/me", headers=bearer(kept)).status_code == 200


@pytest.mark.parametrize("other", ["clerk_b", "admin"])
def test_a_user_cannot_revoke_another_users_token(app, world, login, make_token, api, other):
    token = make_token("clerk")
    row = _token_row(app, token)
    c = login(other)
    assert token[:10] not in c.get("/account").get_data(as_text=True)

    resp = c.post(f"/account/tokens/{row.id}/revoke")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account")
    refused = _alerts(c.get("/account").get_data(as_text=True))
    assert refused and refused[0][0] == "danger", refused

    # Indistinguishable from a token id that does not exist: nothing leaks about the other user's token.
    c.post(f"/account/tokens/{row.id + 1000}/revoke")
    assert _alerts(c.get("/account").get_data(as_text=True)) == refused

    assert _token_row(app, token).revoked_at is None
    resp = api.get("/api/v1/me", headers=bearer(token))
    assert resp.status_code == 200 and resp.get_json()["username"] == "clerk"


def test_a_disabled_users_token_stops_working(app, world, login, make_token, api):
    from portal.accounts.models import User
    from portal.extensions import db

    token = make_token("clerk")
    assert api.get("/api/v1/me", headers=bearer(token)).status_code == 200

    admin = login("admin")
    with app.app_context():
        clerk_id = db.session.execute(select(User.id).where(User.username == "clerk")).scalar_one()
        db.session.remove()
    # The county admin disables the account on the user page (an unticked "active" box is not sent).
    resp = admin.post(f"/admin/users/{clerk_id}", data={
        "username": "clerk", "full_name": "测试clerk", "role": "village_clerk",
        "place": f"village:{world.ids['a1a']}", "locale": "zh_CN",
    })
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    with app.app_context():
        assert db.session.get(User, clerk_id).active is False
        db.session.remove()

    for url in ENDPOINTS:
        resp = api.get(url.format(**world.ids), headers=bearer(token))
        assert_json_error(resp, 401, "unauthorized")
