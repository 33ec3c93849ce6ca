"""Login, logout, sessions, idle timeout, lockout, CSRF, security headers."""

from datetime import timedelta

from sqlalchemy import select, update

from portal.accounts.models import LoginSession, User
from portal.core.types import utcnow
from portal.extensions import db
from tests.conftest import PASSWORD, PortalClient, csrf_from


def test_login_lands_on_home_and_logout_ends_the_session(world, login, app):
    c = login("clerk")
    assert c.get("/").status_code == 200
    cookie = c.http.get_cookie("portal_session").value
    resp = c.post("/logout")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/login")
    assert c.get("/").status_code == 302
    # Replaying the old cookie does not bring the session back: the server-side row has ended.
    replay = app.test_client()
    replay.set_cookie("portal_session", cookie)
    assert replay.get("/").status_code == 302
    with app.app_context():
        assert db.session.execute(select(LoginSession.ended_at)).scalar_one() is not None


def test_a_new_session_at_login(world, app):
    c = PortalClient(app.test_client())
    c.http.get("/login")
    before = c.http.get_cookie("portal_session")
    c.login("clerk")
    after = c.http.get_cookie("portal_session")
    assert before is None or before.value != after.value
    c2 = PortalClient(app.test_client())
    c2.login("clerk")
    with app.app_context():
        assert len(db.session.execute(select(LoginSession.id)).all()) == 2


def test_wrong_password_is_refused_with_a_message(world, client):
    resp = client.login("clerk", "wrong-password-1")
    assert resp.status_code == 200
    assert "用户名或密码错误。" in resp.get_data(as_text=True)
    # Unknown users get the same answer (no account enumeration).
    resp = client.login("nobody", "wrong-password-1")
    assert resp.status_code == 200 and "用户名或密码错误。" in resp.get_data(as_text=True)


def test_thirty_idle_minutes_end_the_session(world, login, app):
    c = login("clerk")
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=30, seconds=1)))
        db.session.commit()
    resp = c.get("/")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert "长时间未操作" in c.get(resp.headers["Location"]).get_data(as_text=True)


def test_twenty_nine_idle_minutes_do_not(world, login, app):
    c = login("clerk")
    with app.app_context():
        db.session.execute(update(LoginSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
        db.session.commit()
    assert c.get("/").status_code == 200


def test_failures_no_longer_lock_the_account_for_everyone(world, app):
    """An attacker's ten wrong passwords throttle the attacker's address (test_login_hardening), not the clerk."""
    for _ in range(10):
        PortalClient(app.test_client()).login("clerk", "wrong-password-1")
    other = PortalClient(app.test_client())
    other.http.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert other.login("clerk", PASSWORD).status_code == 302


def test_a_success_resets_the_failure_count(world, app, client):
    for _ in range(5):
        client.login("clerk", "wrong-password-1")
    assert client.login("clerk", PASSWORD).status_code == 302
    with app.app_context():
        assert db.session.execute(select(User.failed_logins).where(User.username == "clerk")).scalar() == 0


def test_forms_without_csrf_token_are_refused(world, login):
    c = login("admin")
    resp = c.http.post("/places/new", data={"code": "422825103000", "name": "新镇"})
    assert resp.status_code == 400  # a page that says to reload and try again, not a redirect
    assert "表单已过期或来源不明" in resp.get_data(as_text=True)
    assert "新镇" not in c.get("/places/").get_data(as_text=True)
    assert c.post("/places/new", data={"code": "422825103000", "name": "新镇"}).status_code == 302
    assert "新镇" in c.get("/places/").get_data(as_text=True)
    anon = c.http.application.test_client()
    resp = anon.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert resp.status_code == 400  # no session without a token
    assert anon.get("/").status_code == 302


def test_security_headers_on_every_page(world, login, client):
    for resp in (client.get("/login"), login("clerk").get("/")):
        h = resp.headers
        assert "default-src 'self'" in h["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in h["Content-Security-Policy"]
        assert h["X-Content-Type-Options"] == "nosniff"
        assert h["Referrer-Policy"] == "same-origin"
        assert h["X-Frame-Options"] == "DENY"


def test_session_cookie_is_httponly_and_samesite(world, client):
    client.http.get("/login")
    page = client.http.get("/login")
    token = csrf_from(page.get_data(as_text=True))
    resp = client.http.post("/login", data={"csrf_token": token, "username": "clerk", "password": PASSWORD})
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_next_parameter_only_goes_to_local_pages(world, app):
    c = PortalClient(app.test_client())
    page = c.http.get("/login?next=https://evil.example/")
    token = csrf_from(page.get_data(as_text=True))
    resp = c.http.post("/login?next=https://evil.example/",
                       data={"csrf_token": token, "username": "clerk", "password": PASSWORD})
    assert resp.headers["Location"] == "/"
    c2 = PortalClient(app.test_client())
    page = c2.http.get("/login?next=/places/")
    token = csrf_from(page.get_data(as_text=True))
    resp = c2.http.post("/login?next=/places/", data={"csrf_token": token, "username": "clerk", "password": PASSWORD})
    assert resp.headers["Location"] == "/places/"


def test_everyone_changes_their_own_password_and_other_sessions_end(world, login, app):
    c, other = login("reviewer"), login("reviewer")
    page = c.get("/account").get_data(as_text=True)
    assert "pw-current_password" in page
    resp = c.post("/account", data={"pw-csrf_token": c.csrf, "pw-current_password": PASSWORD,
                                    "pw-new_password": "short1", "pw-confirm": "short1"})
    assert resp.status_code == 200 and "至少 10 位" in resp.get_data(as_text=True)
    resp = c.post("/account", data={"pw-csrf_token": c.csrf, "pw-current_password": PASSWORD,
                                    "pw-new_password": "Brand-new-pass-2", "pw-confirm": "Brand-new-pass-2"})
    assert resp.status_code == 302
    assert c.get("/").status_code == 200
    assert other.get("/").status_code == 302  # the other session ended
    fresh = PortalClient(app.test_client())
    assert fresh.login("reviewer", "Brand-new-pass-2").status_code == 302


def test_login_never_redirects_off_the_site(client, world):
    from tests.conftest import PASSWORD, csrf_from

    token = csrf_from(client.get("/login").get_data(as_text=True))
    resp = client.http.post("/login?next=/%09/evil.example/path",
                            data={"csrf_token": token, "username": "clerk", "password": PASSWORD})
    assert resp.status_code == 302
    assert "evil.example" not in resp.headers["Location"]


def test_session_cookies_are_secure_by_default_outside_development(monkeypatch):
    import importlib

    import portal.config

    for env, secure in (({}, True), ({"PORTAL_ENV": "development"}, False), ({"PORTAL_SECURE_COOKIES": "0"}, False),
                        ({"PORTAL_ENV": "development", "PORTAL_SECURE_COOKIES": "1"}, True)):
        for name in ("PORTAL_ENV", "PORTAL_SECURE_COOKIES"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert importlib.reload(portal.config).Config.SESSION_COOKIE_SECURE is secure, env
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    monkeypatch.delenv("PORTAL_SECURE_COOKIES", raising=False)
    importlib.reload(portal.config)


def test_api_405_answers_carry_allow(world, app):
    resp = app.test_client().delete("/api/v1/me")
    assert resp.status_code == 405
    assert "GET" in resp.headers.get("Allow", "")
