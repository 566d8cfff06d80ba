"""Meter values accepted by `/v1/sessions` reach the station windows through the same topic as Kafka's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.kafka import wait_for
from tests.support.sessions import readings, session_body

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def test_posted_session_creates_the_station_and_its_energy(api: Any, tenant: Any) -> None:
    station = f"ST-API-{uuid.uuid4().hex[:6]}"
    start = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    body = session_body(f"s-{uuid.uuid4().hex[:8]}", station=station, n=31)
    body["meterValues"] = readings(31, start=start, step_s=60, power_kw=11.0)
    assert api.post("/v1/sessions", json=body, headers=tenant.headers).status_code == 200

    def looked_up() -> bool:
        return api.get("/v1/stations/lookup", headers=tenant.headers).json() == {"items": [station]}

    wait_for(looked_up, timeout_s=60)

    def energy() -> dict[str, Any] | None:
        resp = api.get(f"/v1/stations/{station}/energy", headers=tenant.headers).json()
        return resp if resp["energyDelivered"] > 0 else None

    resp = wait_for(energy, timeout_s=60)
    # 30 minutes at 11 kW on connector 1.
    assert resp["energyDelivered"] == pytest.approx(5.5, abs=0.01)
    assert [c["connectorId"] for c in resp["energyConsumptionConnectors"]] == ["1"]


def test_a_session_larger_than_a_kafka_message_reaches_the_station_whole(api: Any, tenant: Any) -> None:
    # 10,000 readings (about 1.2 MB of JSON, over the 1 MiB message limit): the relay splits the write.
    station = f"ST-BIG-{uuid.uuid4().hex[:6]}"
    start = (datetime.now(UTC) - timedelta(days=3)).replace(second=0, microsecond=0)
    body = session_body(f"s-{uuid.uuid4().hex[:8]}", station=station)
    body["meterValues"] = readings(3334, start=start, step_s=60, power_kw=1.8)
    assert len(body["meterValues"]) >= 10_000
    assert api.post("/v1/sessions", json=body, headers=tenant.headers).status_code == 200

    def energy() -> dict[str, Any] | None:
        resp = api.get(f"/v1/stations/{station}/energy", headers=tenant.headers)
        if resp.status_code != 200:
            return None
        payload: dict[str, Any] = resp.json()
        return payload if payload["energyDelivered"] >= 99.9 else None

    assert wait_for(energy, timeout_s=90)["energyDelivered"] == pytest.approx(99.99, abs=0.05)
