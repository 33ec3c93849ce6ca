"""No 5xx on bad input, and nothing written (issue 12, point 3).

Every route of the app (pages and API) gets the matrix: ids beyond 2^31, 2^63 and 2^64 in every integer
path segment, out-of-range and non-numeric `?page=` and id queries, NUL and control characters in query,
form and JSON values, over-long text, and JSON nested deeper than the limit. The answer is never a 5xx,
and the database holds exactly the rows it held before (every write of the portal leaves an audit row).
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.api.conftest import bearer

HUGE = (2**31, 2**63, 2**64, 10**30)
ARG_RE = re.compile(r"<(?:(\w+):)?(\w+)>")
TEXT_FIELDS = ("name", "title", "full_name", "number", "address", "bank_name", "training_wish", "note", "reason",
               "q", "username", "password", "comment", "evidence", "enterprise", "value", "kind", "month")
BAD_STRINGS = ("x\x00y", "\x1b[31m", "a\x07b", "\u2028", "x" * 5000)
QUERIES = ("?page=" + str(10**30), "?page=-3", "?page=abc", "?village_id=" + str(2**64), "?township_id=99999999999",
           "?q=%00", "?year=" + str(10**20), "?month=%00")


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


def _snapshot(app) -> dict[str, int]:
    from portal.extensions import db

    with app.app_context():
        counts = {}
        for table in db.metadata.sorted_tables:
            if table.name in ("login_sessions", "api_tokens"):
                continue
            counts[table.name] = db.session.scalar(select(func.count()).select_from(table))
        db.session.remove()
        return counts


def _urls(rule) -> list[str]:
    """The rule's path with every integer argument huge (one URL per value); others get a plain word."""
    if not ARG_RE.search(rule.rule):
        return [rule.rule]
    urls = []
    for value in HUGE:
        def fill(m, value=value):
            return str(value) if m.group(1) == "int" else "x"
        urls.append(ARG_RE.sub(fill, rule.rule))
    return urls


def _rules(app, api: bool):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/") != api:
            continue
        yield rule


def _assert_no_5xx(failures: list, method: str, url: str, resp) -> None:
    if resp.status_code >= 500:
        failures.append((method, url, resp.status_code))


def test_pages_answer_bad_input_without_5xx_and_write_nothing(app, world, login):
    before = _snapshot(app)
    failures: list = []
    sent = 0
    for username in ("admin", "clerk", "reviewer"):
        client = login(username)
        before = _snapshot(app)  # the login itself wrote its audit row
        for rule in _rules(app, api=False):
            if rule.endpoint == "accounts.logout":
                continue
            for url in _urls(rule):
                if "GET" in rule.methods:
                    for query in ("", *QUERIES):
                        _assert_no_5xx(failures, "GET", url + query, client.get(url + query))
                        sent += 1
                if "POST" in rule.methods:
                    for bad in BAD_STRINGS:
                        form = {name: bad for name in TEXT_FIELDS}
                        _assert_no_5xx(failures, "POST", url, client.post(url, data=form))
                        sent += 1
        assert _snapshot(app) == before, username
    assert not failures, failures[:20]
    assert sent > 1000


def test_the_api_answers_bad_input_without_5xx_and_writes_nothing(app, world, make_token, api):
    failures: list = []
    sent = 0
    for username in ("admin", "clerk"):
        headers = bearer(make_token(username))
        before = _snapshot(app)
        for rule in _rules(app, api=True):
            for url in _urls(rule):
                if "GET" in rule.methods:
                    for query in ("", *QUERIES):
                        _assert_no_5xx(failures, "GET", url + query, api.get(url + query, headers=headers))
                        sent += 1
                for method in ("POST", "PUT", "PATCH"):
                    if method not in rule.methods:
                        continue
                    bodies = [{name: bad for name in TEXT_FIELDS} for bad in BAD_STRINGS]
                    for body in bodies:
                        resp = api.open(url, method=method, json=body, headers=headers)
                        _assert_no_5xx(failures, method, url, resp)
                        sent += 1
                    for depth in (40, 5000, 100_000):
                        resp = api.open(url, method=method, data=deep_json(depth), headers=headers,
                                        content_type="application/json")
                        _assert_no_5xx(failures, method, url + f" depth={depth}", resp)
                        sent += 1
        assert _snapshot(app) == before, username
    assert not failures, failures[:20]
    assert sent > 500


@pytest.mark.parametrize("bad", ["x\x00y", "a\x1bb", "\u2028"])
def test_a_control_character_in_a_form_is_refused_with_a_message_and_nothing_stored(app, world, login, bad):
    from portal.extensions import db
    from portal.registry.models import Household

    clerk = login("clerk")
    resp = clerk.post("/registry/households/new", data={"number": "H-new", "category": "lifted",
                                                       "address": bad})
    assert resp.status_code == 400
    assert "control" in resp.get_data(as_text=True).lower() or "控制字符" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Household).where(
            Household.number == "H-new")) == 0


def test_a_control_character_in_json_is_refused_with_a_message(world, make_token, api):
    resp = api.get("/api/v1/villages?q=a%00b", headers=bearer(make_token("admin")))
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "validation_error" and "q" in error["fields"]["query"]


def test_json_nested_deeper_than_the_limit_is_refused(world, make_token, api):
    resp = api.post("/api/v1/households", data=deep_json(64), content_type="application/json",
                    headers=bearer(make_token("clerk")))
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "too_deep"


@pytest.mark.parametrize("field, max_length", [("bank_name", 60), ("training_wish", 120), ("note", 2000),
                                               ("name", 40)])
def test_the_register_length_rules_are_in_the_rules(field, max_length):
    from portal.registry.rules import PersonData, check_person

    data = PersonData(name="张三", id_number="", relation_to_head="head", labour_capacity="full",
                      employment_status="unemployed", bank_account="622588001234567", bank_name="农商行")
    setattr(data, field, "x" * (max_length + 1))
    problems, _parsed = check_person(data)
    assert any(p.field == field and p.code == "too_long" for p in problems)


def test_the_ledger_import_refuses_long_bank_names_and_control_characters(app, world):
    from portal.core.imports import ImportRejected
    from portal.registry.ledger.service import import_ledger, parse_ledger
    from tests.ledger_files import people, workbook

    rows = people(3)
    rows[0]["开户银行"] = "银" * 61
    rows[1]["培训意愿"] = "电工" * 61
    rows[2]["备注"] = "a\x7fb"  # openpyxl cannot even write a NUL; DEL it can
    with app.test_request_context(), pytest.raises(ImportRejected) as rejected:
        from portal.accounts.models import User
        from portal.extensions import db

        clerk = db.session.execute(select(User).where(User.username == "clerk")).scalar_one()
        import_ledger(clerk, clerk.village_id, parse_ledger(workbook(rows)))
    columns = {(e.row, e.column) for e in rejected.value.errors}
    assert {(2, "开户银行"), (3, "培训意愿"), (4, "备注")} <= columns
