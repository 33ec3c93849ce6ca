"""Property-based fuzzing of every API operation with schemathesis, against the WSGI app, as the county admin.

schemathesis' own pytest integration (`schemathesis.pytest.from_fixture`) cannot be used here: with
pytest 9 it fails at setup (it sets `request.node._nodeid`, which pytest 9 no longer has), and the app only
exists as a fixture. So the schema is loaded inside the test from the live openapi.json and each operation
is driven through Hypothesis with `APIOperation.as_strategy()`, the documented way for non-schemathesis tests.
schemathesis raises no Python warnings here, so nothing is filtered under `filterwarnings = ["error"]`.
"""

from __future__ import annotations

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import bearer

DOC_URL = "/api/v1/openapi.json"
FOUNDATION = {"GET /api/v1/me", "GET /api/v1/villages", "GET /api/v1/villages/{village_id}"}
INT32_MAX = 2**31 - 1  # the id columns are INTEGER (32 bits on PostgreSQL)
INT64_MAX = 2**63 - 1
FUZZ = settings(
    max_examples=int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "30")),  # per operation and mode
    deadline=None,  # the first request of a run pays for imports and connection set-up
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported in seconds, not minutes
    database=None,  # one inner test function per operation: they must not share saved examples
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def error_body_shape(ctx, response, case):
    """Every error answer is the API's JSON error: {"error": {"code": "...", "message": "...", ...}}."""
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"error answer {response.status_code} is not JSON: {response.content[:200]!r}") from None
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(body, dict) and set(body) == {"error"} and isinstance(error, dict), body
    assert isinstance(error.get("code"), str) and isinstance(error.get("message"), str), body
    return None


CHECKS = {
    # Schema-valid input: no 5xx, and every answer as documented (status, media type, headers, body).
    GenerationMode.POSITIVE: [not_a_server_error, status_code_conformance, content_type_conformance,
                              response_headers_conformance, response_schema_conformance, error_body_shape],
}
# Schema-invalid input: the same, and it is rejected with a 4xx.
CHECKS[GenerationMode.NEGATIVE] = [*CHECKS[GenerationMode.POSITIVE], negative_data_rejection]


def _fuzz(operation, mode: GenerationMode, token: str) -> None:
    """Up to FUZZ.max_examples generated requests to one operation, each answer put through CHECKS[mode]."""

    @FUZZ
    @given(case=operation.as_strategy(mode, headers=bearer(token)))
    def run(case):
        case.call_and_validate(checks=CHECKS[mode])

    run()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_fuzz_every_operation_as_the_county_admin(app, world, make_token, mode):
    token = make_token("admin")
    schema = schemathesis.openapi.from_wsgi(DOC_URL, app)
    operations = [result.ok() for result in schema.get_all_operations()]  # every operation of the document
    assert {op.label for op in operations} >= FOUNDATION

    failures = []
    for operation in operations:
        if mode is GenerationMode.NEGATIVE and not (
                len(operation.path_parameters) + len(operation.query) + len(operation.body)):
            continue  # nothing to make invalid (the token header is fixed)
        try:
            _fuzz(operation, mode, token)
        except Exception as exc:  # gather every operation's failure before reporting
            failures.append(f"{operation.label} [{mode.value}]: {exc}")
    assert not failures, "\n\n".join(failures)
