"""API v1 of the county audit: runs (started inline, 409 while one goes, 422 for a bad period), findings listed
and read in scope (masked), answered by the township and closed by the county auditor."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest

from tests.api.conftest import assert_json_error, bearer
from tests.audit_factories import findings_by_village, plant, run_shared_account
from tests.payroll_factories import user


@pytest.fixture
def planted(app, world):
    with app.app_context():
        plant(world, "a1a", paid=True)
        plant(world, "a2a")
        run_shared_account()
        found = findings_by_village(world)
        from portal.extensions import db

        db.session.remove()
    return found


@pytest.fixture
def doc(app):
    return app.test_client().get("/api/v1/openapi.json").get_json()


def _json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's type list (the rest is JSON Schema already)."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def conforms(doc: dict, schema: str, body) -> None:
    """The body is valid for the document's schema (as the schemathesis fuzz test checks every answer)."""
    jsonschema_rs.Draft4Validator({"$ref": f"#/components/schemas/{schema}",
                                   "components": _json_schema(doc["components"])}).validate(body)


def test_findings_are_listed_in_scope_most_money_first(planted, make_token, api, doc):
    resp = api.get("/api/v1/audit/findings", headers=bearer(make_token("auditor")))
    assert resp.status_code == 200 and resp.headers["X-Total-Count"] == "2"
    rows = resp.get_json()
    assert [r["id"] for r in rows] == [planted["a1a"], planted["a2a"]]
    assert rows[0]["amount_at_stake"] == "600.00" and rows[0]["severity"] == "high"
    assert rows[0]["village_name"] == "青竹村" and rows[0]["period_key"] == "2026-01..2026-12"
    for row in rows:
        conforms(doc, "AuditFinding", row)
    reviewer = api.get("/api/v1/audit/findings", headers=bearer(make_token("reviewer"))).get_json()
    assert [r["id"] for r in reviewer] == [planted["a1a"]]
    assert_json_error(api.get("/api/v1/audit/findings", headers=bearer(make_token("clerk"))), 403)
    assert api.get("/api/v1/audit/findings", headers=bearer(make_token("admin_b"))).get_json() == []


@pytest.mark.parametrize("query, expected", [
    ("state=open", ["a1a", "a2a"]), ("severity=medium", ["a2a"]), ("period_from=2027-01", []),
    ("period_to=2026-01&detector=shared_account", ["a1a", "a2a"]), ("state=closed", []),
])
def test_findings_filters(planted, make_token, api, query, expected):
    rows = api.get(f"/api/v1/audit/findings?{query}", headers=bearer(make_token("auditor"))).get_json()
    assert [r["id"] for r in rows] == [planted[k] for k in expected]


def test_filters_by_place_and_bad_filters(planted, world, make_token, api):
    headers = bearer(make_token("admin"))
    rows = api.get(f"/api/v1/audit/findings?township_id={world.ids['a2']}", headers=headers).get_json()
    assert [r["id"] for r in rows] == [planted["a2a"]]
    for query in ("period_from=2026-13", "state=lost", "detector=nobody", "period_to=2026-1"):
        assert_json_error(api.get(f"/api/v1/audit/findings?{query}", headers=headers), 422)


def test_a_finding_reads_with_its_evidence_masked(planted, make_token, api, doc, app):
    resp = api.get(f"/api/v1/audit/findings/{planted['a1a']}", headers=bearer(make_token("reviewer")))
    assert resp.status_code == 200
    body = resp.get_json()
    conforms(doc, "AuditFindingDetail", body)
    assert re.search(r"622848\*{6}\d{4}", body["evidence"])
    assert body["facts"]["account"].startswith("622848******")
    assert not re.search(r"\d{16}", resp.get_data(as_text=True))  # no full account anywhere
    assert {p["person_id"] for p in body["facts"]["people"]}
    assert_json_error(api.get(f"/api/v1/audit/findings/{planted['a2a']}", headers=bearer(make_token("reviewer"))),
                      404, "not_found")
    assert_json_error(api.get(f"/api/v1/audit/findings/{planted['a1a']}", headers=bearer(make_token("clerk"))), 403)


def test_the_township_answers_and_the_auditor_closes(planted, make_token, api):
    fid = planted["a1a"]
    reviewer, auditor = bearer(make_token("reviewer")), bearer(make_token("auditor"))
    answer = {"response": "两人为夫妻，共用一卡", "action_taken": "已要求分别开户"}
    assert_json_error(api.post(f"/api/v1/audit/findings/{fid}/respond", json=answer, headers=auditor), 403)
    assert_json_error(api.post(f"/api/v1/audit/findings/{fid}/respond", json={**answer, "response": " "},
                               headers=reviewer), 422)
    resp = api.post(f"/api/v1/audit/findings/{fid}/respond", json=answer, headers=reviewer)
    assert resp.status_code == 200 and resp.get_json()["state"] == "responded"
    close = {"decision": "confirmed", "amount_recovered": "600.01", "note": "追回"}
    assert_json_error(api.post(f"/api/v1/audit/findings/{fid}/close", json=close, headers=reviewer), 403)
    assert_json_error(api.post(f"/api/v1/audit/findings/{fid}/close", json=close, headers=auditor), 422,
                      "recovered_above_stake")
    assert_json_error(api.post(f"/api/v1/audit/findings/{fid}/close", json={**close, "amount_recovered": "1.005"},
                               headers=auditor), 422, "recovered_not_money")
    resp = api.post(f"/api/v1/audit/findings/{fid}/close", json={**close, "amount_recovered": "600.00"},
                    headers=auditor)
    body = resp.get_json()
    assert resp.status_code == 200
    assert (body["state"], body["decision"], body["amount_recovered"]) == ("closed", "confirmed", "600.00")
    assert_json_error(api.post(f"/api/v1/audit/findings/{fid}/close", json=close, headers=auditor), 422,
                      "illegal_move")
    assert_json_error(api.post(f"/api/v1/audit/findings/{planted['a2a']}/respond", json=answer, headers=reviewer),
                      404)


def test_a_run_started_through_the_api_answers_its_counts(world, app, make_token, api, doc):
    with app.app_context():
        plant(world, "a1a")
    headers = bearer(make_token("auditor"))
    resp = api.post("/api/v1/audit/runs", json={"from": "2026-01", "to": "2026-10", "detectors": ["shared_account"]},
                    headers=headers)
    assert resp.status_code == 201, resp.get_json()
    run = resp.get_json()
    conforms(doc, "AuditRun", run)
    assert run["state"] == "done" and run["detectors"] == ["shared_account"] and run["done_count"] == 1
    assert run["counts"]["shared_account"]["hits"] == 1 and run["counts"]["shared_account"]["new"] == 1
    assert run["started_by"] is not None
    listed = api.get("/api/v1/audit/runs", headers=headers)
    assert listed.headers["X-Total-Count"] == "1" and listed.get_json()[0]["id"] == run["id"]
    assert api.get(f"/api/v1/audit/runs/{run['id']}", headers=headers).get_json() == run
    assert_json_error(api.get(f"/api/v1/audit/runs/{run['id']}", headers=bearer(make_token("admin_b"))), 404)
    assert_json_error(api.get("/api/v1/audit/runs", headers=bearer(make_token("reviewer"))), 403)
    assert_json_error(api.post("/api/v1/audit/runs", json={"from": "2026-01", "to": "2026-02"},
                               headers=bearer(make_token("reviewer"))), 403)


@pytest.mark.parametrize("body, code", [
    ({"from": "2026-05", "to": "2026-04"}, "period_reversed"),
    ({"from": "2026-01", "to": "2099-12"}, "period_future"),
    ({"from": "2020-01", "to": "2023-01"}, "period_too_long"),
    ({"from": "2026-1", "to": "2026-04"}, "validation_error"),
    ({"from": "2026-01"}, "validation_error"),
    ({"from": "2026-01", "to": "2026-02", "detectors": ["nobody"]}, "validation_error"),
])
def test_a_bad_period_is_refused_with_the_reason(world, make_token, api, body, code):
    err = assert_json_error(api.post("/api/v1/audit/runs", json=body, headers=bearer(make_token("admin"))), 422, code)
    if code.startswith("period"):
        assert err["field"] == "period"


def test_a_second_run_while_one_goes_is_a_409(world, app, make_token, api):
    from portal.audit import runs
    from portal.audit.rules import Month

    with app.app_context():
        runs.start_run(user("admin"), Month(2026, 1), Month(2026, 2), ["shared_account"])
    assert_json_error(api.post("/api/v1/audit/runs", json={"from": "2026-01", "to": "2026-02"},
                               headers=bearer(make_token("auditor"))), 409, "run_in_progress")


def test_the_audit_endpoints_are_in_the_openapi_document(doc):
    paths = doc["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/audit/runs"])
    for path in ("/api/v1/audit/runs/{run_id}", "/api/v1/audit/findings", "/api/v1/audit/findings/{finding_id}"):
        assert "get" in paths[path], path
    for path in ("/api/v1/audit/findings/{finding_id}/respond", "/api/v1/audit/findings/{finding_id}/close"):
        assert {"409", "422"} <= set(paths[path]["post"]["responses"]), path
    assert "409" in paths["/api/v1/audit/runs"]["post"]["responses"]
