"""Exit API: propose, approve, appeal, decide, scope and refusals, as JSON."""

from __future__ import annotations

from datetime import date

import pytest

from portal.posts.exits import service as exits
from tests.api.conftest import assert_json_error, bearer
from tests.exit_factories import make_holder

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(exits, "county_today", lambda: TODAY)


@pytest.fixture
def holder(app, world):
    with app.app_context():
        return make_holder(world)


def _propose(api, token, appt_id, **kw):
    body = {"appointment_id": appt_id, "reason": "absenteeism", "evidence": "连续三天未到岗",
            "effective_on": "2026-03-03"} | kw
    return api.post("/api/v1/exits", json=body, headers=bearer(token))


def test_the_whole_flow_through_the_api(api, make_token, holder):
    clerk, reviewer = make_token("clerk"), make_token("reviewer")
    resp = _propose(api, clerk, holder)
    assert resp.status_code == 201, resp.get_json()
    exit_id = resp.get_json()["id"]
    assert resp.get_json()["state"] == "proposed" and resp.get_json()["appeal_deadline"] is None
    listing = api.get("/api/v1/exits?state=proposed", headers=bearer(reviewer))
    assert [e["id"] for e in listing.get_json()] == [exit_id] and listing.headers["X-Total-Count"] == "1"
    body = api.post(f"/api/v1/exits/{exit_id}/approve", headers=bearer(reviewer)).get_json()
    assert (body["state"], body["notified_on"], body["appeal_deadline"]) == ("approved", "2026-03-02", "2026-03-07")
    assert_json_error(api.post(f"/api/v1/exits/{exit_id}/approve", headers=bearer(reviewer)), 422, "illegal_move")
    body = api.post(f"/api/v1/exits/{exit_id}/appeal", json={"text": "不服"}, headers=bearer(clerk)).get_json()
    assert body["state"] == "appealed"
    body = api.post(f"/api/v1/exits/{exit_id}/decide-appeal", json={"uphold": False, "note": "旷工属实"},
                    headers=bearer(reviewer)).get_json()
    assert body["state"] == "approved"
    assert api.get(f"/api/v1/exits/{exit_id}", headers=bearer(clerk)).get_json()["appeal_note"] == "旷工属实"


def test_refusals(api, make_token, holder):
    clerk = make_token("clerk")
    err = assert_json_error(_propose(api, clerk, holder, effective_on="2026-02-01"), 422, "exit_refused")
    assert err["field"] == "effective_on" and "effective_on" in err["fields"]
    assert_json_error(_propose(api, make_token("reviewer"), holder), 403, "not_allowed")
    assert_json_error(_propose(api, make_token("clerk_b"), holder), 404)
    assert_json_error(_propose(api, clerk, holder, reason="bored"), 422)
    exit_id = _propose(api, clerk, holder).get_json()["id"]
    assert_json_error(_propose(api, clerk, holder), 409, "exit_open")
    assert_json_error(api.post(f"/api/v1/exits/{exit_id}/approve", headers=bearer(clerk)), 403)
    assert_json_error(api.post(f"/api/v1/exits/{exit_id}/reject", json={"note": "x"},
                               headers=bearer(make_token("clerk_b"))), 404)
    assert_json_error(api.get(f"/api/v1/exits/{exit_id}"), 401)
    assert api.get("/api/v1/exits", headers=bearer(make_token("clerk_b"))).get_json() == []
    body = api.post(f"/api/v1/exits/{exit_id}/withdraw", headers=bearer(clerk)).get_json()
    assert body["state"] == "withdrawn"


def test_reject_and_upheld_appeal(api, make_token, holder):
    clerk, reviewer = make_token("clerk"), make_token("reviewer")
    first = _propose(api, clerk, holder, reason="resigned").get_json()["id"]
    assert api.post(f"/api/v1/exits/{first}/reject", json={"note": "本人撤回申请"},
                    headers=bearer(reviewer)).get_json()["state"] == "rejected"
    second = _propose(api, clerk, holder).get_json()["id"]
    api.post(f"/api/v1/exits/{second}/approve", headers=bearer(reviewer))
    api.post(f"/api/v1/exits/{second}/appeal", json={"text": "有假条"}, headers=bearer(clerk))
    body = api.post(f"/api/v1/exits/{second}/decide-appeal", json={"uphold": True, "note": "属实"},
                    headers=bearer(reviewer)).get_json()
    assert body["state"] == "rejected"
