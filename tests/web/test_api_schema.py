"""Schemathesis against the OpenAPI document the app serves (``/openapi.json``): every
operation, with bodies made from the documented request schemas (and, in its coverage phase,
bodies just outside them), must never give a 5xx, and every response must be documented:
its status, its media type, and its body against the documented schema. A bounded number of
examples keeps this to seconds; tests/web/test_api.py throws hand-made hostile input at the
same endpoints."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bothand.catalog import Catalog
from bothand.settings import Settings
from bothand.web.app import create_app

EXAMPLES = 50  # per operation and mode: about 350 requests in all
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def served_schema(catalog: Catalog) -> Iterator[Any]:
    app = create_app(Settings(secret_key="schema-tests-" + "k" * 40), catalog)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


# Schemathesis's own pytest integration does not run under pytest 9 (it reads a private
# attribute of pytest's test items), so each operation's strategy is driven here by Hypothesis.
OPERATIONS = [
    ("/api/recommend", "POST"),
    ("/api/score/{instrument}", "POST"),
    ("/api/plan", "POST"),
    ("/api/instruments", "GET"),
    ("/api/patients", "POST"),
    ("/api/patients", "GET"),
    ("/api/patients/{patient}/episodes", "POST"),
    ("/api/episodes/{episode}/measurements", "POST"),
    ("/api/episodes/{episode}", "GET"),
    ("/api/episodes/{episode}/check-ins", "POST"),
    ("/api/alerts", "GET"),
    ("/api/alerts/{alert}/acknowledge", "POST"),
    ("/api/alerts/{alert}/resolve", "POST"),
]


def test_the_schema_lists_exactly_these_operations(served_schema: Any) -> None:
    listed = {(op.path, op.method.upper()) for op in _operations(served_schema)}
    assert listed == set(OPERATIONS)


def _operations(served_schema: Any) -> list[Any]:
    return [result.ok() for result in served_schema.get_all_operations()]


@pytest.mark.parametrize(
    ("path", "method", "mode"),
    [
        (path, method, mode)
        for path, method in OPERATIONS
        for mode in GenerationMode
        if method == "POST" or mode is GenerationMode.POSITIVE  # a GET takes no input to break
    ],
)
def test_the_api_keeps_the_promises_of_its_openapi_document(
    served_schema: Any, path: str, method: str, mode: GenerationMode
) -> None:
    operation = served_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    check()
