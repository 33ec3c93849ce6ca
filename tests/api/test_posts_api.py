"""Post plans over the JSON API: scope, roles, Rule 1 with its numbers, the workflow, money as strings."""

from __future__ import annotations

import pytest

from portal.posts.plans.rules import term_last_day
from tests.api.conftest import assert_json_error, bearer
from tests.posts_plans_support import new_plan, setup_county, start


@pytest.fixture
def county(world, app):
    with app.app_context():
        setup_county()
    return world


def _body(**changes) -> dict:
    values = {"category": "cleaning", "title": "保洁员", "duties": "村道保洁", "workload_amount": "5",
              "workload_unit": "公里", "headcount": 2, "schedule": "full_time", "subsidy": "800.00",
              "funding_source": "linkage_fund", "start_date": start().isoformat(),
              "end_date": term_last_day(start()).isoformat(), "need_reason": "村内道路长，需要专人每天打扫保洁"}
    return values | changes


def test_clerk_creates_submits_reviewer_approves_and_closes(county, app, make_token):
    api = app.test_client()
    clerk, reviewer = bearer(make_token("clerk")), bearer(make_token("reviewer"))
    resp = api.post("/api/v1/posts", json=_body(), headers=clerk)
    assert resp.status_code == 201, resp.json
    post = resp.json
    assert (post["state"], post["subsidy"], post["village"]["id"]) == ("draft", "800.00", county.ids["a1a"])
    pid = post["id"]
    assert api.patch(f"/api/v1/posts/{pid}", json={"headcount": 3}, headers=clerk).json["headcount"] == 3
    assert api.post(f"/api/v1/posts/{pid}/submit", headers=clerk).json["state"] == "submitted"
    assert_json_error(api.post(f"/api/v1/posts/{pid}/approve", headers=clerk), 403, "not_allowed")
    approved = api.post(f"/api/v1/posts/{pid}/approve", headers=reviewer).json
    assert approved["state"] == "approved" and approved["vacancies"] == 3
    assert_json_error(api.post(f"/api/v1/posts/{pid}/approve", headers=reviewer), 422, "illegal_move")
    assert api.post(f"/api/v1/posts/{pid}/close", headers=reviewer).json["state"] == "closed"


def test_over_quota_is_refused_with_the_numbers(county, app, make_token):
    api, clerk = app.test_client(), bearer(make_token("clerk"))
    pid = api.post("/api/v1/posts", json=_body(headcount=7), headers=clerk).json["id"]
    err = assert_json_error(api.post(f"/api/v1/posts/{pid}/submit", headers=clerk), 422, "invalid_plan")
    assert "6" in err["fields"]["headcount"] and "7" in err["fields"]["headcount"]


def test_return_needs_a_reason(county, app, make_token):
    api = app.test_client()
    clerk, reviewer = bearer(make_token("clerk")), bearer(make_token("reviewer"))
    pid = api.post("/api/v1/posts", json=_body(), headers=clerk).json["id"]
    api.post(f"/api/v1/posts/{pid}/submit", headers=clerk)
    assert_json_error(api.post(f"/api/v1/posts/{pid}/return", json={}, headers=reviewer), 422)
    assert_json_error(api.post(f"/api/v1/posts/{pid}/return", json={"reason": " "}, headers=reviewer), 422)
    back = api.post(f"/api/v1/posts/{pid}/return", json={"reason": "请写明路段"}, headers=reviewer).json
    assert (back["state"], back["return_reason"]) == ("returned", "请写明路段")


@pytest.mark.parametrize(("name", "sees"), [("clerk", True), ("reviewer", True), ("admin", True),
                                            ("auditor", True), ("clerk_b", False), ("admin_b", False)])
def test_reading_follows_the_scope(county, app, make_token, name, sees):
    with app.app_context():
        pid = new_plan().id
    api, headers = app.test_client(), bearer(make_token(name))
    listing = api.get("/api/v1/posts", headers=headers)
    assert ([p["id"] for p in listing.json] == [pid]) == sees
    assert listing.headers["X-Total-Count"] == ("1" if sees else "0")
    resp = api.get(f"/api/v1/posts/{pid}", headers=headers)
    if sees:
        assert resp.status_code == 200
    else:
        assert_json_error(resp, 404, "not_found")
        assert_json_error(api.post(f"/api/v1/posts/{pid}/submit", headers=headers), 404)


def test_only_the_clerk_drafts(county, app, make_token):
    api = app.test_client()
    for name in ("reviewer", "admin", "auditor"):
        assert_json_error(api.post("/api/v1/posts", json=_body(), headers=bearer(make_token(name))), 403)
    assert_json_error(api.post("/api/v1/posts", json=_body(), headers={}), 401)
