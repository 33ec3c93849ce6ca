"""The API answers JSON errors and ignores sessions and CSRF; the HTML pages keep their HTML error pages."""

from __future__ import annotations

import pytest
from flask import request
from flask_wtf.csrf import CSRFError

from tests.api.conftest import assert_json_error, bearer

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
BAD_QUERY = {"page": "abc", "per_page": "0", "village_id": "x", "township_id": "x", "field": "nope", "q": "\x00"}


def _api_routes(app) -> list[tuple[str, str]]:
    """(method, url) of every route of the API's resources, with 1 for each path argument (2026-10 for a month)."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and not rule.endpoint.startswith("api-docs."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                values = {a: {"year": 2026, "month": 10}.get(a, 1) for a in rule.arguments}
                routes.append((method, adapter.build(rule.endpoint, values, method=method)))
    assert len(routes) >= 3
    return routes


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/villages/abc", "/api/v1/villages/1/extra",
                                  "/api/v1/me/", "/api/v2/me", "/api/"])
@pytest.mark.parametrize("with_token", [True, False])
def test_unknown_api_paths_are_json_404(world, make_token, api, path, with_token):
    headers = bearer(make_token("admin")) if with_token else {}
    resp = api.get(path, headers=headers)
    assert_json_error(resp, 404, "not_found")
    assert "<html" not in resp.get_data(as_text=True).lower()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_wrong_method_on_the_api_is_json_405(world, make_token, api, method):
    resp = getattr(api, method)("/api/v1/villages", headers=bearer(make_token("admin")))
    assert_json_error(resp, 405, "method_not_allowed")


def test_html_pages_still_answer_html_error_pages(world, login, client):
    c = login("clerk")
    assert c.get(f"/places/villages/{world.ids['a1a']}").status_code == 200
    # An unknown page, a village outside the clerk's scope (the page twin of the API's 404), a near-miss of /api/.
    for path in ("/nope", f"/places/villages/{world.ids['b1a']}", "/apiv1/me"):
        resp = c.get(path)
        assert resp.status_code == 404, path
        assert resp.mimetype == "text/html", (path, resp.headers.get("Content-Type"))
        html = resp.get_data(as_text=True)
        assert "<html" in html.lower() and '"error"' not in html

    resp = c.get("/admin/users")  # a page the clerk's role may not open
    assert resp.status_code == 403 and resp.mimetype == "text/html"

    resp = client.get("/nope")  # not logged in
    assert resp.status_code == 404 and resp.mimetype == "text/html"


def test_a_session_cookie_alone_does_not_authenticate_the_api(app, world, login):
    c = login("admin")
    assert c.get("/account").status_code == 200  # the session is good for the pages
    for method, url in _api_routes(app):
        resp = c.http.open(url, method=method, json={})
        assert_json_error(resp, 401, "unauthorized")
        # Not even with the page's CSRF token alongside the cookie.
        resp = c.http.open(url, method=method, json={}, headers={"X-CSRFToken": c.csrf})
        assert_json_error(resp, 401, "unauthorized")


def test_the_token_is_checked_before_the_parameters(app, world, api):
    """An anonymous caller gets 401 whatever it sends; it learns nothing about the parameters."""
    for method, url in _api_routes(app):
        if (method, url) == ("GET", "/api/v1/villages"):
            continue  # the known exception: test_villages_list_checks_the_token_before_the_parameters
        resp = api.open(url, method=method, query_string=BAD_QUERY, data="{not json", content_type="application/json")
        assert_json_error(resp, 401, "unauthorized")


def test_villages_list_checks_the_token_before_the_parameters(world, api):
    resp = api.get("/api/v1/villages", query_string={"page": "abc"})
    assert_json_error(resp, 401, "unauthorized")


def test_api_requests_need_no_csrf_token(app, world, login, make_token):
    """A bearer request from a client that also holds a session is not put through the CSRF check."""
    c = login("admin")
    token = make_token("admin")
    assert c.get("/api/v1/me", headers=bearer(token)).status_code == 200
    # An unsafe method on a GET-only route gets the API's own answer (405), never a CSRF refusal.
    resp = c.http.post("/api/v1/villages", headers=bearer(token), data={})
    assert_json_error(resp, 405, "method_not_allowed")
    # Every route that takes an unsafe method answers it without a CSRF token (whatever the answer is).
    for method, url in _api_routes(app):
        if method in UNSAFE:
            resp = c.http.open(url, method=method, headers=bearer(token), json={})
            assert resp.status_code < 500 and resp.mimetype == "application/json", (method, url)
            error = resp.get_json().get("error") if isinstance(resp.get_json(), dict) else None
            assert not error or error["code"] != "csrf", (method, url, error)
    # Whereas the pages do insist on the token (control): the form is refused and nothing is created.
    resp = c.http.post("/account", data={"tok-name": "no-csrf"})
    assert resp.status_code == 400  # the page says to reload and try again
    assert "no-csrf" not in c.get("/account").get_data(as_text=True)


def test_every_api_route_is_exempt_from_csrf(app):
    """Run Flask-WTF's own CSRF hook for a tokenless POST to every /api/v1 route (so also to API routes that
    accept POST in the future): it lets each one through, while it refuses the same POST to a page."""
    hooks = [f for f in app.before_request_funcs.get(None, []) if f.__name__ == "csrf_protect"]
    assert len(hooks) == 1, "Flask-WTF's CSRF hook is not installed"
    csrf_protect = hooks[0]

    def run_hook(rule):
        with app.test_request_context(rule.rule, method="POST"):
            request.url_rule = rule  # as if the route accepted POST
            csrf_protect()

    # flask-smorest's own "api-docs" blueprint (openapi.json) is GET-only and not an API resource.
    api_rules = [r for r in app.url_map.iter_rules()
                 if r.rule.startswith("/api/v1/") and not r.endpoint.startswith("api-docs.")]
    assert len(api_rules) >= 3
    for rule in api_rules:
        run_hook(rule)  # no CSRFError

    page_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "accounts.account")
    with pytest.raises(CSRFError):
        run_hook(page_rule)
