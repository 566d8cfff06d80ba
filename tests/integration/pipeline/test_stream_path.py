"""Kafka `evwatch.meter-values` → Bytewax → Triton → ClickHouse → `/v1/sessions`, on the real parts."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest

from tests.support.kafka import consume_all, produce, wait_for
from tests.support.sessions import readings

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def message(tenant_id: str, session_id: str, values: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body = {
        "tenantId": tenant_id,
        "sessionId": session_id,
        "chargingStationId": "CP-STREAM",
        "connectorId": "2",
        "meterValues": values,
    }
    body.update(extra)
    return body


def analysed(api: Any, tenant: Any, session_id: str, min_readings: int = 0) -> dict[str, Any] | None:
    resp = api.get(f"/v1/sessions/{session_id}", headers=tenant.headers)
    if resp.status_code != 200:
        return None
    body = resp.json()
    stored = [m for m in body["meterValues"] if not m.get("reconstructed")]
    return body if "analyzedAt" in body and len(stored) >= min_readings else None


def test_message_is_stored_analysed_and_served(runtime: Any, api: Any, tenant: Any) -> None:
    session_id = f"k-{uuid.uuid4().hex[:8]}"
    values = readings(10)
    produce(
        runtime.settings.kafka.bootstrap_servers,
        runtime.settings.kafka.topics.meter_values,
        [message(tenant.tenant_id, session_id, values)],
    )
    body = wait_for(lambda: analysed(api, tenant, session_id, 30))
    assert 0.0 <= body["anomalyScore"] <= 1.0
    listed = api.get("/v1/sessions", params={"chargingStationId": "CP-STREAM"}, headers=tenant.headers).json()
    assert [r["sessionId"] for r in listed["content"]] == [session_id]


def test_later_messages_append_and_reanalyse(runtime: Any, api: Any, tenant: Any) -> None:
    kafka = runtime.settings.kafka
    session_id = f"k-{uuid.uuid4().hex[:8]}"
    values = readings(12)
    produce(kafka.bootstrap_servers, kafka.topics.meter_values, [message(tenant.tenant_id, session_id, values[:15])])
    first = wait_for(lambda: analysed(api, tenant, session_id, 15))
    produce(kafka.bootstrap_servers, kafka.topics.meter_values, [message(tenant.tenant_id, session_id, values[15:])])

    def reanalysed() -> dict[str, Any] | None:
        body = analysed(api, tenant, session_id, 36)
        return body if body and body["analyzedAt"] > first["analyzedAt"] else None

    assert wait_for(reanalysed)["sessionId"] == session_id


def test_bad_messages_go_to_the_dead_letter_topic_and_the_flow_keeps_running(
    runtime: Any, api: Any, tenant: Any
) -> None:
    kafka = runtime.settings.kafka
    marker = uuid.uuid4().hex[:8]
    good_id = f"k-good-{marker}"
    bad = [
        b"{this is not json " + marker.encode(),
        msgspec.json.encode({"tenantId": tenant.tenant_id, "chargingStationId": "CP", "note": marker}),
        msgspec.json.encode(
            message(
                tenant.tenant_id,
                f"k-pct-{marker}",
                [{"timestamp": "2026-02-27T10:00:00Z", "value": 5, "unit": "Percent"}],
            )
        ),
        (
            b'{"tenantId":"'
            + tenant.tenant_id.encode()
            + b'","sessionId":"k-nan-'
            + marker.encode()
            + b'","chargingStationId":"CP","meterValues":[{"timestamp":"2026-02-27T10:00:00Z","value":NaN}]}'
        ),
        msgspec.json.encode(
            message(
                tenant.tenant_id, f"k-naive-{marker}", [{"timestamp": "2026-02-27T10:00:00", "value": 1, "unit": "kWh"}]
            )
        ),
    ]
    produce(kafka.bootstrap_servers, kafka.topics.meter_values, [*bad, message(tenant.tenant_id, good_id, readings(5))])

    def ours() -> list[Any]:
        msgs = consume_all(kafka.bootstrap_servers, kafka.topics.dead_letter, 1, timeout_s=5)
        return [m for m in msgs if marker.encode() in (m.value() or b"")] if msgs else []

    dead = wait_for(lambda: (lambda found: found if len(found) >= len(bad) else None)(ours()), timeout_s=60)
    assert sorted(m.value() for m in dead) == sorted(bad)  # the original bytes, untouched
    reasons = [dict(m.headers())["evwatch-reason"].decode() for m in dead]
    assert any("not valid JSON" in r for r in reasons)
    assert any("sessionId" in r for r in reasons)
    assert any("meterValues[0].unit" in r for r in reasons)
    assert any("meterValues[0].value" in r and "finite" in r for r in reasons)
    assert any("meterValues[0].timestamp" in r for r in reasons)
    assert wait_for(lambda: analysed(api, tenant, good_id, 15))


def test_unused_ocpp_measurand_is_stored_and_ignored(runtime: Any, api: Any, tenant: Any) -> None:
    kafka = runtime.settings.kafka
    session_id = f"k-{uuid.uuid4().hex[:8]}"
    values = [
        *readings(6),
        {"timestamp": "2026-02-27T10:02:00Z", "measurand": "Current.Import", "unit": "A", "value": 16},
    ]
    produce(kafka.bootstrap_servers, kafka.topics.meter_values, [message(tenant.tenant_id, session_id, values)])
    body = wait_for(lambda: analysed(api, tenant, session_id, 19))
    assert any(m["measurand"] == "Current.Import" for m in body["meterValues"])


def test_api_accepted_sessions_are_republished_to_the_internal_api_writes_topic(
    runtime: Any, api: Any, tenant: Any
) -> None:
    from tests.support.sessions import session_body

    session_id = f"api-{uuid.uuid4().hex[:8]}"
    assert api.post("/v1/sessions", json=session_body(session_id), headers=tenant.headers).status_code == 200
    kafka = runtime.settings.kafka

    def published() -> list[dict[str, Any]]:
        msgs = consume_all(kafka.bootstrap_servers, kafka.topics.api_writes, 1, timeout_s=5)
        found = [msgspec.json.decode(m.value()) for m in msgs if session_id.encode() in (m.value() or b"")]
        return found

    found = wait_for(published, timeout_s=30)
    assert found[0]["tenantId"] == tenant.tenant_id and found[0]["op"] == "create"
    assert len(found[0]["meterValues"]) == 36
