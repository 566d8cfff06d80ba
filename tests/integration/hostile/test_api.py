"""Hostile input over the API: each case gets its 4xx naming the field, and the next good request is
stored and analysed (nothing a client sends can stop or corrupt the service)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.support.hostile import CASES, Case
from tests.support.sessions import session_body

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]
JSON = {"Content-Type": "application/json"}


def _good_request_is_analysed(api: Any, tenant: Any) -> None:
    session_id = f"after-{uuid.uuid4().hex[:8]}"
    resp = api.post("/v1/sessions", json=session_body(session_id), headers=tenant.headers)
    assert resp.status_code == 200 and "anomalyScore" in resp.json(), resp.text[:300]


def _assert_error(resp: Any, status: int, field: str | None) -> None:
    assert resp.status_code == status, resp.text[:500]
    body = resp.json()
    assert set(body) == {"status", "code", "message", "details"} and body["status"] == status
    if field is not None:
        assert [f["field"] for f in body["details"]["fields"]][0] == field, body


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_each_hostile_body_is_refused_and_the_service_carries_on(api: Any, tenant: Any, case: Case) -> None:
    resp = api.post("/v1/sessions", content=case.raw, headers={**tenant.headers, **JSON})
    _assert_error(resp, case.status, case.field)
    _good_request_is_analysed(api, tenant)


@pytest.mark.parametrize(
    ("method", "path", "params", "field"),
    [
        ("get", "/v1/sessions", {"page": 10**15}, "page"),
        ("get", "/v1/sessions", {"page": 500, "pageSize": 500}, "page"),
        ("get", "/v1/sessions", {"pageSize": 0}, "pageSize"),
        ("get", "/v1/sessions", {"isAnomaly": "maybe"}, "isAnomaly"),
        ("get", "/v1/sessions", {"dateFrom": "yesterday"}, "dateFrom"),
        ("get", "/v1/stations", {"page": -1}, "page"),
        ("get", "/v1/stations/CP-H/anomalies", {"page": 10**6}, "page"),
    ],
)
def test_hostile_query_parameters_are_422(
    api: Any, tenant: Any, method: str, path: str, params: dict[str, Any], field: str
) -> None:
    _assert_error(api.request(method, path, params=params, headers=tenant.headers), 422, field)
    _good_request_is_analysed(api, tenant)


def test_a_body_over_the_limit_is_413(api: Any, tenant: Any, runtime: Any) -> None:
    huge = (
        b'{"sessionId":"x","chargingStationId":"y","metadata":{"blob":"'
        + b"x" * runtime.settings.api.max_body_bytes
        + b'"}}'
    )
    _assert_error(api.post("/v1/sessions", content=huge, headers={**tenant.headers, **JSON}), 413, None)
    _good_request_is_analysed(api, tenant)


@pytest.mark.parametrize(
    "authorization",
    ["Bearer " + "x" * 10_000, "Bearer evw_\x00\x01", "Basic dXNlcjpwYXNz", "Bearer", "bearer  "],
    ids=["10 KB token", "control characters", "basic auth", "no token", "blank token"],
)
def test_hostile_credentials_are_401(api: Any, tenant: Any, authorization: str) -> None:
    _assert_error(api.get("/v1/sessions", headers={"Authorization": authorization}), 401, None)
    _good_request_is_analysed(api, tenant)


def test_an_empty_session_is_legal_and_a_replace_with_nothing_is_not(api: Any, tenant: Any) -> None:
    session_id = f"empty-{uuid.uuid4().hex[:8]}"
    created = api.post(
        "/v1/sessions",
        json={"sessionId": session_id, "chargingStationId": "CP-H", "meterValues": []},
        headers=tenant.headers,
    )
    assert created.status_code == 200 and "anomalyScore" not in created.json()
    _assert_error(
        api.put(f"/v1/sessions/{session_id}", json={"meterValues": []}, headers=tenant.headers), 422, "meterValues"
    )
    _good_request_is_analysed(api, tenant)


def test_ready_stays_green_after_the_barrage(api: Any, tenant: Any) -> None:
    for case in CASES:
        api.post("/v1/sessions", content=case.raw, headers={**tenant.headers, **JSON})
    ready = api.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["pipeline"]["restarts"] == 0


def test_a_key_past_its_rate_gets_429_with_retry_after(runtime: Any, tenant: Any) -> None:
    from contextlib import nullcontext

    import msgspec
    from litestar.testing import TestClient

    from evwatch.config import ApiSettings
    from serving.app import build_app

    strict = msgspec.structs.replace(ApiSettings(), rate_per_s=0.5, rate_burst=3.0)
    app = build_app(lambda: nullcontext(runtime.api_services()), strict, runtime.settings.bounds)
    with TestClient(app=app) as client:
        answers = [client.get("/v1/sessions", headers=tenant.headers) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    limited = answers[-1]
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["code"] == "rate_limited" and limited.json()["status"] == 429
