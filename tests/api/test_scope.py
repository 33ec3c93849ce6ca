"""/api/v1/me and /api/v1/villages: each role sees its own place, exactly its scope, nothing of the other county."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_json_error, bearer

PLACES = {  # user -> (role, place level, world key of the place)
    "admin": ("county_admin", "county", "ca"),
    "auditor": ("county_auditor", "county", "ca"),
    "reviewer": ("township_reviewer", "township", "a1"),
    "reviewer2": ("township_reviewer", "township", "a1"),
    "clerk": ("village_clerk", "village", "a1a"),
    "clerk_b": ("village_clerk", "village", "a1b"),
    "admin_b": ("county_admin", "county", "cb"),
}
SCOPES = {  # user -> the villages they may see, in code order
    "admin": ["a1a", "a1b", "a2a"],
    "auditor": ["a1a", "a1b", "a2a"],
    "reviewer": ["a1a", "a1b"],
    "reviewer2": ["a1a", "a1b"],
    "clerk": ["a1a"],
    "clerk_b": ["a1b"],
    "admin_b": ["b1a"],
}
ALL_VILLAGES = ["a1a", "a1b", "a2a", "b1a"]
TOWNSHIP_OF = {"a1a": "a1", "a1b": "a1", "a2a": "a2", "b1a": "b1"}


def _places(app):
    """code and name of every place of the world, by world key."""
    from portal.extensions import db
    from portal.places.models import County, Township, Village

    out = {}
    with app.app_context():
        for model in (County, Township, Village):
            for obj in db.session.query(model):
                out[(model.__name__.lower(), obj.id)] = {"id": obj.id, "code": obj.code, "name": obj.name}
        db.session.remove()
    return out


@pytest.mark.parametrize("user", PLACES)
def test_me_returns_the_role_and_place_of_each_role(app, world, make_token, api, user):
    role, level, key = PLACES[user]
    place = _places(app)[(level, world.ids[key])]
    resp = api.get("/api/v1/me", headers=bearer(make_token(user)))
    assert resp.status_code == 200
    me = resp.get_json()
    assert me["username"] == user
    assert me["role"] == role
    assert me["full_name"] == f"测试{user}"
    assert me["place"] == {"level": level, **place}
    assert "password_hash" not in me


@pytest.mark.parametrize("user", SCOPES)
def test_village_list_is_exactly_the_scope_of_each_role(app, world, make_token, api, user):
    places = _places(app)
    resp = api.get("/api/v1/villages", headers=bearer(make_token(user)))
    assert resp.status_code == 200
    rows = resp.get_json()
    assert [r["id"] for r in rows] == [world.ids[k] for k in SCOPES[user]]
    assert resp.headers["X-Total-Count"] == str(len(SCOPES[user]))
    for r, key in zip(rows, SCOPES[user], strict=True):
        assert {k: r[k] for k in ("id", "code", "name")} == places[("village", world.ids[key])]
        assert r["township"] == places[("township", world.ids[TOWNSHIP_OF[key]])]


@pytest.mark.parametrize("user", SCOPES)
def test_one_village_inside_scope_is_200_and_outside_is_404(world, make_token, api, user):
    headers = bearer(make_token(user))
    for key in ALL_VILLAGES:
        resp = api.get(f"/api/v1/villages/{world.ids[key]}", headers=headers)
        if key in SCOPES[user]:
            assert resp.status_code == 200, (user, key)
            assert resp.get_json()["id"] == world.ids[key]
        else:
            err = assert_json_error(resp, 404, "not_found")
            # A village of another place answers exactly like one that does not exist.
            missing = api.get("/api/v1/villages/999999", headers=headers)
            assert missing.get_json() == {"error": err}


@pytest.mark.parametrize(("user", "filters", "expected"), [
    ("admin", {"township_id": "a1"}, ["a1a", "a1b"]),
    ("admin", {"township_id": "a2"}, ["a2a"]),
    ("admin", {"township_id": "b1"}, []),  # county B's township: nothing, not its villages
    ("auditor", {"township_id": "b1"}, []),
    ("reviewer", {"township_id": "a2"}, []),
    ("clerk", {"township_id": "a1"}, ["a1a"]),
    ("admin", {"q": "石门"}, ["a1b"]),
    ("admin", {"q": "422825102"}, ["a2a"]),  # code prefix
    ("admin", {"q": "北坡"}, []),  # county B's village by name
    ("admin", {"q": "422823"}, []),  # county B's code prefix
    ("admin_b", {"q": "北坡"}, ["b1a"]),
    ("reviewer", {"q": "柳岸"}, []),
])
def test_filters_stay_inside_the_scope(world, make_token, api, user, filters, expected):
    params = {k: (world.ids[v] if k == "township_id" else v) for k, v in filters.items()}
    resp = api.get("/api/v1/villages", query_string=params, headers=bearer(make_token(user)))
    assert resp.status_code == 200
    assert [r["id"] for r in resp.get_json()] == [world.ids[k] for k in expected]
    assert resp.headers["X-Total-Count"] == str(len(expected))


def test_pagination_and_total_count(world, make_token, api):
    headers = bearer(make_token("admin"))
    seen = []
    for page in (1, 2, 3):
        resp = api.get("/api/v1/villages", query_string={"page": page, "per_page": 1}, headers=headers)
        assert resp.status_code == 200
        assert resp.headers["X-Total-Count"] == "3"
        rows = resp.get_json()
        assert len(rows) == 1
        seen.append(rows[0]["id"])
    assert seen == [world.ids[k] for k in SCOPES["admin"]]

    resp = api.get("/api/v1/villages?page=2&per_page=2", headers=headers)
    assert [r["id"] for r in resp.get_json()] == [world.ids["a2a"]]
    assert resp.headers["X-Total-Count"] == "3"

    resp = api.get("/api/v1/villages?page=4&per_page=1", headers=headers)
    assert resp.status_code == 200 and resp.get_json() == []
    assert resp.headers["X-Total-Count"] == "3"

    resp = api.get("/api/v1/villages?per_page=500", headers=headers)
    assert len(resp.get_json()) == 3


@pytest.mark.parametrize("query", ["page=abc", "per_page=abc", "page=1.5", "township_id=x", "per_page="])
def test_malformed_query_parameters_are_422(world, make_token, api, query):
    resp = api.get(f"/api/v1/villages?{query}", headers=bearer(make_token("admin")))
    err = assert_json_error(resp, 422, "validation_error")
    assert query.split("=")[0] in err["fields"]["query"]


@pytest.mark.parametrize("query", ["per_page=0", "per_page=-1", "per_page=501", "page=0", "page=-1"])
def test_out_of_range_page_parameters_are_422(world, make_token, api, query):
    resp = api.get(f"/api/v1/villages?{query}", headers=bearer(make_token("admin")))
    assert_json_error(resp, 422, "validation_error")


@pytest.mark.parametrize(("url", "statuses"), [
    (f"/api/v1/villages/{2**63}", {404}),
    (f"/api/v1/villages?township_id={2**63}", {200, 422}),
    (f"/api/v1/villages?page={2**62}", {200, 422}),
])
def test_huge_integers_are_not_a_server_error(world, make_token, api, url, statuses):
    resp = api.get(url, headers=bearer(make_token("admin")))
    assert resp.status_code in statuses
    assert resp.mimetype == "application/json"


def test_nul_character_in_q_finds_nothing_or_is_422(world, make_token, api):
    resp = api.get("/api/v1/villages?q=%00", headers=bearer(make_token("admin")))
    if resp.status_code == 200:
        assert resp.get_json() == []
    else:
        assert_json_error(resp, 422, "validation_error")
