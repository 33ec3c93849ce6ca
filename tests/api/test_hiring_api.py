"""API v1 of Rule 2: candidates, nomination, objections, approval; scope, refusals and masking."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.posts.hiring.service import county_today
from portal.posts.models import Appointment
from tests.api.conftest import assert_json_error, bearer
from tests.hiring_factory import make_person, make_post


def _setup(app, world):
    with app.app_context():
        post = make_post(world, start=county_today() - timedelta(days=30))
        top = make_person(world, category="monitored", capacity="weak")
        other = make_person(world, category="lifted")
        ids = post.id, top.id, other.id, top.id_number
        db.session.remove()
    return ids


def _body(person_id, **extra):
    return {"person_id": person_id, "start_date": county_today().isoformat(),
            "end_date": (county_today() + timedelta(days=100)).isoformat(), **extra}


def test_candidates_nomination_objection_and_approval(app, world, api, make_token):
    post_id, top_id, other_id, full_id = _setup(app, world)
    clerk, reviewer = bearer(make_token("clerk")), bearer(make_token("reviewer"))
    resp = api.get(f"/api/v1/posts/{post_id}/candidates", headers=clerk)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["ranked"][0]["person_id"] == top_id and body["ranked"][0]["reasons"][0] == "monitored_household"
    assert full_id not in resp.get_data(as_text=True)

    err = assert_json_error(api.post(f"/api/v1/posts/{post_id}/nominations", json=_body(other_id), headers=clerk),
                            422, "hiring_refused")
    assert "choice_reason" in err["fields"]
    resp = api.post(f"/api/v1/posts/{post_id}/nominations", json=_body(top_id), headers=clerk)
    assert resp.status_code == 201, resp.get_json()
    appt = resp.get_json()
    assert appt["state"] == "in_notice" and appt["notice_end"] and full_id not in resp.get_data(as_text=True)

    assert_json_error(api.post(f"/api/v1/appointments/{appt['id']}/approve", headers=reviewer), 422,
                      "not_yet_approvable")
    resp = api.post(f"/api/v1/appointments/{appt['id']}/objections", headers=clerk,
                    json={"received_on": county_today().isoformat(), "content": "有人反映该户收入较高"})
    assert resp.status_code == 201
    objection_id = resp.get_json()["id"]
    assert_json_error(api.post(f"/api/v1/objections/{objection_id}/decide", headers=clerk,
                               json={"decision": "dismiss", "note": "核实不属实"}), 403)
    resp = api.post(f"/api/v1/objections/{objection_id}/decide", headers=reviewer,
                    json={"decision": "dismiss", "note": "核实不属实"})
    assert resp.status_code == 200 and resp.get_json()["state"] == "dismissed"
    with app.app_context():
        db.session.get(Appointment, appt["id"]).notice_end = county_today() - timedelta(days=1)
        db.session.commit()
    resp = api.post(f"/api/v1/appointments/{appt['id']}/approve", headers=reviewer)
    assert resp.status_code == 200 and resp.get_json()["state"] == "approved"
    assert_json_error(api.post(f"/api/v1/appointments/{appt['id']}/approve", headers=reviewer), 409)

    listed = api.get("/api/v1/appointments?state=approved", headers=reviewer)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"


def test_scope_and_roles(app, world, api, make_token):
    post_id, top_id, _o, _id = _setup(app, world)
    other_clerk = bearer(make_token("clerk_b"))
    assert_json_error(api.get(f"/api/v1/posts/{post_id}/candidates", headers=other_clerk), 404)
    assert_json_error(api.post(f"/api/v1/posts/{post_id}/nominations", json=_body(top_id),
                               headers=bearer(make_token("reviewer"))), 403)
    assert_json_error(api.get(f"/api/v1/posts/{post_id}/candidates"), 401)
    resp = api.post(f"/api/v1/posts/{post_id}/nominations", json=_body(top_id), headers=bearer(make_token("clerk")))
    appt_id = resp.get_json()["id"]
    assert_json_error(api.get(f"/api/v1/appointments/{appt_id}", headers=other_clerk), 404)
    assert api.get("/api/v1/appointments", headers=other_clerk).headers["X-Total-Count"] == "0"
    resp = api.post(f"/api/v1/appointments/{appt_id}/reject", json={"reason": "岗位职责不匹配"},
                    headers=bearer(make_token("reviewer")))
    assert resp.status_code == 200 and resp.get_json()["state"] == "rejected"
