"""The register's JSON API: households and people under /api/v1, with the pages' checks, scope and masking."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import jsonschema_rs
import pytest

from tests.api.conftest import assert_json_error, bearer

USERS = ("admin", "auditor", "reviewer", "reviewer2", "clerk", "clerk_b", "admin_b")
SCOPES = {  # user -> villages whose register they see
    "admin": {"a1a", "a1b", "a2a"},
    "auditor": {"a1a", "a1b", "a2a"},
    "reviewer": {"a1a", "a1b"},
    "reviewer2": {"a1a", "a1b"},
    "clerk": {"a1a"},
    "clerk_b": {"a1b"},
    "admin_b": {"b1a"},
}
READ_ONLY = ("auditor", "reviewer")

# Li Si of village a1a: every personal field filled in.
LI_ID = "422825198503152346"  # born 1985-03-15, female
LI_PHONE = "13812345678"
LI_ACCOUNT = "6225880012345678"
# Wang Wu of village a2a (township A2).
WANG_ID = "422825199001011118"  # born 1990-01-01, male
NEW_ID = "422825197707071359"  # born 1977-07-07, male; not registered yet
BAD_CHECK_DIGIT = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")


# ---- fixtures -------------------------------------------------------------------------------------


@pytest.fixture
def tokens(app, world) -> dict[str, dict[str, str]]:
    """Bearer headers of every user of the world, made with the account service."""
    from sqlalchemy import select

    from portal.accounts.models import User
    from portal.accounts.service import create_token
    from portal.extensions import db

    out = {}
    with app.app_context():
        for username in USERS:
            user = db.session.execute(select(User).where(User.username == username)).scalar_one()
            out[username] = bearer(create_token(user, "registry-api-test"))
        db.session.remove()
    return out


@pytest.fixture
def reg(app, world) -> dict[str, int]:
    """More of the register: a monitored household in a1a with Li Si, a household in a2a with Wang Wu."""
    from portal.extensions import db
    from portal.registry.models import Household, Person

    with app.app_context():
        hh_li = Household(village_id=world.ids["a1a"], number="A1A-002", category="monitored",
                          monitored_subtype="marginal", address="青竹村三组")
        hh_wang = Household(village_id=world.ids["a2a"], number="A2A-001", category="low_income")
        db.session.add_all([hh_li, hh_wang])
        db.session.flush()
        li = Person(household_id=hh_li.id, village_id=hh_li.village_id, name="李四", id_number=LI_ID,
                    birth_date=date(1985, 3, 15), sex="F", relation_to_head="head", labour_capacity="half",
                    disabled=True, disability_grade=2, phone=LI_PHONE, bank_name="农商银行",
                    bank_account=LI_ACCOUNT, employment_status="welfare_post", monthly_income=Decimal("1500.50"))
        wang = Person(household_id=hh_wang.id, village_id=hh_wang.village_id, name="王五", id_number=WANG_ID,
                      birth_date=date(1990, 1, 1), sex="M", relation_to_head="head", labour_capacity="full",
                      phone="13900001111", employment_status="migrant_out_of_province")
        db.session.add_all([li, wang])
        db.session.commit()
        ids = {"hh_li": hh_li.id, "hh_wang": hh_wang.id, "li": li.id, "wang": wang.id}
        for key in ("a1a", "a1b", "b1a"):
            ids[f"hh_{key}"] = db.session.get(Person, world.people[f"p_{key}"]).household_id
        db.session.remove()
    return ids


@pytest.fixture
def client(app):
    """A bare test client: no session cookie, bearer tokens only."""
    return app.test_client()


def _person_row(app, person_id: int) -> dict:
    from portal.extensions import db
    from portal.registry.models import Person

    with app.app_context():
        p = db.session.get(Person, person_id)
        row = {c: getattr(p, c) for c in ("name", "id_number", "birth_date", "sex", "phone", "bank_account",
                                         "household_id", "disabled", "disability_grade", "monthly_income",
                                         "employment_status", "labour_capacity")} if p else None
        db.session.remove()
    return row


def _audit(app, action: str | None = None) -> list[dict]:
    from sqlalchemy import select

    from portal.core.auditlog import AuditEntry
    from portal.extensions import db

    with app.app_context():
        stmt = select(AuditEntry).order_by(AuditEntry.seq)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        rows = [{"action": e.action, "actor": e.actor_name, "entity_type": e.entity_type,
                 "entity_id": e.entity_id, "before": e.before, "after": e.after}
                for e in db.session.execute(stmt).scalars()]
        db.session.remove()
    return rows


def _full_values(world_ids: list[str]) -> list[str]:
    """Every full personal value that must never appear in a masked answer."""
    return [*world_ids, LI_ID, LI_PHONE, LI_ACCOUNT, WANG_ID, "13900001111"]


def _world_ids(app, world) -> list[str]:
    return [_person_row(app, pid)["id_number"] for pid in world.people.values()]


def _new_person(**over) -> dict:
    body = {"name": "赵六", "id_number": NEW_ID, "relation_to_head": "spouse", "labour_capacity": "full",
            "employment_status": "in_county", "phone": "13700002222", "bank_name": "农商银行",
            "bank_account": "6228480011112222", "monthly_income": "2600.5"}
    return body | over


# ---- households: read and scope --------------------------------------------------------------------


@pytest.mark.parametrize("user", USERS)
def test_household_list_is_exactly_the_scope_of_each_role(app, world, reg, tokens, client, user):
    resp = client.get("/api/v1/households", headers=tokens[user])
    assert resp.status_code == 200
    rows = resp.get_json()
    village_of = {"hh_li": "a1a", "hh_wang": "a2a", "hh_a1a": "a1a", "hh_a1b": "a1b", "hh_b1a": "b1a"}
    expected = {reg[key] for key, village in village_of.items() if village in SCOPES[user]}
    assert {r["id"] for r in rows} == expected
    assert resp.headers["X-Total-Count"] == str(len(expected))
    village_ids = {world.ids[k] for k in SCOPES[user]}
    assert all(r["village"]["id"] in village_ids for r in rows)


def test_household_list_filters_and_pages(world, reg, tokens, client):
    h = tokens["admin"]

    def ids(query):
        resp = client.get("/api/v1/households", query_string=query, headers=h)
        assert resp.status_code == 200, resp.get_json()
        return [r["id"] for r in resp.get_json()], int(resp.headers["X-Total-Count"])

    assert ids({"village_id": world.ids["a1a"]}) == ([reg["hh_li"], reg["hh_a1a"]], 2)  # by number: A1A-002, H-p_a1a
    assert ids({"category": "monitored"}) == ([reg["hh_li"]], 1)
    assert ids({"category": "low_income"}) == ([reg["hh_wang"]], 1)
    assert ids({"q": "三组"}) == ([reg["hh_li"]], 1)  # address
    assert ids({"q": "A2A"}) == ([reg["hh_wang"]], 1)  # number
    assert ids({"q": "%"}) == ([], 0)  # LIKE wildcards are literal
    assert ids({"village_id": world.ids["b1a"]}) == ([], 0)  # county B: nothing, not its households
    first, total = ids({"per_page": 1, "page": 1})
    second, _ = ids({"per_page": 1, "page": 2})
    assert total == 4 and len(first) == len(second) == 1 and first != second
    assert ids({"per_page": 2, "page": 3}) == ([], 4)

    for query in ({"per_page": 0}, {"per_page": 501}, {"page": 0}, {"page": "x"}, {"category": "rich"},
                  {"village_id": 2**31}, {"village_id": 2**63}, {"q": "a\x00b"}, {"page": 2**62}):
        resp = client.get("/api/v1/households", query_string=query, headers=h)
        err = assert_json_error(resp, 422, "validation_error")
        assert set(query) <= set(err["fields"]["query"]), (query, err)


def test_household_read_has_its_members_masked(world, reg, tokens, client):
    resp = client.get(f"/api/v1/households/{reg['hh_li']}", headers=tokens["clerk"])
    assert resp.status_code == 200
    hh = resp.get_json()
    assert hh["number"] == "A1A-002" and hh["category"] == "monitored" and hh["monitored_subtype"] == "marginal"
    assert hh["village"] == {"id": world.ids["a1a"], "code": "422825101201", "name": "青竹村"}
    [li] = hh["members"]
    assert li["name"] == "李四"
    assert li["id_number"] == "4228**********2346"
    assert li["phone"] == "138****5678"
    assert li["bank_account"] == "622588******5678"
    assert li["monthly_income"] == "1500.50"


@pytest.mark.parametrize(("user", "key"), [
    ("clerk", "hh_a1b"), ("clerk", "hh_wang"), ("clerk_b", "hh_li"), ("reviewer", "hh_wang"),
    ("admin", "hh_b1a"), ("auditor", "hh_b1a"), ("admin_b", "hh_li"),
])
def test_household_outside_scope_is_404_like_a_missing_one(reg, tokens, client, user, key):
    err = assert_json_error(client.get(f"/api/v1/households/{reg[key]}", headers=tokens[user]), 404, "not_found")
    missing = client.get("/api/v1/households/999999", headers=tokens[user])
    assert missing.get_json() == {"error": err}
    # Nor can it be changed or added to.
    assert_json_error(client.patch(f"/api/v1/households/{reg[key]}", json={"address": "x"}, headers=tokens[user]),
                      404, "not_found")
    assert_json_error(client.post(f"/api/v1/households/{reg[key]}/people", json=_new_person(),
                                  headers=tokens[user]), 404, "not_found")


@pytest.mark.parametrize("path", ["/api/v1/households/0", f"/api/v1/households/{2**31}", f"/api/v1/households/{2**63}",
                                  f"/api/v1/people/{2**63}", f"/api/v1/people/{2**31}/reveal?field=phone"])
def test_ids_beyond_the_column_are_404_not_a_server_error(tokens, client, path):
    assert_json_error(client.get(path, headers=tokens["admin"]), 404, "not_found")


# ---- households: write ----------------------------------------------------------------------------


def test_clerk_creates_a_household_in_their_own_village(app, world, tokens, client):
    body = {"number": "A1A-010", "category": "monitored", "monitored_subtype": "sudden_hardship",
            "address": " 青竹村一组 "}
    resp = client.post("/api/v1/households", json=body, headers=tokens["clerk"])
    assert resp.status_code == 201, resp.get_json()
    hh = resp.get_json()
    assert hh["village"]["id"] == world.ids["a1a"]
    assert (hh["number"], hh["category"], hh["monitored_subtype"], hh["address"]) == (
        "A1A-010", "monitored", "sudden_hardship", "青竹村一组")
    assert hh["members"] == [] and hh["risk_eliminated"] is False
    [entry] = _audit(app, "create")[-1:]
    assert (entry["entity_type"], entry["entity_id"], entry["actor"]) == ("household", str(hh["id"]), "clerk")
    # It is theirs to read; the clerk of the next village does not see it.
    assert client.get(f"/api/v1/households/{hh['id']}", headers=tokens["clerk"]).status_code == 200
    assert client.get(f"/api/v1/households/{hh['id']}", headers=tokens["clerk_b"]).status_code == 404


def test_county_admin_names_the_village(world, tokens, client):
    h = tokens["admin"]
    err = assert_json_error(client.post("/api/v1/households", json={"number": "X-1", "category": "general"},
                                        headers=h), 422, "invalid_data")
    assert set(err["fields"]) == {"village_id"}
    resp = client.post("/api/v1/households", json={"village_id": world.ids["a2a"], "number": "X-1",
                                                   "category": "general"}, headers=h)
    assert resp.status_code == 201 and resp.get_json()["village"]["id"] == world.ids["a2a"]
    # A village of county B, or none at all, is outside the admin's area.
    for village_id in (world.ids["b1a"], 999999):
        resp = client.post("/api/v1/households", json={"village_id": village_id, "number": "X-2",
                                                       "category": "general"}, headers=h)
        assert_json_error(resp, 403, "not_allowed")


def test_clerk_cannot_create_in_another_village(world, tokens, client):
    resp = client.post("/api/v1/households", json={"village_id": world.ids["a1b"], "number": "X-3",
                                                   "category": "general"}, headers=tokens["clerk"])
    assert_json_error(resp, 403, "not_allowed")


def test_household_validation(reg, tokens, client):
    h = tokens["clerk"]
    # An unknown category is refused by the schema (an enum of the register's categories).
    err = assert_json_error(client.post("/api/v1/households", json={"number": "X-4", "category": "rich"}, headers=h),
                            422, "validation_error")
    assert "category" in err["fields"]["json"]
    # A monitored household needs its type; a bad number; both reported at once by the rules.
    err = assert_json_error(client.post("/api/v1/households", json={"number": "X 4!", "category": "monitored"},
                                        headers=h), 422, "invalid_data")
    assert set(err["fields"]) == {"number", "monitored_subtype"}
    # A number already used in the village.
    err = assert_json_error(client.post("/api/v1/households", json={"number": "A1A-002", "category": "general"},
                                        headers=h), 409, "conflict")
    assert "A1A-002" in err["message"] and err["field"] == "number"
    # Fields the API does not know, read-only ones included, are refused.
    for extra in ({"id": 5}, {"members": []}, {"colour": "red"}):
        err = assert_json_error(client.post("/api/v1/households", json={"number": "X-5", "category": "general",
                                                                        **extra}, headers=h), 422, "validation_error")
        assert set(extra) <= set(err["fields"]["json"])
    # Missing required fields.
    err = assert_json_error(client.post("/api/v1/households", json={}, headers=h), 422, "validation_error")
    assert {"number", "category"} <= set(err["fields"]["json"])


def test_patch_household_changes_only_the_given_fields(app, reg, tokens, client):
    url = f"/api/v1/households/{reg['hh_li']}"
    resp = client.patch(url, json={"address": "青竹村四组", "risk_eliminated": True}, headers=tokens["clerk"])
    assert resp.status_code == 200, resp.get_json()
    hh = resp.get_json()
    assert (hh["number"], hh["category"], hh["monitored_subtype"]) == ("A1A-002", "monitored", "marginal")
    assert (hh["address"], hh["risk_eliminated"]) == ("青竹村四组", True)
    # No longer monitored: the monitored type goes with the category.
    resp = client.patch(url, json={"category": "lifted"}, headers=tokens["admin"])
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["category"], resp.get_json()["monitored_subtype"]) == ("lifted", None)
    # Still checked by the rules: a subtype on a non-monitored household, a number taken in the village.
    err = assert_json_error(client.patch(url, json={"monitored_subtype": "unstable"}, headers=tokens["clerk"]),
                            422, "invalid_data")
    assert set(err["fields"]) == {"monitored_subtype"}
    assert client.post("/api/v1/households", json={"number": "A1A-009", "category": "general"},
                       headers=tokens["clerk"]).status_code == 201
    assert_json_error(client.patch(url, json={"number": "A1A-009"}, headers=tokens["clerk"]), 409, "conflict")
    # The village is not changed through a patch.
    err = assert_json_error(client.patch(url, json={"village_id": 1}, headers=tokens["admin"]), 422,
                            "validation_error")
    assert "village_id" in err["fields"]["json"]
    updates = [e for e in _audit(app, "update") if e["entity_type"] == "household"]
    assert len(updates) == 2


@pytest.mark.parametrize("user", READ_ONLY)
def test_read_only_roles_cannot_write(app, world, reg, tokens, client, user):
    h = tokens[user]
    before = _audit(app)
    calls = [
        client.post("/api/v1/households", json={"village_id": world.ids["a1a"], "number": "X-9",
                                                "category": "general"}, headers=h),
        client.post("/api/v1/households", json={"number": "X-9", "category": "general"}, headers=h),
        client.patch(f"/api/v1/households/{reg['hh_li']}", json={"address": "x"}, headers=h),
        client.post(f"/api/v1/households/{reg['hh_li']}/people", json=_new_person(), headers=h),
        client.patch(f"/api/v1/people/{reg['li']}", json={"name": "改名"}, headers=h),
    ]
    for resp in calls:
        assert_json_error(resp, 403, "not_allowed")
    assert _audit(app) == before
    assert _person_row(app, reg["li"])["name"] == "李四"


def test_the_token_is_checked_before_the_body(reg, client):
    for resp in (client.post("/api/v1/households", json={"category": "rich"}),
                 client.patch(f"/api/v1/people/{reg['li']}", json={"sex": "M"}),
                 client.get(f"/api/v1/people/{reg['li']}/reveal?field=nope"),
                 client.get("/api/v1/people?page=0")):
        assert_json_error(resp, 401, "unauthorized")


# ---- people: read and scope -----------------------------------------------------------------------


@pytest.mark.parametrize("user", USERS)
def test_people_list_is_exactly_the_scope_of_each_role(world, reg, tokens, client, user):
    resp = client.get("/api/v1/people", query_string={"per_page": 500}, headers=tokens[user])
    assert resp.status_code == 200
    village_of = {world.people["p_a1a"]: "a1a", world.people["p_a1b"]: "a1b", world.people["p_b1a"]: "b1a",
                  reg["li"]: "a1a", reg["wang"]: "a2a"}
    expected = {pid for pid, village in village_of.items() if village in SCOPES[user]}
    assert {r["id"] for r in resp.get_json()} == expected
    assert resp.headers["X-Total-Count"] == str(len(expected))
    for pid, village in village_of.items():
        status = client.get(f"/api/v1/people/{pid}", headers=tokens[user]).status_code
        assert status == (200 if village in SCOPES[user] else 404), (user, village)


def test_people_filters(app, world, reg, tokens, client):
    def ids(user, **query):
        resp = client.get("/api/v1/people", query_string=query, headers=tokens[user])
        assert resp.status_code == 200, resp.get_json()
        assert resp.headers["X-Total-Count"] == str(len(resp.get_json()))
        return {r["id"] for r in resp.get_json()}

    assert ids("admin", q="李") == {reg["li"]}
    assert ids("admin", q=LI_ID) == {reg["li"]}  # a full resident ID finds its person
    assert ids("admin", q="A2A-001") == {reg["wang"]}  # a household number
    assert ids("admin", category="monitored") == {reg["li"]}
    assert ids("admin", capacity="half") == {reg["li"]}
    assert ids("admin", status="migrant_out_of_province") == {reg["wang"]}
    assert ids("admin", village_id=world.ids["a2a"]) == {reg["wang"]}
    assert ids("admin", township_id=world.ids["a1"]) == {reg["li"], world.people["p_a1a"], world.people["p_a1b"]}
    # Filters never widen the scope.
    assert ids("admin", township_id=world.ids["b1"]) == set()
    assert ids("admin", q=_world_ids(app, world)[2]) == set()  # the person of county B, by full ID
    assert ids("reviewer", village_id=world.ids["a2a"]) == set()
    assert ids("clerk", township_id=world.ids["a1"]) == {reg["li"], world.people["p_a1a"]}
    assert ids("clerk", q=WANG_ID) == set()
    for query in ({"capacity": "strong"}, {"status": "rich"}, {"category": "x"}, {"township_id": "x"},
                  {"sort": "id_number"}, {"per_page": 0}, {"q": "\x00"}):
        err = assert_json_error(client.get("/api/v1/people", query_string=query, headers=tokens["admin"]),
                                422, "validation_error")
        assert set(query) <= set(err["fields"]["query"])


def test_person_read_is_masked_and_derives_birth_date_and_sex(reg, tokens, client):
    resp = client.get(f"/api/v1/people/{reg['li']}", headers=tokens["clerk"])
    assert resp.status_code == 200
    li = resp.get_json()
    assert li["id_number"] == "4228**********2346"
    assert li["phone"] == "138****5678"
    assert li["bank_account"] == "622588******5678"
    assert (li["birth_date"], li["sex"]) == ("1985-03-15", "F")
    assert (li["household_id"], li["household_number"]) == (reg["hh_li"], "A1A-002")
    assert li["monthly_income"] == "1500.50" and isinstance(li["monthly_income"], str)
    assert (li["disabled"], li["disability_grade"]) == (True, 2)


@pytest.mark.parametrize("user", USERS)
def test_no_full_personal_value_in_any_answer_for_any_role(app, world, reg, tokens, client, user):
    """Lists and reads of every role: the raw text holds no full ID, phone or account, only masks."""
    secrets = _full_values(_world_ids(app, world))
    h = tokens[user]
    urls = ["/api/v1/people?per_page=500", "/api/v1/households?per_page=500", f"/api/v1/people?q={LI_ID}"]
    urls += [f"/api/v1/people/{pid}" for pid in (reg["li"], reg["wang"], *world.people.values())]
    urls += [f"/api/v1/households/{reg[k]}" for k in ("hh_li", "hh_wang", "hh_a1a", "hh_a1b", "hh_b1a")]
    seen = 0
    for url in urls:
        resp = client.get(url, headers=h)
        text = resp.get_data(as_text=True)
        assert resp.status_code in (200, 404), url
        seen += resp.status_code == 200
        for value in secrets:
            assert value not in text, (user, url, value)
    assert seen >= 4, "the role saw too little for the check to mean anything"
    if "a1a" in SCOPES[user]:
        text = client.get(f"/api/v1/people/{reg['li']}", headers=h).get_data(as_text=True)
        assert "4228**********2346" in text and "138****5678" in text and "622588******5678" in text


# ---- people: write --------------------------------------------------------------------------------


def test_clerk_adds_a_person(app, world, reg, tokens, client):
    body = _new_person(id_number=" " + NEW_ID.lower() + " ", bank_account="6228 4800 1111 2222")
    resp = client.post(f"/api/v1/households/{reg['hh_li']}/people", json=body, headers=tokens["clerk"])
    assert resp.status_code == 201, resp.get_json()
    p = resp.get_json()
    assert (p["birth_date"], p["sex"]) == ("1977-07-07", "M")
    assert p["id_number"] == "4228**********1359" and p["phone"] == "137****2222"
    assert p["bank_account"] == "622848******2222"
    assert p["monthly_income"] == "2600.50"
    assert (p["household_id"], p["village_id"]) == (reg["hh_li"], world.ids["a1a"])
    text = resp.get_data(as_text=True)
    assert NEW_ID not in text and "13700002222" not in text and "6228480011112222" not in text
    stored = _person_row(app, p["id"])
    assert stored["id_number"] == NEW_ID and stored["bank_account"] == "6228480011112222"
    assert stored["monthly_income"] == Decimal("2600.50")
    entry = _audit(app, "create")[-1]
    assert (entry["entity_type"], entry["entity_id"]) == ("person", str(p["id"]))
    assert NEW_ID not in entry["after"] and "4228**********1359" in entry["after"]


def test_county_admin_adds_a_person(reg, tokens, client):
    resp = client.post(f"/api/v1/households/{reg['hh_wang']}/people", json=_new_person(), headers=tokens["admin"])
    assert resp.status_code == 201, resp.get_json()


def test_person_validation(app, reg, tokens, client):
    url = f"/api/v1/households/{reg['hh_li']}/people"
    h = tokens["clerk"]
    # A wrong check digit: refused by the rules, named on its field.
    err = assert_json_error(client.post(url, json=_new_person(id_number=BAD_CHECK_DIGIT), headers=h),
                            422, "invalid_data")
    assert set(err["fields"]) == {"id_number"} and err["field"] == "id_number"
    assert BAD_CHECK_DIGIT not in json.dumps(err)
    # Every wrong field at once.
    err = assert_json_error(client.post(url, json=_new_person(phone="12345", bank_name="", monthly_income="1.005",
                                                              disability_grade=2), headers=h), 422, "invalid_data")
    assert set(err["fields"]) == {"phone", "bank_name", "monthly_income", "disability_grade"}
    # Unknown choices, read-only and unknown fields, wrong types: refused by the schema.
    for body, field in ((_new_person(labour_capacity="strong"), "labour_capacity"),
                        (_new_person(employment_status="rich"), "employment_status"),
                        (_new_person(relation_to_head="boss"), "relation_to_head"),
                        (_new_person(birth_date="1970-01-01"), "birth_date"),
                        (_new_person(sex="F"), "sex"),
                        (_new_person(household_id=reg["hh_li"]), "household_id"),
                        (_new_person(monthly_income="NaN"), "monthly_income"),
                        (_new_person(monthly_income="abc"), "monthly_income"),
                        (_new_person(disability_grade=7, disabled=True), "disability_grade"),
                        (_new_person(bank_name="银" * 61), "bank_name"),
                        (_new_person(name="a\x00b"), "name"),
                        ({k: v for k, v in _new_person().items() if k != "id_number"}, "id_number")):
        err = assert_json_error(client.post(url, json=body, headers=h), 422, "validation_error")
        assert field in err["fields"]["json"], (field, err)
    assert _person_row(app, 999999) is None
    assert not [e for e in _audit(app, "create") if e["entity_type"] == "person"]


@pytest.mark.parametrize(("user", "household"), [("clerk", "hh_li"), ("clerk_b", "hh_a1b"), ("admin", "hh_wang")])
def test_a_duplicate_resident_id_is_409_naming_village_and_masked_id(tokens, reg, client, user, household):
    """One resident ID is one person county-wide; the refusal says where the existing record lives."""
    resp = client.post(f"/api/v1/households/{reg[household]}/people", json=_new_person(id_number=LI_ID),
                       headers=tokens[user])
    err = assert_json_error(resp, 409, "conflict")
    assert "青竹村" in err["message"] and "4228**********2346" in err["message"]
    assert err["field"] == "id_number"
    assert LI_ID not in resp.get_data(as_text=True)


def test_patch_person_merges_the_given_fields(app, reg, tokens, client):
    url = f"/api/v1/people/{reg['li']}"
    resp = client.patch(url, json={"phone": "0718-1234567", "monthly_income": "1800"}, headers=tokens["clerk"])
    assert resp.status_code == 200, resp.get_json()
    stored = _person_row(app, reg["li"])
    assert stored["phone"] == "0718-1234567" and stored["monthly_income"] == Decimal("1800.00")
    assert (stored["name"], stored["id_number"], stored["bank_account"], stored["disability_grade"]) == (
        "李四", LI_ID, LI_ACCOUNT, 2)
    assert resp.get_json()["phone"] == "071*****4567" and resp.get_json()["monthly_income"] == "1800.00"

    # A new resident ID: birth date and sex follow it.
    resp = client.patch(url, json={"id_number": NEW_ID}, headers=tokens["admin"])
    assert resp.status_code == 200, resp.get_json()
    assert (resp.get_json()["birth_date"], resp.get_json()["sex"]) == ("1977-07-07", "M")
    # No longer disabled: the grade goes with the mark.
    resp = client.patch(url, json={"disabled": False}, headers=tokens["clerk"])
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["disability_grade"] is None
    # Moved to another household of the same village.
    resp = client.patch(url, json={"household_id": reg["hh_a1a"]}, headers=tokens["clerk"])
    assert resp.status_code == 200 and resp.get_json()["household_id"] == reg["hh_a1a"]

    # Every change is in the audit log, personal data masked there too.
    updates = [e for e in _audit(app, "update") if e["entity_type"] == "person"]
    assert len(updates) == 4
    assert not any(v in e["before"] + e["after"] for e in updates for v in (LI_ID, NEW_ID, LI_ACCOUNT))


def test_patch_person_is_checked_like_a_new_one(app, world, reg, tokens, client):
    url = f"/api/v1/people/{reg['li']}"
    h = tokens["clerk"]
    err = assert_json_error(client.patch(url, json={"id_number": BAD_CHECK_DIGIT}, headers=h), 422, "invalid_data")
    assert set(err["fields"]) == {"id_number"}
    err = assert_json_error(client.patch(url, json={"id_number": _world_ids(app, world)[1]}, headers=h),
                            409, "conflict")
    assert "石门村" in err["message"]
    err = assert_json_error(client.patch(url, json={"bank_name": ""}, headers=h), 422, "invalid_data")
    assert set(err["fields"]) == {"bank_name"}
    for body, field in (({"sex": "M"}, "sex"), ({"birth_date": "2000-01-01"}, "birth_date"),
                        ({"id": 1}, "id"), ({"labour_capacity": "strong"}, "labour_capacity"),
                        ({"name": None}, "name")):
        err = assert_json_error(client.patch(url, json=body, headers=h), 422, "validation_error")
        assert field in err["fields"]["json"]
    # Another village's household, or none: one answer, nothing moves.
    for household_id in (reg["hh_a1b"], reg["hh_b1a"], 999999):
        err = assert_json_error(client.patch(url, json={"household_id": household_id}, headers=h), 422)
        assert err["field"] == "household"
    assert _person_row(app, reg["li"])["household_id"] == reg["hh_li"]
    assert _person_row(app, reg["li"])["id_number"] == LI_ID


@pytest.mark.parametrize(("user", "key"), [("clerk_b", "li"), ("clerk", "wang"), ("reviewer", "wang"),
                                           ("admin_b", "li"), ("admin", "p_b1a")])
def test_person_outside_scope_is_404(world, reg, tokens, client, user, key):
    pid = world.people[key] if key.startswith("p_") else reg[key]
    h = tokens[user]
    assert_json_error(client.get(f"/api/v1/people/{pid}", headers=h), 404, "not_found")
    assert_json_error(client.patch(f"/api/v1/people/{pid}", json={"name": "x"}, headers=h), 404, "not_found")
    assert_json_error(client.get(f"/api/v1/people/{pid}/reveal?field=id_number", headers=h), 404, "not_found")


# ---- reveal ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["clerk", "admin"])
def test_reveal_by_the_village_clerk_and_the_county_admin_is_audited(app, reg, tokens, client, user):
    full = {"id_number": LI_ID, "phone": LI_PHONE, "bank_account": LI_ACCOUNT}
    for field, value in full.items():
        resp = client.get(f"/api/v1/people/{reg['li']}/reveal", query_string={"field": field}, headers=tokens[user])
        assert resp.status_code == 200, resp.get_json()
        assert resp.get_json() == {"person_id": reg["li"], "field": field, "value": value}
        assert resp.headers["Cache-Control"] == "no-store"
    reveals = _audit(app, "reveal")
    assert [(e["actor"], e["entity_type"], e["entity_id"], json.loads(e["after"])) for e in reveals] == [
        (user, "person", str(reg["li"]), {"field": f}) for f in full]


@pytest.mark.parametrize("user", ["reviewer", "reviewer2", "auditor"])
def test_reveal_is_refused_to_reviewers_and_auditors(app, reg, tokens, client, user):
    for field in ("id_number", "phone", "bank_account"):
        resp = client.get(f"/api/v1/people/{reg['li']}/reveal?field={field}", headers=tokens[user])
        assert_json_error(resp, 403, "not_allowed")
        assert LI_ID not in resp.get_data(as_text=True)
    assert _audit(app, "reveal") == []


def test_reveal_by_the_clerk_of_another_village_is_404(app, reg, tokens, client):
    assert_json_error(client.get(f"/api/v1/people/{reg['li']}/reveal?field=id_number", headers=tokens["clerk_b"]),
                      404, "not_found")
    assert _audit(app, "reveal") == []


@pytest.mark.parametrize("query", ["", "?field=name", "?field=birth_date", "?field="])
def test_reveal_needs_a_personal_field(app, reg, tokens, client, query):
    err = assert_json_error(client.get(f"/api/v1/people/{reg['li']}/reveal{query}", headers=tokens["clerk"]),
                            422, "validation_error")
    assert "field" in err["fields"]["query"]
    assert _audit(app, "reveal") == []


# ---- the OpenAPI document -------------------------------------------------------------------------


@pytest.fixture
def doc(app):
    resp = app.test_client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def test_openapi_lists_the_register_paths(doc):
    expected = {
        "/api/v1/households": {"get", "post"},
        "/api/v1/households/{household_id}": {"get", "patch"},
        "/api/v1/households/{household_id}/people": {"post"},
        "/api/v1/people": {"get"},
        "/api/v1/people/{person_id}": {"get", "patch"},
        "/api/v1/people/{person_id}/reveal": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(doc["paths"][path]), path
    people = doc["paths"]["/api/v1/people"]["get"]
    assert {p["name"] for p in people["parameters"]} == {"page", "per_page", "q", "category", "capacity", "status",
                                                        "village_id", "township_id", "sort"}
    assert "X-Total-Count" in people["responses"]["200"]["headers"]
    households = doc["paths"]["/api/v1/households"]
    assert {p["name"] for p in households["get"]["parameters"]} == {"page", "per_page", "village_id", "category", "q"}
    bodies = {("post", "/api/v1/households"): "HouseholdCreate", ("patch", "/api/v1/households/{household_id}"):
              "HouseholdPatch", ("post", "/api/v1/households/{household_id}/people"): "PersonCreate",
              ("patch", "/api/v1/people/{person_id}"): "PersonPatch"}
    for (method, path), name in bodies.items():
        op = doc["paths"][path][method]
        assert op["requestBody"]["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{name}"}
        assert {"401", "403", "404", "422"} - ({"404"} if path == "/api/v1/households" else set()) <= set(
            op["responses"]), (method, path)
    reveal = doc["paths"]["/api/v1/people/{person_id}/reveal"]["get"]
    [field] = [p for p in reveal["parameters"] if p["name"] == "field"]
    assert field["required"] and set(field["schema"]["enum"]) == {"id_number", "phone", "bank_account"}


def test_openapi_schemas_enums_money_and_read_only_fields(doc):
    schemas = doc["components"]["schemas"]
    from portal.registry import rules

    person, create = schemas["Person"]["properties"], schemas["PersonCreate"]
    assert set(person["labour_capacity"]["enum"]) == {m.value for m in rules.LabourCapacity}
    assert set(person["employment_status"]["enum"]) == {m.value for m in rules.EmploymentStatus}
    assert set(schemas["HouseholdCreate"]["properties"]["category"]["enum"]) == {
        m.value for m in rules.HouseholdCategory}
    for props in (person, create["properties"], schemas["PersonPatch"]["properties"]):
        assert props["monthly_income"]["type"] == "string"  # money is never a float
    assert person["id_number"]["readOnly"] and person["bank_account"]["readOnly"] and person["phone"]["readOnly"]
    assert "birth_date" not in create["properties"] and "sex" not in create["properties"]
    assert set(create["required"]) == {"name", "id_number", "relation_to_head", "labour_capacity", "employment_status"}
    assert "required" not in schemas["PersonPatch"]
    assert "household_id" in schemas["PersonPatch"]["properties"]


def _json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema understands it (a "null" type)."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") and isinstance(node.get("type"), str):
        out["type"] = [node["type"], "null"]
    return out


def test_answers_match_their_documented_schemas(world, reg, tokens, client, doc):
    components = _json_schema(doc["components"])

    def check(resp, ref, many=False):
        assert resp.status_code in (200, 201), resp.get_json()
        validator = jsonschema_rs.Draft4Validator({"$ref": f"#/components/schemas/{ref}", "components": components})
        for item in resp.get_json() if many else [resp.get_json()]:
            validator.validate(item)

    h = tokens["clerk"]
    check(client.get("/api/v1/households", headers=h), "Household", many=True)
    check(client.get(f"/api/v1/households/{reg['hh_li']}", headers=h), "HouseholdDetail")
    check(client.get("/api/v1/people", headers=h), "Person", many=True)
    check(client.get(f"/api/v1/people/{reg['li']}", headers=h), "Person")
    check(client.get(f"/api/v1/people/{reg['li']}/reveal?field=phone", headers=h), "Revealed")
    check(client.post("/api/v1/households", json={"number": "S-1", "category": "general"}, headers=h),
          "HouseholdDetail")
    check(client.patch(f"/api/v1/households/{reg['hh_li']}", json={"address": "y"}, headers=h), "HouseholdDetail")
    check(client.post(f"/api/v1/households/{reg['hh_li']}/people", json=_new_person(), headers=h), "Person")
    check(client.patch(f"/api/v1/people/{reg['li']}", json={"note": "z"}, headers=h), "Person")
