"""Attendance API: a month of marks, one mark, a month in bulk; Rule 3 refusals name every cell."""

from __future__ import annotations

from datetime import date

import pytest

from portal.attendance import service
from tests.api.conftest import assert_json_error, bearer
from tests.exit_factories import make_holder

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    monkeypatch.setattr(service, "county_today", lambda: TODAY)


@pytest.fixture
def holder(app, world):
    with app.app_context():
        return make_holder(world, start=date(2026, 3, 2))


def _put(api, token, appt, day, mark):
    return api.put("/api/v1/attendance/mark", json={"appointment_id": appt, "day": day, "mark": mark},
                   headers=bearer(token))


def test_a_mark_is_set_changed_cleared_and_read_back(api, make_token, holder, world):
    clerk = make_token("clerk")
    assert _put(api, clerk, holder, "2026-03-02", "present").get_json() == {"changed": 1, "unchanged": 0}
    assert _put(api, clerk, holder, "2026-03-02", "present").get_json() == {"changed": 0, "unchanged": 1}
    assert _put(api, clerk, holder, "2026-03-03", "half").status_code == 200
    month = api.get(f"/api/v1/attendance?village_id={world.ids['a1a']}&month=2026-03", headers=bearer(clerk))
    body = month.get_json()
    assert body["locked"] is False and body["working_days"] == 22
    [row] = body["holders"]
    assert row["appointment_id"] == holder and row["on_duty_from"] == "2026-03-02"
    assert row["marks"] == {"2026-03-02": "present", "2026-03-03": "half"}
    assert _put(api, clerk, holder, "2026-03-03", None).get_json()["changed"] == 1
    month = api.get(f"/api/v1/attendance?village_id={world.ids['a1a']}&month=2026-03", headers=bearer(clerk))
    assert month.get_json()["holders"][0]["marks"] == {"2026-03-02": "present"}


@pytest.mark.parametrize("day, code", [("2026-03-11", "future"), ("2026-03-01", "outside_window")])
def test_a_refused_mark_names_its_rule(api, make_token, holder, day, code):
    err = assert_json_error(_put(api, make_token("clerk"), holder, day, "present"), 422, "marks_refused")
    assert err["cells"][0]["code"] == code and err["cells"][0]["day"] == day


def test_bulk_is_all_or_nothing_and_lists_every_refused_cell(api, make_token, holder, world, app):
    clerk = make_token("clerk")
    body = {"village_id": world.ids["a1a"], "month": "2026-03", "marks": [
        {"appointment_id": holder, "day": "2026-03-02", "mark": "present"},
        {"appointment_id": holder, "day": "2026-03-01", "mark": "present"},
        {"appointment_id": holder, "day": "2026-03-12", "mark": "absent"}]}
    err = assert_json_error(api.put("/api/v1/attendance/month", json=body, headers=bearer(clerk)), 422)
    assert sorted(c["code"] for c in err["cells"]) == ["future", "outside_window"]
    with app.app_context():
        assert service.marks_for(holder, date(2026, 3, 1), date(2026, 3, 31)) == {}
    body["marks"] = [*body["marks"][:1], {"appointment_id": holder, "day": "2026-03-09", "mark": "leave"}]
    resp = api.put("/api/v1/attendance/month", json=body, headers=bearer(clerk))
    assert resp.get_json() == {"changed": 2, "unchanged": 0}


def test_bulk_days_must_lie_in_the_month(api, make_token, holder, world):
    body = {"village_id": world.ids["a1a"], "month": "2026-03",
            "marks": [{"appointment_id": holder, "day": "2026-02-27", "mark": "present"}]}
    err = assert_json_error(api.put("/api/v1/attendance/month", json=body, headers=bearer(make_token("clerk"))), 422)
    assert "marks" in err["fields"]["json"]


def test_a_locked_month_refuses(api, make_token, holder, world, app):
    with app.app_context():
        service.lock_month(None, world.ids["a1a"], 2026, 3)
        from portal.extensions import db

        db.session.commit()
    err = assert_json_error(_put(api, make_token("clerk"), holder, "2026-03-02", "present"), 422)
    assert err["cells"][0]["code"] == "locked"
    month = api.get(f"/api/v1/attendance?village_id={world.ids['a1a']}&month=2026-03",
                    headers=bearer(make_token("clerk")))
    assert month.get_json()["locked"] is True


def test_scope_and_role(api, make_token, holder, world):
    assert_json_error(_put(api, make_token("clerk_b"), holder, "2026-03-02", "present"), 404)
    assert_json_error(_put(api, make_token("reviewer"), holder, "2026-03-02", "present"), 403, "not_allowed")
    reviewer = make_token("reviewer")
    assert api.get(f"/api/v1/attendance?village_id={world.ids['a1a']}&month=2026-03",
                   headers=bearer(reviewer)).status_code == 200
    assert_json_error(api.get(f"/api/v1/attendance?village_id={world.ids['a2a']}&month=2026-03",
                              headers=bearer(reviewer)), 404)
    assert_json_error(api.get(f"/api/v1/attendance?village_id={world.ids['a1a']}&month=2026-13",
                              headers=bearer(reviewer)), 422)
