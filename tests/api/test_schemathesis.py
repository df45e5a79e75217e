"""schemathesis against the live server's own OpenAPI document, with all its checks: no 5xx, status codes, content
types, headers and bodies conform to the document — for anonymous calls and for calls with a real agency token,
with valid (positive) and invalid (negative) input.

(schemathesis' own pytest fixture loader does not run under pytest 9, so the operations are walked here, each with
a hypothesis test built from schemathesis' strategy for it — the same cases its runner generates.)"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from app.extensions import limiter

from ..backoffice.conftest import pdf_bytes
from .conftest import bearer, submit_application

# The result upload takes a PDF body: a real one, a damaged one, and something that is not a PDF at all.
schemathesis.openapi.media_type(
    "application/pdf", st.sampled_from([pdf_bytes(), b"%PDF-1.4\n%%EOF", b"MZ\x90\x00 bukan pdf"])
)

# All checks, as configured by default, with one addition: 422 is an acceptable answer to schema-valid input. A JSON
# Schema cannot say "a move the workflow allows from the current status" or "a host that resolves to a public
# address"; the API answers those with 422 and the workflow's (or the SSRF rule's) reason.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
            }
        }
    }
)

# Derandomized so CI judges the same cases every run (a red CI must mean a regression, not a new draw); set
# MPP_API_FUZZ_RANDOM=1 to explore fresh cases locally — that is how the 32-bit id and query-NUL cases were found.
SETTINGS = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=os.environ.get("MPP_API_FUZZ_RANDOM") != "1",
)


@pytest.fixture
def api_schema(app, demo_data, live_server):
    # Lift the per-minute limits for the run (429 is documented and conforms, but it would hide the other answers).
    saved = {key: app.config.get(key) for key in ("API_PUBLIC_RATE_LIMIT", "API_TOKEN_RATE_LIMIT")}
    app.config.update(API_PUBLIC_RATE_LIMIT="100000 per minute", API_TOKEN_RATE_LIMIT="100000 per minute")
    yield schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json", config=CONFIG)
    app.config.update(saved)
    with app.app_context():
        limiter.reset()


def _has_input(operation) -> bool:
    """Query parameters, headers or a body: something a negative case can get wrong (a bare slug cannot)."""
    definition = operation.definition.raw
    return bool(definition.get("requestBody")) or any(p["in"] != "path" for p in definition.get("parameters", []))


def _run_all(schema, base_url: str, headers: dict | None = None) -> list[str]:
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        modes = [GenerationMode.POSITIVE] + ([GenerationMode.NEGATIVE] if _has_input(operation) else [])
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @SETTINGS
            def run(case):
                case.call_and_validate(base_url=base_url, headers=headers)

            try:
                run()
            except Exception as error:  # collect every operation's failure, then report them together
                failures.append(f"{operation.label} ({mode.value}): {error}")
    return failures


@pytest.mark.parametrize("caller", ["anonymous", "token"])
def test_every_operation_conforms_to_the_document(app, api_schema, live_server, make_token, citizen, caller):
    submit_application(app, citizen)
    headers = bearer(make_token()) if caller == "token" else None
    failures = _run_all(api_schema, live_server, headers)
    assert not failures, "\n\n".join(failures)
