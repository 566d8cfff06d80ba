"""`/v1/sessions` through the real app: real Triton (CSAR-2), real chDB, real Kafka."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from evwatch.storage.sessions import ClickHouseSessionStore
from tests.support.sessions import readings, session_body

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def sid() -> str:
    return f"sess-{uuid.uuid4().hex[:10]}"


def assert_error(resp: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"status", "code", "message", "details"}
    assert body["status"] == status and body["message"]
    if field is not None:
        assert field in body["message"]
        assert any(f["field"] == field for f in body["details"]["fields"]), body
    return body


def test_requests_without_a_valid_bearer_key_are_refused(api: Any) -> None:
    assert_error(api.get("/v1/sessions"), 401)
    assert_error(api.get("/v1/sessions", headers={"Authorization": "Bearer evw_nope"}), 401)


def test_post_with_three_or_more_values_answers_with_the_csar2_analysis(api: Any, tenant: Any) -> None:
    session_id = sid()
    resp = api.post("/v1/sessions", json=session_body(session_id), headers=tenant.headers)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["sessionId"] == session_id and body["status"] == "active"
    assert 0.0 <= body["anomalyScore"] <= 1.0
    for key in (
        "isAnomaly",
        "anomalyConfidence",
        "isIncident",
        "isRecurring",
        "anomalies",
        "analyzedAt",
        "socReconstructed",
    ):
        assert key in body, key
    for anomaly in body["anomalies"]:
        assert {"category", "score", "confidence", "bucketRange", "timeRange"} <= set(anomaly)
        assert anomaly["bucketRange"]["startUnit"] <= anomaly["bucketRange"]["endUnit"]


def test_post_then_get_returns_meter_values_and_the_same_analysis(api: Any, tenant: Any) -> None:
    session_id = sid()
    created = api.post("/v1/sessions", json=session_body(session_id, n=10), headers=tenant.headers).json()
    detail = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers)
    assert detail.status_code == 200
    body = detail.json()
    assert body["createdAt"] and len(body["meterValues"]) == 30
    assert body["anomalyScore"] == created["anomalyScore"]
    assert body["meterValues"][0]["unit"] == "kWh"
    timestamps = [mv["timestamp"] for mv in body["meterValues"]]
    assert timestamps == sorted(timestamps)


def test_units_are_normalised_on_ingest(api: Any, tenant: Any) -> None:
    session_id = sid()
    values = [
        {
            "measurand": "Energy.Active.Import.Register",
            "timestamp": "2026-02-27T10:00:00Z",
            "unit": "Wh",
            "value": 1500,
        },
        {"measurand": "Power.Active.Import", "timestamp": "2026-02-27T10:00:00Z", "unit": "W", "value": 7400},
    ]
    body = {"sessionId": session_id, "chargingStationId": "CP-1", "meterValues": values}
    assert api.post("/v1/sessions", json=body, headers=tenant.headers).status_code == 200
    stored = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers).json()["meterValues"]
    assert {(m["measurand"], m["unit"], m["value"]) for m in stored} == {
        ("Energy.Active.Import.Register", "kWh", 1.5),
        ("Power.Active.Import", "kW", 7.4),
    }


def test_fewer_than_three_values_create_without_inference(api: Any, tenant: Any) -> None:
    session_id = sid()
    resp = api.post("/v1/sessions", json={"sessionId": session_id, "chargingStationId": "CP-1"}, headers=tenant.headers)
    assert resp.status_code == 200
    body = resp.json()
    assert body["sessionId"] == session_id and "anomalyScore" not in body
    listed = api.get("/v1/sessions", params={"chargingStationId": "CP-1"}, headers=tenant.headers).json()
    row = next(r for r in listed["content"] if r["sessionId"] == session_id)
    assert row["isAnomaly"] is None and row["anomalyScore"] is None and row["lastAnalyzedAt"] is None


def test_duplicate_session_id_is_a_conflict_and_batch_is_reserved(api: Any, tenant: Any) -> None:
    session_id = sid()
    assert api.post("/v1/sessions", json=session_body(session_id), headers=tenant.headers).status_code == 200
    assert_error(api.post("/v1/sessions", json=session_body(session_id), headers=tenant.headers), 409)
    assert_error(api.post("/v1/sessions", json=session_body("batch"), headers=tenant.headers), 422, "sessionId")


def test_patch_appends_and_reanalyses_and_empty_patch_changes_nothing(api: Any, tenant: Any) -> None:
    session_id = sid()
    two = {**session_body(session_id), "meterValues": readings(1)[:2]}
    first = api.post("/v1/sessions", json=two, headers=tenant.headers).json()
    assert "anomalyScore" not in first and "at least 3" in first["message"]
    more = readings(8)[3:]
    patched = api.patch(f"/v1/sessions/{session_id}", json={"meterValues": more}, headers=tenant.headers)
    assert patched.status_code == 200 and "anomalyScore" in patched.json()
    again = api.patch(f"/v1/sessions/{session_id}", json={"meterValues": []}, headers=tenant.headers).json()
    assert again["analyzedAt"] == patched.json()["analyzedAt"]
    detail = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers).json()
    assert len([m for m in detail["meterValues"] if not m.get("reconstructed")]) == 2 + len(more)
    status = api.patch(f"/v1/sessions/{session_id}", json={"status": "completed"}, headers=tenant.headers).json()
    assert status["status"] == "completed"


def test_put_replaces_every_reading(api: Any, tenant: Any) -> None:
    session_id = sid()
    api.post("/v1/sessions", json=session_body(session_id, n=12), headers=tenant.headers)
    new = readings(4)
    resp = api.put(
        f"/v1/sessions/{session_id}", json={"meterValues": new, "status": "completed"}, headers=tenant.headers
    )
    assert resp.status_code == 200 and resp.json()["status"] == "completed" and "anomalyScore" in resp.json()
    detail = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers).json()
    assert len([m for m in detail["meterValues"] if not m.get("reconstructed")]) == len(new)
    assert_error(
        api.put(f"/v1/sessions/{session_id}", json={"meterValues": []}, headers=tenant.headers), 422, "meterValues"
    )
    assert_error(api.put("/v1/sessions/nope", json={"meterValues": new}, headers=tenant.headers), 404)


def test_another_tenants_session_is_not_found(api: Any, new_tenant: Any) -> None:
    owner, other = new_tenant(), new_tenant()
    session_id = sid()
    api.post("/v1/sessions", json=session_body(session_id), headers=owner.headers)
    assert_error(api.get(f"/v1/sessions/{session_id}", headers=other.headers), 404)
    assert_error(api.patch(f"/v1/sessions/{session_id}", json={}, headers=other.headers), 404)
    listed = api.get("/v1/sessions", headers=other.headers).json()
    assert all(r["sessionId"] != session_id for r in listed["content"])


def test_list_pagination_and_filters(api: Any, tenant: Any) -> None:
    ids = [sid() for _ in range(3)]
    for i, session_id in enumerate(ids):
        api.post(
            "/v1/sessions",
            json=session_body(session_id, station=f"ST-{i % 2}", evseId=f"E-{i}"),
            headers=tenant.headers,
        )
    page = api.get("/v1/sessions", params={"page": 0, "pageSize": 2}, headers=tenant.headers).json()
    assert page["pagination"] == {"totalCount": 3, "page": 0, "size": 2} and len(page["content"]) == 2
    assert [r["sessionId"] for r in page["content"]] == [ids[2], ids[1]]  # newest first
    second = api.get("/v1/sessions", params={"page": 1, "pageSize": 2}, headers=tenant.headers).json()
    assert [r["sessionId"] for r in second["content"]] == [ids[0]]
    by_station = api.get("/v1/sessions", params={"chargingStationId": "ST-0"}, headers=tenant.headers).json()
    assert {r["sessionId"] for r in by_station["content"]} == {ids[0], ids[2]}
    by_evse = api.get("/v1/sessions", params={"evseId": "E-1"}, headers=tenant.headers).json()
    assert [r["sessionId"] for r in by_evse["content"]] == [ids[1]]
    scores = {r["sessionId"]: r["anomalyScore"] for r in page["content"] + second["content"]}
    threshold = sorted(scores.values())[1]
    high = api.get("/v1/sessions", params={"minScore": threshold}, headers=tenant.headers).json()
    assert {r["sessionId"] for r in high["content"]} == {s for s, v in scores.items() if v >= threshold}
    for flag in ("true", "false"):
        rows = api.get("/v1/sessions", params={"isAnomaly": flag}, headers=tenant.headers).json()["content"]
        assert all(r["isAnomaly"] is (flag == "true") for r in rows)
    assert (
        api.get("/v1/sessions", params={"minConfidence": 0}, headers=tenant.headers).json()["pagination"]["totalCount"]
        == 3
    )
    assert (
        api.get("/v1/sessions", params={"minConfidence": 1.01}, headers=tenant.headers).json()["pagination"][
            "totalCount"
        ]
        == 0
    )
    future = api.get("/v1/sessions", params={"dateFrom": "2099-01-01T00:00:00Z"}, headers=tenant.headers).json()
    assert future["pagination"]["totalCount"] == 0
    past = api.get("/v1/sessions", params={"dateTo": "2000-01-01T00:00:00Z"}, headers=tenant.headers).json()
    assert past["pagination"]["totalCount"] == 0


@pytest.mark.parametrize("params", [{"pageSize": 0}, {"pageSize": 501}, {"page": -1}, {"minScore": "high"}])
def test_bad_query_parameters_are_422_naming_the_parameter(api: Any, tenant: Any, params: dict[str, Any]) -> None:
    assert_error(api.get("/v1/sessions", params=params, headers=tenant.headers), 422, next(iter(params)))


def _with_value(value: Any, **mv: Any) -> dict[str, Any]:
    reading = {"timestamp": "2026-02-27T10:00:00Z", "value": value, "unit": "kWh"}
    reading.update(mv)
    return {"sessionId": sid(), "chargingStationId": "CP-1", "meterValues": [reading]}


def test_malformed_json_is_400(api: Any, tenant: Any) -> None:
    resp = api.post("/v1/sessions", content=b"{nope", headers={**tenant.headers, "Content-Type": "application/json"})
    assert_error(resp, 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"chargingStationId": "CP-1"}, "sessionId"),
        (_with_value(1, timestamp="2026-02-27T10:00:00"), "meterValues[0].timestamp"),
        (_with_value(5, unit="Percent"), "meterValues[0].unit"),
        (_with_value("NaN"), "meterValues[0].value"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(api: Any, tenant: Any, body: dict[str, Any], field: str) -> None:
    assert_error(api.post("/v1/sessions", json=body, headers=tenant.headers), 422, field)


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_non_finite_numbers_are_422_naming_the_field(api: Any, tenant: Any, literal: bytes) -> None:
    raw = (
        b'{"sessionId":"s-nan","chargingStationId":"CP","meterValues":[{"timestamp":"2026-02-27T10:00:00Z","value":'
        + literal
        + b"}]}"
    )
    resp = api.post("/v1/sessions", content=raw, headers={**tenant.headers, "Content-Type": "application/json"})
    assert_error(resp, 422, "meterValues[0].value")


def test_body_over_the_limit_is_413(api: Any, tenant: Any, runtime: Any) -> None:
    limit = runtime.settings.api.max_body_bytes
    resp = api.post(
        "/v1/sessions",
        content=b"{" + b" " * limit + b"}",
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert_error(resp, 413)


def test_a_long_real_session_of_50000_values_is_accepted(api: Any, tenant: Any) -> None:
    session_id = sid()
    values = readings(16_666, step_s=2)  # 3 measurands each: 49,998 meter values over ~9 h, under the cap
    resp = api.post(
        "/v1/sessions",
        json={"sessionId": session_id, "chargingStationId": "CP-1", "meterValues": values},
        headers=tenant.headers,
    )
    assert resp.status_code == 200, resp.text[:500]
    assert "anomalyScore" in resp.json()


def test_ocpp_measurand_the_model_does_not_use_is_stored_not_rejected(api: Any, tenant: Any) -> None:
    session_id = sid()
    body = session_body(session_id, n=5)
    body["meterValues"].append(
        {"measurand": "Voltage", "timestamp": "2026-02-27T10:01:00Z", "unit": "V", "value": 230.5}
    )
    resp = api.post("/v1/sessions", json=body, headers=tenant.headers)
    assert resp.status_code == 200 and "anomalyScore" in resp.json()
    stored = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers).json()["meterValues"]
    assert any(m["measurand"] == "Voltage" and m["value"] == 230.5 for m in stored)


def test_health_and_ready(api: Any) -> None:
    assert api.get("/health").json() == {"status": "ok"}
    ready = api.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {
        "kafka": True,
        "triton": True,
        "clickhouse": True,
        "pipeline": True,
        "outbox": True,
        "sweeper": True,
        "triage": True,
        "webhook-fanout": True,
        "webhook-sender": True,
        "key-usage": True,
        "sql-http": True,
    }


def test_metrics_expose_the_dead_letter_counter(api: Any) -> None:
    resp = api.get("/metrics")
    assert resp.status_code == 200 and "evwatch_dead_letter_total" in resp.text


def test_openapi_schema_is_served(api: Any) -> None:
    schema = api.get("/schema/openapi.json").json()
    assert "/v1/sessions" in schema["paths"]


def test_arrival_order_and_duplicates_reach_the_analysis_while_detail_is_in_time_order(
    api: Any, tenant: Any, runtime: Any
) -> None:
    session_id = sid()
    values = readings(6)
    sent = [*values[6:], *values[:6], values[0]]  # a late block and an exact duplicate
    body = {"sessionId": session_id, "chargingStationId": "CP-1", "meterValues": sent}
    assert api.post("/v1/sessions", json=body, headers=tenant.headers).status_code == 200
    stored = ClickHouseSessionStore(runtime.client).load_readings(tenant.tenant_id, [session_id])[session_id]
    assert [(r.measurand, r.value) for r in stored] == [(v["measurand"], v["value"]) for v in sent]
    detail = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers).json()["meterValues"]
    measured = [m for m in detail if not m.get("reconstructed")]
    assert len(measured) == len(sent)
    assert [m["timestamp"] for m in measured] == sorted(m["timestamp"] for m in measured)
