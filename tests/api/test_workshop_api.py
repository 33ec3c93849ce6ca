"""Workshop API (Rule 5): certify, employees (one workshop at a time), monthly reports and the monitoring state,
the exit from proposal through notice to approval, assessments computed, approved and paid; scope (404),
roles (403), refusals (422 with every field), masked resident IDs."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import given, settings
from schemathesis import GenerationMode

from portal.workshops import queries
from portal.workshops.assessments import api as assessment_api
from portal.workshops.assessments import service as assessments
from portal.workshops.certification import api as certification_api
from portal.workshops.certification import service
from portal.workshops.exits import api as exit_api
from portal.workshops.reports import api as report_api
from tests.api.conftest import assert_json_error, bearer
from tests.api.test_fuzz import CHECKS, DOC_URL, FUZZ
from tests.workshop_factories import TODAY, credit_code, file_reports, make_people, make_workshop, user, workshop

CLOCK = {"today": TODAY}  # the county's today for the API, moved by the tests


@pytest.fixture(autouse=True)
def _pinned_today(monkeypatch):
    CLOCK["today"] = TODAY
    for resources in (certification_api, report_api, assessment_api, exit_api):  # the API's modules read today
        monkeypatch.setattr(resources, "county_today", lambda: CLOCK["today"])


@pytest.fixture
def tokens(make_token, world):
    return {name: make_token(name) for name in ("admin", "auditor", "reviewer", "clerk", "clerk_b", "admin_b")}


def _setup(app, fn, *args, **kwargs):
    with app.app_context():
        return fn(*args, **kwargs)


def _post(api, token, url, body=None):
    return api.post(url, json=body if body is not None else {}, headers=bearer(token))


def _put(api, token, url, body):
    return api.put(url, json=body, headers=bearer(token))


def _get(api, token, url):
    return api.get(url, headers=bearer(token))


def _workshop_body(world, n: int = 1, **changes) -> dict:
    body = {"village_id": world.ids["a1a"], "name": f"青竹帮扶车间{n}号", "enterprise": f"云溪县青竹服饰有限公司{n}",
            "credit_code": credit_code(n), "address": f"青竹村{n}组", "industry": "服装加工",
            "certified_on": "2025-01-01", "accident_insurance": True, "other_employees": 3}
    body.update(changes)
    return body


def _report(operating: bool = True, **changes) -> dict:
    body = {"operating": operating, "total_employees": 20 if operating else 0,
            "wages_paid": "52000.00" if operating else "0.00", "output_value": "260000.00" if operating else "0.00"}
    body.update(changes)
    return body


# ---- workshops ------------------------------------------------------------------------------------

def test_the_county_admin_certifies_and_corrects_a_workshop(api, world, tokens):
    resp = _post(api, tokens["admin"], "/api/v1/workshops", _workshop_body(world))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    ws = body["id"]
    assert (body["state"], body["village_name"], body["township_name"], body["credit_code"]) == (
        "normal", "青竹村", "白石镇", credit_code(1))
    assert body["monitoring"]["state"] == "normal" and body["open_exit_id"] is None and body["aided_now"] == 0
    assert (body["watch_condition"], body["watch_since"], body["entered_on"]) == ("", None, TODAY.isoformat())

    err = assert_json_error(_post(api, tokens["admin"], "/api/v1/workshops",
                                  _workshop_body(world, 2, credit_code=credit_code(1))), 409, "duplicate_credit_code")
    assert err["field"] == "credit_code" and "青竹帮扶车间1号" in err["message"]
    bad = credit_code(3)[:-1] + ("1" if credit_code(3)[-1] != "1" else "2")
    err = assert_json_error(_post(api, tokens["admin"], "/api/v1/workshops",
                                  _workshop_body(world, 3, credit_code=bad, name=" ", certified_on="2026-11-23")), 422)
    assert {"credit_code", "name", "certified_on"} <= set(err["fields"])
    assert_json_error(_post(api, tokens["reviewer"], "/api/v1/workshops", _workshop_body(world, 4)), 403, "not_allowed")
    assert_json_error(_post(api, tokens["auditor"], "/api/v1/workshops", _workshop_body(world, 4)), 403)
    assert_json_error(_post(api, tokens["admin"], "/api/v1/workshops",
                            _workshop_body(world, 4, village_id=world.ids["b1a"])), 404)  # another county's village

    fields = {k: v for k, v in _workshop_body(world, 1, name="青竹竹编车间", other_employees=9).items()
              if k != "village_id"}
    resp = _put(api, tokens["admin"], f"/api/v1/workshops/{ws}", fields)
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["name"], resp.get_json()["other_employees"]) == ("青竹竹编车间", 9)
    assert_json_error(_put(api, tokens["clerk"], f"/api/v1/workshops/{ws}", fields), 403)
    assert_json_error(_put(api, tokens["admin_b"], f"/api/v1/workshops/{ws}", fields), 404)


def test_input_is_bounded_before_the_service_sees_it(api, world, tokens):
    admin = tokens["admin"]
    for change in ({"name": "车间\x00"}, {"certified_on": "1999-12-31"}, {"certified_on": "2026-02-30"},
                   {"other_employees": "3"}, {"other_employees": -1}, {"credit_code": "9" * 41}, {"unknown": 1}):
        err = assert_json_error(_post(api, admin, "/api/v1/workshops", _workshop_body(world, **change)), 422)
        assert err["code"] == "validation_error", change
    assert_json_error(_post(api, admin, "/api/v1/workshop-assessments/compute", {"year": "2025"}), 422)
    assert_json_error(_put(api, admin, "/api/v1/workshops/1/reports/1999/10", _report()), 404)
    assert_json_error(_put(api, admin, "/api/v1/workshops/1/reports/2026/13", _report()), 404)
    assert_json_error(api.get("/api/v1/workshops"), 401)


def test_lists_follow_the_scope(api, world, tokens, app):
    a = _setup(app, make_workshop, world, "a1a", n=1)
    b = _setup(app, make_workshop, world, "a1b", n=2)
    c = _setup(app, make_workshop, world, "a2a", n=3)
    seen = {}
    for name in ("admin", "auditor", "reviewer", "clerk", "clerk_b", "admin_b"):
        resp = _get(api, tokens[name], "/api/v1/workshops")
        assert resp.status_code == 200
        seen[name] = {w["id"] for w in resp.get_json()}
        assert resp.headers["X-Total-Count"] == str(len(seen[name]))
    assert seen == {"admin": {a, b, c}, "auditor": {a, b, c}, "reviewer": {a, b}, "clerk": {a}, "clerk_b": {b},
                    "admin_b": set()}
    resp = _get(api, tokens["admin"], f"/api/v1/workshops?village_id={world.ids['a1b']}&per_page=1")
    assert [w["id"] for w in resp.get_json()] == [b]
    assert _get(api, tokens["admin"], "/api/v1/workshops?state=watch").get_json() == []
    for name, hidden in (("clerk", b), ("reviewer", c), ("admin_b", a)):
        assert_json_error(_get(api, tokens[name], f"/api/v1/workshops/{hidden}"), 404, "not_found")
        assert_json_error(_get(api, tokens[name], f"/api/v1/workshops/{hidden}/employees"), 404)
        assert_json_error(_get(api, tokens[name], f"/api/v1/workshops/{hidden}/reports"), 404)
    assert _get(api, tokens["auditor"], f"/api/v1/workshops/{c}").status_code == 200


# ---- employees ------------------------------------------------------------------------------------

def test_employees_work_in_one_workshop_at_a_time_and_their_ids_are_masked(api, world, tokens, app):
    first = _setup(app, make_workshop, world, "a1a", n=1)
    second = _setup(app, make_workshop, world, "a1a", n=2)
    (person,) = _setup(app, make_people, world, "a1a", 1)
    clerk = tokens["clerk"]
    resp = _post(api, clerk, f"/api/v1/workshops/{first}/employees",
                 {"person_id": person, "hire_date": "2026-03-01", "monthly_wage": "2600.00"})
    assert resp.status_code == 201, resp.get_json()
    row = resp.get_json()
    assert (row["leave_date"], row["monthly_wage"], row["person_village"]) == (None, "2600.00", "青竹村")
    assert row["id_number"].startswith("4228") and "**********" in row["id_number"] and len(row["id_number"]) == 18

    err = assert_json_error(_post(api, clerk, f"/api/v1/workshops/{second}/employees",
                                  {"person_id": person, "hire_date": "2026-06-01", "monthly_wage": "2600.00"}), 422)
    assert "青竹帮扶车间1号" in err["fields"]["hire_date"]

    ended = _post(api, tokens["reviewer"], f"/api/v1/workshop-employees/{row['id']}/end", {"leave_date": "2026-05-31"})
    assert ended.status_code == 200 and ended.get_json()["leave_date"] == "2026-05-31"
    err = assert_json_error(_post(api, clerk, f"/api/v1/workshops/{second}/employees",
                                  {"person_id": person, "hire_date": "2026-05-31", "monthly_wage": "2600.00"}), 422)
    assert "hire_date" in err["fields"]  # the last day at the first workshop is still taken
    moved = _post(api, clerk, f"/api/v1/workshops/{second}/employees",
                  {"person_id": person, "hire_date": "2026-06-01", "monthly_wage": "2800.00"})
    assert moved.status_code == 201

    listing = _get(api, clerk, f"/api/v1/workshops/{first}/employees")
    assert listing.headers["X-Total-Count"] == "1" and listing.get_json()[0]["id"] == row["id"]
    assert _get(api, clerk, f"/api/v1/workshops/{first}/employees?on=2026-07-01").get_json() == []
    assert len(_get(api, clerk, f"/api/v1/workshops/{second}/employees?on=2026-07-01").get_json()) == 1

    changed = _put(api, clerk, f"/api/v1/workshop-employees/{moved.get_json()['id']}",
                   {"hire_date": "2026-06-01", "leave_date": None, "monthly_wage": "3000.00"})
    assert changed.status_code == 200 and changed.get_json()["monthly_wage"] == "3000.00"

    err = assert_json_error(_post(api, clerk, f"/api/v1/workshops/{first}/employees",
                                  {"person_id": world.people["p_b1a"], "hire_date": "2026-03-01",
                                   "monthly_wage": "-5"}), 422)
    assert "person_id" in err["fields"]  # another county's person
    err = assert_json_error(_post(api, clerk, f"/api/v1/workshops/{first}/employees",
                                  {"person_id": world.people["p_a1a"], "hire_date": "2026-12-01",
                                   "monthly_wage": "2600.001"}), 422)
    assert {"hire_date", "monthly_wage"} <= set(err["fields"])
    assert_json_error(_post(api, clerk, f"/api/v1/workshops/{first}/employees",
                            {"person_id": person, "hire_date": "2026-03-01", "monthly_wage": "abc"}), 422)
    assert_json_error(_get(api, tokens["clerk_b"], f"/api/v1/workshop-employees/{row['id']}"), 404)
    assert_json_error(_post(api, tokens["clerk_b"], f"/api/v1/workshop-employees/{row['id']}/end",
                            {"leave_date": "2026-05-30"}), 404)
    assert_json_error(_post(api, tokens["auditor"], f"/api/v1/workshops/{first}/employees",
                            {"person_id": world.people["p_a1a"], "hire_date": "2026-03-01",
                             "monthly_wage": "2600.00"}), 403)


# ---- monthly reports and monitoring ---------------------------------------------------------------

def test_reports_move_the_workshop_into_watch_and_the_third_halted_month_proposes_its_exit(api, world, tokens, app):
    ws = _setup(app, make_workshop, world, "a1a", aided=8, certified_on=date(2026, 1, 1))
    clerk, url = tokens["clerk"], f"/api/v1/workshops/{ws}"
    resp = _put(api, clerk, f"{url}/reports/2026/8", _report())
    assert resp.status_code == 200, resp.get_json()
    month = resp.get_json()
    assert (month["year"], month["month"], month["aided"], month["reported"]) == (2026, 8, 8, True)
    assert month["report"]["wages_paid"] == "52000.00" and month["report"]["operating"] is True

    err = assert_json_error(_put(api, clerk, f"{url}/reports/2026/9", _report(total_employees=7)), 422)
    assert "8" in err["fields"]["total_employees"]  # fewer than the aided employees on record
    err = assert_json_error(_put(api, clerk, f"{url}/reports/2026/12", _report(violation=True)), 422)
    assert {"month", "violation_note"} <= set(err["fields"])
    assert_json_error(_put(api, clerk, f"{url}/reports/2026/9", _report(total_employees="20")), 422)
    assert_json_error(_put(api, tokens["admin"], f"{url}/reports/2026/9", _report()), 403)  # clerk or township
    assert_json_error(_put(api, tokens["clerk_b"], f"{url}/reports/2026/9", _report()), 404)

    for m in (9, 10):
        assert _put(api, tokens["reviewer"], f"{url}/reports/2026/{m}", _report(False)).status_code == 200
    body = _get(api, tokens["admin"], url).get_json()
    assert (body["state"], body["watch_condition"], body["watch_since"]) == ("watch", "halted", "2026-09-01")
    assert body["monitoring"]["ongoing"] == [{"condition": "halted", "started": "2026-09", "last": "2026-10",
                                              "months": 2, "needed": 3, "met": False, "met_in": None}]
    assert body["monitoring"]["last_month"] == "2026-10" and body["aided_now"] == 8

    assert _put(api, clerk, f"{url}/reports/2026/11", _report(False)).status_code == 200
    body = _get(api, tokens["admin"], url).get_json()
    assert body["state"] == "exiting" and body["open_exit_id"]
    assert body["monitoring"]["met"][0]["met_in"] == "2026-11"
    proposal = _get(api, tokens["reviewer"], f"/api/v1/workshop-exits/{body['open_exit_id']}").get_json()
    assert (proposal["condition"], proposal["proposed_by"], proposal["started_in"], proposal["state"]) == (
        "halted", None, "2026-09-01", "proposed")
    assert len(proposal["followup"]) == 8 and all("*" in e["id_number"] for e in proposal["followup"])

    months = _get(api, clerk, f"{url}/reports?per_page=3&page=4")
    assert months.headers["X-Total-Count"] == "11"  # January to November 2026
    assert [(m["month"], m["reported"]) for m in months.get_json()] == [(10, True), (11, True)]
    assert months.get_json()[0]["report"]["operating"] is False
    first = _get(api, clerk, f"{url}/reports?per_page=1").get_json()[0]
    assert (first["year"], first["month"], first["aided"], first["report"]) == (2026, 1, 8, None)


# ---- exits ----------------------------------------------------------------------------------------

def test_an_exit_through_proposal_notice_and_approval(api, world, tokens, app):
    ws = _setup(app, make_workshop, world, "a1a", aided=3, n=1, certified_on=date(2026, 9, 1))
    reviewer, admin = tokens["reviewer"], tokens["admin"]
    body = {"workshop_id": ws, "condition": "other", "reason": "企业经营困难，申请摘牌"}
    assert_json_error(_post(api, tokens["clerk"], "/api/v1/workshop-exits", body), 403)
    assert_json_error(_post(api, reviewer, "/api/v1/workshop-exits", body | {"reason": " "}), 422)
    resp = _post(api, reviewer, "/api/v1/workshop-exits", body)
    assert resp.status_code == 201, resp.get_json()
    proposal = resp.get_json()
    exit_url = f"/api/v1/workshop-exits/{proposal['id']}"
    assert (proposal["state"], proposal["proposed_on"], proposal["workshop_name"]) == (
        "proposed", TODAY.isoformat(), "青竹帮扶车间1号")
    assert _get(api, admin, f"/api/v1/workshops/{ws}").get_json()["state"] == "exiting"
    assert_json_error(_post(api, reviewer, "/api/v1/workshop-exits", body), 409, "exit_open")

    assert_json_error(_post(api, tokens["clerk"], f"{exit_url}/publish"), 403)
    published = _post(api, reviewer, f"{exit_url}/publish").get_json()
    assert (published["state"], published["notice_start"], published["notice_end"]) == (
        "in_notice", "2026-11-22", "2026-11-27")  # five working days after Sunday 22 November
    assert_json_error(_post(api, reviewer, f"{exit_url}/publish"), 409, "already_done")

    err = assert_json_error(_post(api, admin, f"{exit_url}/approve", {"effective_on": "2026-11-27"}), 422)
    assert "notice" in err["fields"]
    CLOCK["today"] = date(2026, 11, 30)
    assert_json_error(_post(api, reviewer, f"{exit_url}/approve", {"effective_on": "2026-11-30"}), 403)
    err = assert_json_error(_post(api, admin, f"{exit_url}/approve", {"effective_on": "2026-11-29"}), 422)
    assert "effective_on" in err["fields"]
    done = _post(api, admin, f"{exit_url}/approve", {"effective_on": "2026-11-30", "note": "公示无异议"})
    assert done.status_code == 200, done.get_json()
    done = done.get_json()
    assert (done["state"], done["effective_on"], done["decision_note"]) == ("exited", "2026-11-30", "公示无异议")
    assert {e["leave_date"] for e in done["followup"]} == {"2026-11-29"} and len(done["followup"]) == 3
    workshop = _get(api, admin, f"/api/v1/workshops/{ws}").get_json()
    assert (workshop["state"], workshop["exited_on"]) == ("exited", "2026-11-30")
    assert_json_error(_post(api, admin, f"{exit_url}/approve", {"effective_on": "2026-11-30"}), 409, "already_done")
    assert_json_error(_put(api, tokens["clerk"], f"/api/v1/workshops/{ws}/reports/2026/11", _report()), 422)

    listing = _get(api, tokens["clerk"], f"/api/v1/workshop-exits?workshop_id={ws}")
    assert [e["id"] for e in listing.get_json()] == [proposal["id"]] and listing.headers["X-Total-Count"] == "1"
    assert _get(api, tokens["clerk_b"], "/api/v1/workshop-exits").get_json() == []
    assert_json_error(_get(api, tokens["admin_b"], exit_url), 404)


def test_a_rejected_exit_resumes_the_workshop_and_nobody_approves_their_own(api, world, tokens, app):
    ws = _setup(app, make_workshop, world, "a1a", aided=6, n=1)
    admin = tokens["admin"]
    first = _post(api, tokens["reviewer"], "/api/v1/workshop-exits",
                  {"workshop_id": ws, "condition": "other", "reason": "群众反映"}).get_json()
    assert_json_error(_post(api, admin, f"/api/v1/workshop-exits/{first['id']}/reject", {"note": " "}), 422)
    rejected = _post(api, admin, f"/api/v1/workshop-exits/{first['id']}/reject", {"note": "核查不属实"}).get_json()
    assert (rejected["state"], rejected["decision_note"]) == ("rejected", "核查不属实")
    assert _get(api, admin, f"/api/v1/workshops/{ws}").get_json()["state"] == "normal"

    own = _post(api, admin, "/api/v1/workshop-exits",
                {"workshop_id": ws, "condition": "other", "reason": "县级核查", "evidence": "现场照片"}).get_json()
    assert _post(api, admin, f"/api/v1/workshop-exits/{own['id']}/publish").get_json()["state"] == "in_notice"
    CLOCK["today"] = date(2026, 12, 7)
    assert_json_error(_post(api, admin, f"/api/v1/workshop-exits/{own['id']}/approve", {"effective_on": "2026-12-31"}),
                      403, "own_submission")
    states = [e["state"] for e in _get(api, admin, f"/api/v1/workshop-exits?workshop_id={ws}").get_json()]
    assert states == ["in_notice", "rejected"]  # newest first, history kept


# ---- assessments ----------------------------------------------------------------------------------

def test_assessments_computed_approved_and_paid(api, world, tokens, app):
    ws = _setup(app, make_workshop, world, "a1a", aided=12, n=1)  # certified and hiring on 1 January 2025
    _setup(app, make_workshop, world, "a2a", aided=4, n=2)
    admin = tokens["admin"]
    assert_json_error(_post(api, admin, "/api/v1/workshop-assessments/compute", {"year": 2026}), 422,
                      "year_not_ended")
    assert_json_error(_post(api, tokens["reviewer"], "/api/v1/workshop-assessments/compute", {"year": 2025}), 403)
    resp = _post(api, admin, "/api/v1/workshop-assessments/compute", {"year": 2025})
    assert resp.status_code == 200, resp.get_json()
    rows = {r["workshop_id"]: r for r in resp.get_json()}
    ours = rows[ws]
    assert (ours["stable_aided"], ours["level"], ours["reward"], ours["classification"], ours["state"]) == (
        12, 2, "20000.00", "new", "computed")
    assert [r["reward"] for r in rows.values() if r["workshop_id"] != ws] == ["0.00"]

    listing = _get(api, tokens["clerk"], "/api/v1/workshop-assessments?year=2025")
    assert [r["id"] for r in listing.get_json()] == [ours["id"]] and listing.headers["X-Total-Count"] == "1"
    assert _get(api, tokens["clerk_b"], "/api/v1/workshop-assessments?year=2025").get_json() == []
    assert len(_get(api, tokens["auditor"], "/api/v1/workshop-assessments?year=2025").get_json()) == 2
    assert_json_error(_get(api, tokens["clerk"], "/api/v1/workshop-assessments"), 422)  # the year is required

    url = f"/api/v1/workshop-assessments/{ours['id']}"
    detail = _get(api, tokens["reviewer"], url).get_json()
    assert len(detail["stable_employees"]) == 12
    assert all("*" in p["id_number"] and len(p["id_number"]) == 18 for p in detail["stable_employees"])
    assert_json_error(_get(api, tokens["admin_b"], url), 404)

    payment = {"paid_on": TODAY.isoformat(), "bank_reference": "YX2026112201"}
    assert_json_error(_post(api, admin, f"{url}/payment", payment), 422, "illegal_move")
    assert_json_error(_post(api, tokens["reviewer"], f"{url}/approve"), 403)
    approved = _post(api, admin, f"{url}/approve").get_json()
    assert (approved["state"], approved["approved_on"]) == ("approved", TODAY.isoformat())
    assert_json_error(_post(api, admin, f"{url}/approve"), 409, "already_done")
    err = assert_json_error(_post(api, admin, f"{url}/payment", payment | {"paid_on": "2026-11-23"}), 422)
    assert err["field"] == "paid_on"
    assert_json_error(_post(api, admin, f"{url}/payment", payment | {"bank_reference": "x" * 61}), 422)
    paid = _post(api, admin, f"{url}/payment", payment).get_json()
    assert (paid["state"], paid["paid_on"], paid["bank_reference"]) == ("paid", "2026-11-22", "YX2026112201")

    err = assert_json_error(_put(api, tokens["clerk"], f"/api/v1/workshops/{ws}/reports/2025/6", _report()), 422)
    assert "2025" in err["fields"]["year"]  # the approved year is closed
    again = {r["id"]: r["state"] for r in _post(api, admin, "/api/v1/workshop-assessments/compute",
                                                {"year": 2025}).get_json()}
    assert again[ours["id"]] == "paid" and len(again) == 2  # a paid reward is never computed again


# ---- fuzzing on real records ----------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "who"), [(GenerationMode.POSITIVE, "clerk"), (GenerationMode.NEGATIVE, "admin")],
                         ids=["positive-clerk", "negative-admin"])
def test_fuzz_the_workshop_operations_on_real_records(app, world, make_token, mode, who):
    """test_fuzz.py meets an empty county (every id a 404); here the ids in the path are real records, so
    generated bodies reach the service: still never a 5xx, every answer as documented."""
    with app.app_context():
        ws = make_workshop(world, "a1a", aided=6, n=1)
        other = make_workshop(world, "a1a", aided=3, n=2, certified_on=date(2026, 1, 1))  # low aided: exit proposed
        file_reports(ws, (2026, 8), (2026, 10), operating=False)
        ids = {"workshop_id": ws, "employee_id": service.employees_on(workshop(ws))[0].id,
               "assessment_id": assessments.compute_year(user("admin"), 2025, today=TODAY)[0].id,
               "exit_id": queries.open_exit(other).id}
    headers = bearer(make_token(who))
    schema = schemathesis.openapi.from_wsgi(DOC_URL, app)
    failures = []
    for operation in (r.ok() for r in schema.get_all_operations()):
        if "workshop" not in operation.label:
            continue
        fixed = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        if mode is GenerationMode.NEGATIVE and not (
                len(operation.path_parameters) - len(fixed) + len(operation.query) + len(operation.body)):
            continue  # nothing left to make invalid

        @settings(FUZZ, max_examples=min(FUZZ.max_examples, 15))
        @given(case=operation.as_strategy(mode, headers=headers, path_parameters=fixed))
        def run(case):
            case.call_and_validate(checks=CHECKS[mode])

        try:
            run()
        except Exception as exc:  # gather every operation's failure before reporting
            failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)


# ---- ids inside bodies are loaded in the user's scope (issue 12, point 5) ----------------------------

def test_a_person_id_in_the_body_outside_the_clerks_scope_answers_as_a_missing_one(api, world, tokens, app):
    from portal.extensions import db
    from portal.registry.models import Person

    workshop_id = _setup(app, make_workshop, world, "a1a", n=1)
    (other_township,) = _setup(app, make_people, world, "a2a", 1)
    with app.app_context():
        hidden_name = db.session.get(Person, other_township).name
    answers = []
    for person_id in (other_township, world.people["p_b1a"], 2**31 - 1):
        resp = _post(api, tokens["clerk"], f"/api/v1/workshops/{workshop_id}/employees",
                     {"person_id": person_id, "hire_date": "2026-03-01", "monthly_wage": "2600.00"})
        assert hidden_name not in resp.get_data(as_text=True)
        answers.append((resp.status_code, resp.get_json()))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 422
    with app.app_context():
        from sqlalchemy import func, select

        from portal.workshops.models import WorkshopEmployee

        assert db.session.scalar(select(func.count()).select_from(WorkshopEmployee)) == 0
