"""Payroll API: generate, read (masked), submit, return, approve, pay; adjustments; scope and refusals."""

from __future__ import annotations

from datetime import date

import pytest

from portal.payroll import service
from tests.api.conftest import assert_json_error, bearer
from tests.payroll_factories import TODAY, make_holders, make_payroll, mark_month


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(service, "county_today", lambda: TODAY)


@pytest.fixture
def holders(app, world):
    with app.app_context():
        ids = make_holders(world, n=2)
        mark_month(ids, 2026, 10)
        return ids


def _post(api, token, url, body=None):
    return api.post(url, json=body or {}, headers=bearer(token))


def test_the_whole_month_through_the_api(api, make_token, holders, world):
    clerk, reviewer, reviewer2 = make_token("clerk"), make_token("reviewer"), make_token("reviewer2")
    resp = _post(api, clerk, "/api/v1/payrolls", {"village_id": world.ids["a1a"], "year": 2026, "month": 10})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    pid = body["id"]
    assert body["state"] == "draft" and body["line_count"] == 2 and body["total"] == "1200.00"
    line = body["lines"][0]
    assert "*" in line["id_number"] and "*" in line["bank_account"] and line["amount"] == "600.00"
    assert_json_error(_post(api, clerk, "/api/v1/payrolls", {"village_id": world.ids["a1a"], "year": 2026,
                                                             "month": 10}), 409)
    assert _post(api, clerk, f"/api/v1/payrolls/{pid}/submit").get_json()["state"] == "submitted"
    err = assert_json_error(_post(api, reviewer, f"/api/v1/payrolls/{pid}/return", {"reason": " "}), 422)
    assert err["field"] == "reason"
    assert _post(api, reviewer, f"/api/v1/payrolls/{pid}/return",
                 {"reason": "10月8日考勤有误"}).get_json()["state"] == "returned"
    assert _post(api, clerk, f"/api/v1/payrolls/{pid}/submit").get_json()["state"] == "submitted"
    assert_json_error(_post(api, clerk, f"/api/v1/payrolls/{pid}/approve"), 403)
    approved = _post(api, reviewer2, f"/api/v1/payrolls/{pid}/approve").get_json()
    assert approved["state"] == "approved" and approved["approved_on"] == TODAY.isoformat()
    assert_json_error(_post(api, reviewer2, f"/api/v1/payrolls/{pid}/approve"), 422, "illegal_move")
    err = assert_json_error(_post(api, reviewer, f"/api/v1/payrolls/{pid}/payment",
                                  {"paid_on": "2026-11-23", "bank_reference": "YX20261122001"}), 422)
    assert err["field"] == "paid_on"
    paid = _post(api, reviewer, f"/api/v1/payrolls/{pid}/payment",
                 {"paid_on": "2026-11-22", "bank_reference": "YX20261122001"}).get_json()
    assert (paid["state"], paid["paid_on"], paid["bank_reference"]) == ("paid", "2026-11-22", "YX20261122001")
    listing = api.get("/api/v1/payrolls?state=paid", headers=bearer(reviewer))
    assert [p["id"] for p in listing.get_json()] == [pid] and listing.headers["X-Total-Count"] == "1"


def test_adjustments_through_the_api(api, make_token, app, world):
    with app.app_context():
        paid = make_payroll(world, month=9, state="paid")
        draft = make_payroll(world, month=10, holders=1)
        from portal.extensions import db
        from portal.payroll.models import Payroll

        appointment_id = db.session.get(Payroll, paid).lines[0].appointment_id
    clerk = make_token("clerk")
    body = {"appointment_id": appointment_id, "adjusts_year": 2026, "adjusts_month": 9, "amount": "-50.00",
            "reason": "9月多计半天"}
    resp = _post(api, clerk, f"/api/v1/payrolls/{draft}/adjustments", body)
    assert resp.status_code == 201, resp.get_json()
    line = resp.get_json()
    assert line["kind"] == "adjustment" and line["amount"] == "-50.00" and line["adjusts_month"] == 9
    err = assert_json_error(_post(api, clerk, f"/api/v1/payrolls/{draft}/adjustments",
                                  body | {"adjusts_month": 10}), 422)
    assert err["field"] == "adjusts"
    resp = api.delete(f"/api/v1/payrolls/{draft}/adjustments/{line['id']}", headers=bearer(clerk))
    assert resp.status_code == 204


def test_generation_waits_for_the_month_to_end(api, make_token, holders, world):
    err = assert_json_error(_post(api, make_token("clerk"), "/api/v1/payrolls",
                                  {"village_id": world.ids["a1a"], "year": 2026, "month": 11}), 422)
    assert "2026" in err["message"]


def test_scope(api, make_token, app, world):
    with app.app_context():
        pid = make_payroll(world, state="submitted")
    assert_json_error(api.get(f"/api/v1/payrolls/{pid}", headers=bearer(make_token("clerk_b"))), 404)
    assert_json_error(_post(api, make_token("admin_b"), f"/api/v1/payrolls/{pid}/approve"), 404)
    assert api.get(f"/api/v1/payrolls/{pid}", headers=bearer(make_token("auditor"))).status_code == 200
    assert_json_error(_post(api, make_token("auditor"), f"/api/v1/payrolls/{pid}/approve"), 403)
    assert_json_error(_post(api, make_token("clerk_b"), "/api/v1/payrolls",
                            {"village_id": world.ids["a1a"], "year": 2026, "month": 10}), 404)
    assert date(2026, 10, 31) < TODAY
