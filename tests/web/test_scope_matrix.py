"""Scope: for every role, a record of another place is a 404 on pages and the API;
anonymous requests go to the login page (pages) or get 401 (API)."""

import re

import pytest
from sqlalchemy import select

from portal.accounts import service as accounts
from portal.accounts.models import User
from portal.extensions import db

# (user, villages they may open, villages of another scope)
MATRIX = [
    ("clerk", ["a1a"], ["a1b", "a2a", "b1a"]),
    ("reviewer", ["a1a", "a1b"], ["a2a", "b1a"]),
    ("auditor", ["a1a", "a1b", "a2a"], ["b1a"]),
    ("admin", ["a1a", "a1b", "a2a"], ["b1a"]),
    ("admin_b", ["b1a"], ["a1a", "a1b", "a2a"]),
]


def _token(app, username):
    with app.app_context():
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        return accounts.create_token(user, "matrix")


@pytest.mark.parametrize(("user", "inside", "outside"), MATRIX)
def test_village_pages_and_api_inside_scope_open_outside_are_404(world, login, app, user, inside, outside):
    c = login(user)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {_token(app, user)}"}
    for key in inside:
        vid = world.ids[key]
        assert c.get(f"/places/villages/{vid}").status_code == 200, key
        assert api.get(f"/api/v1/villages/{vid}", headers=headers).status_code == 200, key
    for key in outside:
        vid = world.ids[key]
        assert c.get(f"/places/villages/{vid}").status_code == 404, key
        resp = api.get(f"/api/v1/villages/{vid}", headers=headers)
        assert resp.status_code == 404, key
        assert resp.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(("user", "inside", "outside"), MATRIX)
def test_lists_show_only_the_scope(world, login, user, inside, outside):
    html = login(user).get("/places/").get_data(as_text=True)
    names = {"a1a": "青竹村", "a1b": "石门村", "a2a": "柳岸村", "b1a": "北坡村"}
    for key in inside:
        assert names[key] in html
    for key in outside:
        assert names[key] not in html


def test_nonexistent_and_foreign_records_look_the_same(world, login):
    c = login("clerk")
    foreign = c.get(f"/places/villages/{world.ids['b1a']}")
    missing = c.get("/places/villages/999999")
    assert foreign.status_code == missing.status_code == 404
    # the CSRF token is masked afresh in every response (BREACH); apart from it the pages are the same
    def unmasked(resp):
        return re.sub(r'value="m1\.[^"]+"', 'value="…"', resp.get_data(as_text=True))
    assert unmasked(foreign) == unmasked(missing)


def test_admin_cannot_touch_another_countys_places_or_users(world, login, app):
    c = login("admin")
    assert c.get(f"/places/villages/{world.ids['b1a']}/edit").status_code == 404
    assert c.get(f"/places/townships/{world.ids['b1']}/edit").status_code == 404
    assert c.post(f"/places/townships/{world.ids['b1']}/edit", data={"name": "x"}).status_code == 404
    with app.app_context():
        other = db.session.execute(select(User.id).where(User.username == "admin_b")).scalar_one()
    assert c.get(f"/admin/users/{other}").status_code == 404
    assert c.post(f"/admin/users/{other}/reset", data={"reset-password": "Abcdefgh123"}).status_code == 404
    assert c.post(f"/admin/users/{other}/unlock").status_code == 404
    assert "admin_b" not in c.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize("user", ["clerk", "reviewer", "auditor"])
def test_admin_pages_are_refused_to_other_roles(world, login, user):
    c = login(user)
    for url in ["/admin/users", "/admin/users/new", "/places/new", "/places/import",
                f"/places/villages/{world.ids['a1a']}/edit"]:
        assert c.get(url).status_code == 403, url
    assert c.post("/places/new", data={"code": "422825109000", "name": "x"}).status_code == 403


def test_audit_log_only_for_county_roles(world, login):
    assert login("clerk").get("/audit/log").status_code == 403
    assert login("reviewer").get("/audit/log").status_code == 403
    assert login("auditor").get("/audit/log").status_code == 200


def _fill(rule, world) -> str:
    """A concrete URL for a rule, with ids taken from the world."""
    values = {"village_id": world.ids["a1a"], "place_id": world.ids["a1a"], "user_id": 1, "token_id": 1,
              "kind": "villages", "household_id": 1, "person_id": world.people["p_a1a"], "rel_id": 1,
              "field": "id_number", "filename": "x", "post_id": 1, "appt_id": 1, "exit_id": 1,
              "objection_id": 1, "code": "422825101201", "payroll_id": 1, "township_id": world.ids["a1"],
              "year": 2026, "month": 10, "line_id": 1,
              "workshop_id": 1, "employee_id": 1, "assessment_id": 1, "finding_id": 1, "run_id": 1,
              "sample_id": 1}
    adapter = rule.map.bind("localhost")
    return adapter.build(rule.endpoint, {a: values[a] for a in rule.arguments},
                         method=next(iter(rule.methods - {"HEAD", "OPTIONS"})))


def test_anonymous_requests_go_to_the_login_page(world, app):
    anon = app.test_client()
    pages = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "accounts.login", "favicon", "healthz") or rule.rule.startswith("/api/"):
            continue
        if rule.endpoint.startswith("notice."):  # the public notice board needs no login
            assert anon.get(_fill(rule, world)).status_code == 200, rule.rule
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = anon.open(_fill(rule, world), method=method)
            if method == "GET":
                assert resp.status_code == 302, (method, rule.rule)
                assert "/login" in resp.headers["Location"], rule.rule
                pages += 1
            else:  # a POST without a session has no CSRF token either: refused (400) before anything happens
                assert resp.status_code in (302, 303, 400), (method, rule.rule)
    assert pages >= 15
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and "openapi" not in rule.rule:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                resp = anon.open(_fill(rule, world), method=method, json={})
                assert resp.status_code == 401, (method, rule.rule)
                assert resp.json["error"]["code"] == "unauthorized"
