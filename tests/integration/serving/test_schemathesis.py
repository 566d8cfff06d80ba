"""Schemathesis against the served OpenAPI document: every operation, with a valid key, generated
valid and invalid input within a fixed example budget. No answer may be a 5xx, and every answer must
match the document (status code, content type, body schema)."""

from __future__ import annotations

import os
from contextlib import nullcontext
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from litestar import Litestar
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from serving.app import build_app
from tests.plugins.services import Tenant, create_tenant

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

# CI budget: examples per operation (`just fuzz` runs the long version).
EXAMPLES = int(os.environ.get("EVWATCH_SCHEMATHESIS_EXAMPLES", "20"))
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


@pytest.fixture(scope="module")
def app(runtime: Any) -> Litestar:
    return build_app(lambda: nullcontext(runtime.api_services()), runtime.settings.api, runtime.settings.bounds)


@pytest.fixture(scope="module")
def fuzz_tenant(runtime: Any) -> Tenant:
    return create_tenant(runtime)


def test_every_operation_answers_per_its_documentation(app: Litestar, fuzz_tenant: Tenant) -> None:
    api_schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: dict[str, str] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def check(case: Any) -> None:
            case.call_and_validate(headers=fuzz_tenant.headers, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # every operation is exercised; the failures are reported together
            failures[operation.label] = str(exc)[:2000]
    assert operations >= 14
    assert not failures, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
