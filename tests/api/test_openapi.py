"""GET /api/v1/openapi.json: a valid OpenAPI 3 document, generated from the registered routes."""

from __future__ import annotations

import re

import jsonschema_rs
import pytest
import schemathesis

from tests.api.conftest import bearer
from tests.conftest import ROOT

DOC_URL = "/api/v1/openapi.json"
METHODS = {"get", "put", "post", "patch", "delete"}


@pytest.fixture
def doc(app):
    resp = app.test_client().get(DOC_URL)
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    return resp.get_json()


def _validator(doc: dict, ref: str) -> jsonschema_rs.Validator:
    """A JSON Schema validator for one schema of the document (the components go along for the $refs)."""
    return jsonschema_rs.Draft4Validator({"$ref": ref, "components": doc["components"]})


def _resolve(doc: dict, obj: dict) -> dict:
    while "$ref" in obj:
        node = doc
        for part in obj["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        obj = node
    return obj


def _openapi_path(rule: str) -> str:
    """/api/v1/villages/<int:village_id> -> /api/v1/villages/{village_id}"""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_document_is_valid_openapi_3(doc):
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]
    try:
        from openapi_spec_validator import validate
    except ImportError:  # not installed: validate against the official OpenAPI meta-schema schemathesis ships
        from schemathesis.specs.openapi import definitions

        v31 = doc["openapi"].startswith("3.1")
        meta = definitions.OPENAPI_31_VALIDATOR if v31 else definitions.OPENAPI_30_VALIDATOR
        errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in meta.iter_errors(doc)]
        assert errors == []
    else:
        validate(doc)
    # And schemathesis can read every operation of it.
    schema = schemathesis.openapi.from_dict(doc)
    results = list(schema.get_all_operations())
    assert results
    for result in results:
        result.ok()  # raises on an operation it cannot use


def test_document_lists_the_endpoints(doc):
    for path in ("/api/v1/me", "/api/v1/villages", "/api/v1/villages/{village_id}"):
        assert "get" in doc["paths"][path], path
        assert "200" in doc["paths"][path]["get"]["responses"], path
    villages = doc["paths"]["/api/v1/villages"]["get"]
    assert {p["name"] for p in villages["parameters"]} == {"page", "per_page", "township_id", "q"}
    assert "X-Total-Count" in villages["responses"]["200"]["headers"]
    path_params = doc["paths"]["/api/v1/villages/{village_id}"].get("parameters", [])
    assert [p["name"] for p in path_params if p["in"] == "path"] == ["village_id"]


def test_document_declares_the_bearer_scheme(doc):
    schemes = doc["components"]["securitySchemes"]
    bearers = [name for name, s in schemes.items() if s["type"] == "http" and s["scheme"].lower() == "bearer"]
    assert bearers, schemes
    # Required for the whole API (no operation opts out).
    assert doc["security"] == [{bearers[0]: []}]
    for path, item in doc["paths"].items():
        for method in METHODS & set(item):
            assert item[method].get("security", doc["security"]) == doc["security"], (method, path)


def test_error_schema_is_the_error_object(doc):
    error = _resolve(doc, doc["components"]["schemas"]["Error"])
    assert error["type"] == "object" and error["required"] == ["error"]
    inner = _resolve(doc, error["properties"]["error"])
    assert inner["type"] == "object"
    assert {"code", "message"} <= set(inner["required"])
    assert inner["properties"]["code"]["type"] == inner["properties"]["message"]["type"] == "string"
    # The documented error responses use it.
    me = doc["paths"]["/api/v1/me"]["get"]["responses"]
    village = doc["paths"]["/api/v1/villages/{village_id}"]["get"]["responses"]
    for response in (me["401"], village["404"], me["default"]):
        schema = _resolve(doc, response)["content"]["application/json"]["schema"]
        assert _resolve(doc, schema) is error


def test_document_is_generated_from_the_registered_routes(app, doc):
    """Every route under /api/v1 (with each of its methods) is in the document, and nothing else is."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.rule != DOC_URL:
            methods = {m.lower() for m in rule.methods} - {"head", "options"}
            routes.setdefault(_openapi_path(rule.rule), set()).update(methods)
    assert routes, "no API routes registered"
    documented = {path: METHODS & set(item) for path, item in doc["paths"].items()}
    assert documented == routes
    # Served by flask-smorest from the live spec, not from a file kept next to the code.
    doc_rule = next(r for r in app.url_map.iter_rules() if r.rule == DOC_URL)
    view = app.view_functions[doc_rule.endpoint]
    assert view.__module__.startswith("flask_smorest")
    assert not [p for p in ROOT.glob("*/**/openapi.json") if ".venv" not in p.parts]


def test_responses_match_their_documented_schemas(world, make_token, api, doc):
    headers = bearer(make_token("admin"))
    cases = [
        ("/api/v1/me", 200, "#/components/schemas/Me"),
        ("/api/v1/villages/{a1a}", 200, "#/components/schemas/Village"),
        ("/api/v1/villages/{b1a}", 404, "#/components/schemas/Error"),
        ("/api/v1/nope", 404, "#/components/schemas/Error"),
    ]
    for url, status, ref in cases:
        resp = api.get(url.format(**world.ids), headers=headers)
        assert resp.status_code == status
        _validator(doc, ref).validate(resp.get_json())
    rows = api.get("/api/v1/villages", headers=headers).get_json()
    assert len(rows) == 3
    for row in rows:
        _validator(doc, "#/components/schemas/Village").validate(row)
    _validator(doc, "#/components/schemas/Error").validate(api.get("/api/v1/me").get_json())  # 401


def test_validation_error_matches_the_documented_error_schema(world, make_token, api, doc):
    resp = api.get("/api/v1/villages?page=abc", headers=bearer(make_token("admin")))
    assert resp.status_code == 422
    responses = doc["paths"]["/api/v1/villages"]["get"]["responses"]
    schema = _resolve(doc, _resolve(doc, responses["422"])["content"]["application/json"]["schema"])
    assert schema is _resolve(doc, doc["components"]["schemas"]["Error"])
    _validator(doc, "#/components/schemas/Error").validate(resp.get_json())
