"""API of the auditor's desk: samples (draw, list, read), a line's check (a failed one opens a finding),
the county search with the ID in the POST body; roles and scope; masking; the OpenAPI document."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_json_error, bearer
from tests.payroll_factories import make_payroll


@pytest.fixture
def paid(app, world):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.payroll.models import PayrollLine

    with app.app_context():
        make_payroll(world, "a1a", 2026, 10, holders=4, state="paid")
        line = db.session.execute(select(PayrollLine).order_by(PayrollLine.id)).scalars().first()
        info = {"id_number": line.id_number, "account": line.bank_account, "name": line.person_name}
        db.session.remove()
    return info


def _draw(api, token, **body):
    return api.post("/api/v1/audit/samples", json={"period": "2026-10", "method": "percent", **body},
                    headers=bearer(token))


def test_the_auditor_draws_reads_and_checks(api, paid, make_token):
    token = make_token("auditor")
    resp = _draw(api, token, percent=50, seed=31)
    assert resp.status_code == 201, resp.get_json()
    sample = resp.get_json()
    assert (sample["size"], sample["seed"], sample["population"]) == (2, 31, 4)
    assert sample["progress"] == {"drawn": 2, "checked": 0, "failed": 0, "estimate": None}
    line = sample["lines"][0]
    assert "*" in line["id_number"] and "*" in line["bank_account"]
    again = _draw(api, token, percent=50, seed=31).get_json()
    assert [x["payroll_line_id"] for x in again["lines"]] == [x["payroll_line_id"] for x in sample["lines"]]
    listed = api.get("/api/v1/audit/samples", headers=bearer(token))
    assert listed.headers["X-Total-Count"] == "2"
    url = f"/api/v1/audit/sample-lines/{line['id']}/check"
    assert_json_error(api.post(url, json={"account_is_own": False}, headers=bearer(token)), 422, "note_required")
    checked = api.post(url, json={"on_duty_confirmed": True, "amount_matches": True, "account_is_own": False,
                                  "note": "账户为村干部所有"}, headers=bearer(token))
    assert checked.status_code == 200 and checked.get_json()["finding_id"]
    assert_json_error(api.post(url, json={"on_duty_confirmed": True}, headers=bearer(token)), 409, "check_closed")
    detail = api.get(f"/api/v1/audit/samples/{sample['id']}", headers=bearer(token)).get_json()
    assert detail["progress"]["failed"] == 1 and detail["progress"]["estimate"]["share"] == 1.0


def test_roles_and_scope(api, paid, make_token):
    admin = make_token("admin")
    assert_json_error(_draw(api, admin), 403)
    for who in ("reviewer", "clerk"):
        token = make_token(who)
        assert_json_error(api.get("/api/v1/audit/samples", headers=bearer(token)), 403)
        assert_json_error(api.post("/api/v1/audit/search", json={"kind": "name", "query": "持岗人"},
                                   headers=bearer(token)), 403)
    assert_json_error(api.get("/api/v1/audit/samples/999", headers=bearer(admin)), 404)
    assert_json_error(api.get("/api/v1/audit/samples"), 401)
    sample = _draw(api, make_token("auditor")).get_json()
    assert api.get(f"/api/v1/audit/samples/{sample['id']}", headers=bearer(admin)).status_code == 200
    assert_json_error(api.get(f"/api/v1/audit/samples/{sample['id']}", headers=bearer(make_token("admin_b"))), 404)
    line = sample["lines"][0]["id"]
    assert_json_error(api.post(f"/api/v1/audit/sample-lines/{line}/check", json={"on_duty_confirmed": True},
                               headers=bearer(admin)), 403)


def test_search_by_id_in_the_body_is_masked_and_audited(api, app, paid, make_token):
    from sqlalchemy import select

    from portal.core.auditlog import AuditEntry
    from portal.extensions import db

    resp = api.post("/api/v1/audit/search", json={"kind": "id", "query": paid["id_number"]},
                    headers=bearer(make_token("admin")))
    body = resp.get_json()
    assert resp.status_code == 200 and [p["name"] for p in body["people"]] == [paid["name"]]
    text = resp.get_data(as_text=True)
    assert paid["id_number"] not in text and paid["account"] not in text
    assert body["people"][0]["payroll_lines"][0]["amount"] == "600.00"
    with app.app_context():
        entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "audit.search")).scalar_one()
        assert paid["id_number"] not in entry.after
    assert_json_error(api.post("/api/v1/audit/search", json={"kind": "id", "query": "123"},
                               headers=bearer(make_token("admin"))), 422, "bad_id")


def test_the_openapi_document_lists_the_desk(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    for path, method in [("/api/v1/audit/samples", "get"), ("/api/v1/audit/samples", "post"),
                         ("/api/v1/audit/samples/{sample_id}", "get"),
                         ("/api/v1/audit/sample-lines/{line_id}/check", "post"), ("/api/v1/audit/search", "post")]:
        assert method in doc["paths"][path], (path, method)
    search = doc["paths"]["/api/v1/audit/search"]["post"]
    assert not [p for p in search.get("parameters", []) if p["in"] in ("query", "path")]  # the ID is in the body
