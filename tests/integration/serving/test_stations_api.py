"""`/v1/stations` and `/v1/statistics` through the real app over rows written by the station writer."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from evwatch.clock import wall_clock
from evwatch.contracts.station_status import decode_station_message
from evwatch.domain.bounds import Bounds
from evwatch.inference.models import shade_model
from evwatch.storage.stations import ClickHouseStationStore
from models.shade.metadata import threshold
from pipeline.dead_letters import Source
from pipeline.keys import entity_key
from pipeline.stations.inputs import ReadingsInput, parse_station_status
from pipeline.stations.processor import StationProcessorState, StationWindowConfig, on_input
from pipeline.stations.scoring import StationScorer
from pipeline.stations.windows import EnergyReading
from pipeline.stations.writer import StationWriter

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

DAY0 = (datetime.now(UTC) - timedelta(days=3)).replace(hour=0, minute=0, second=0, microsecond=0)


def assert_error(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"status", "code", "message", "details"} and body["status"] == status
    return body


def _feed(runtime: Any, tenant_id: str, station_id: str) -> None:
    """Two days on one connector through the processor and the real writer (real Triton, real chDB)."""
    store = ClickHouseStationStore(runtime.client)
    scorer = StationScorer(shade_model(runtime.settings.triton), threshold(), wall_clock, threading.Event())
    state = StationProcessorState()
    cfg = StationWindowConfig(settle_s=0)
    key = entity_key(tenant_id, station_id)
    now = datetime.now(UTC)
    meta = parse_station_status(
        Source(
            "s",
            0,
            1,
            None,
            b'{"tenantId":"%s","chargingStationId":"%s","address":"Main 1","operator":"Op","tariffPerKwh":0.5,'
            b'"currency":"EUR","connectors":[{"connectorId":"1","maxPowerKw":22},{"connectorId":"2","maxPowerKw":22}]}'
            % (tenant_id.encode(), station_id.encode()),
        ),
        Bounds(),
        now,
    )
    status = parse_station_status(
        Source(
            "s",
            0,
            2,
            None,
            b'{"tenantId":"%s","chargingStationId":"%s","connectorId":"2","status":"Faulted","timestamp":"%s"}'
            % (tenant_id.encode(), station_id.encode(), (DAY0 + timedelta(hours=2)).isoformat().encode()),
        ),
        Bounds(),
        now,
    )
    items = [meta[1], status[1]]  # type: ignore[index]
    for day in (0, 1, 2):
        t = DAY0 + timedelta(days=day, hours=9)
        items.append(
            ReadingsInput(
                tuple(
                    EnergyReading("1", t + timedelta(minutes=10 * i), 24.0 * day + 2.0 * i, f"{station_id}-{day}")
                    for i in range(13)
                ),
                received_at=t,
                source=Source("m", 0, day, None, b"{}"),
            )
        )
    outputs = []
    for item in items:
        outputs += [(key, o) for o in on_input(state, item, datetime.now(UTC).timestamp(), cfg)]
    StationWriter(store, wall_clock, threading.Event())(scorer(outputs))
    store.refresh_station_views()


@pytest.fixture
def seeded(runtime: Any, tenant: Any) -> tuple[Any, str]:
    station_id = f"ST-{uuid.uuid4().hex[:6]}"
    _feed(runtime, tenant.tenant_id, station_id)
    return tenant, station_id


def test_list_lookup_and_detail(api: Any, seeded: tuple[Any, str]) -> None:
    tenant, station_id = seeded
    body = api.get("/v1/stations", headers=tenant.headers).json()
    assert body["pagination"] == {"totalCount": 1, "page": 0, "size": 20}
    [row] = body["content"]
    assert row["chargingStationId"] == station_id == row["ocppChargingStationId"]
    assert set(row) == {
        "id",
        "ocppChargingStationId",
        "chargingStationId",
        "aiScore",
        "totalAnomalies",
        "lastAnomalyDate",
    }
    assert isinstance(row["aiScore"], float)
    assert api.get("/v1/stations/lookup", headers=tenant.headers).json() == {"items": [station_id]}
    detail = api.get(f"/v1/stations/{station_id}", headers=tenant.headers).json()
    assert detail["chargingStationId"] == station_id
    assert [c["connectorId"] for c in detail["connectors"]] == ["1", "2"]
    assert detail["metadata"]["address"] == "Main 1" and detail["metadata"]["operator"] == "Op"
    assert detail["totalSessions"] == 0 and detail["anomalousSessions"] == 0


def test_shade_history_inference_overview_energy(api: Any, seeded: tuple[Any, str]) -> None:
    tenant, station_id = seeded
    history = api.get(f"/v1/stations/{station_id}/anomalies", headers=tenant.headers).json()
    assert history["pagination"]["totalCount"] == 2  # days 0 and 1 closed; day 2 is still open
    for record in history["content"]:
        assert set(record) == {"inferenceId", "isAnomaly", "anomalyScore", "detectionDetails", "analyzedAt"}
        assert {"expected_energy_kwh", "actual_energy_kwh", "affected_period"} <= set(record["detectionDetails"])
    page = api.get(f"/v1/stations/{station_id}/anomalies?page=1&pageSize=1", headers=tenant.headers).json()
    assert page["pagination"] == {"totalCount": 2, "page": 1, "size": 1} and len(page["content"]) == 1
    latest = api.get(f"/v1/stations/{station_id}/inference", headers=tenant.headers).json()
    assert latest["chargingStationId"] == station_id and 0.0 <= latest["anomalyScore"] <= 1.0
    overview = api.get(f"/v1/stations/{station_id}/shade-overview", headers=tenant.headers).json()
    assert overview["energyTimeline"][0]["cumulativeKwh"] == 0.0
    assert overview["energyTimeline"][-1]["cumulativeKwh"] == pytest.approx(24.0, abs=0.01)
    assert len(overview["energyTimeline"]) == 97
    energy = api.get(f"/v1/stations/{station_id}/energy", headers=tenant.headers).json()
    assert set(energy) == {
        "chargingStationId",
        "energyDelivered",
        "energyConsumptionStation",
        "energyConsumptionConnectors",
        "anomalyOccurrences",
    }
    assert energy["energyDelivered"] == pytest.approx(72.0, abs=0.01)
    assert [c["connectorId"] for c in energy["energyConsumptionConnectors"]] == ["1"]
    connectors = api.get(f"/v1/stations/{station_id}/connectors", headers=tenant.headers).json()
    assert connectors == {
        "chargingStationId": station_id,
        "connectors": [
            {"connectorId": "1", "totalSessions": 0, "anomalousSessions": 0, "anomalyCategories": {}},
            {"connectorId": "2", "totalSessions": 0, "anomalousSessions": 0, "anomalyCategories": {}},
        ],
    }


@pytest.mark.parametrize("suffix", ["", "/anomalies", "/connectors", "/energy", "/inference", "/shade-overview"])
def test_another_tenants_station_is_not_found(
    api: Any, seeded: tuple[Any, str], new_tenant: Callable[[], Any], suffix: str
) -> None:
    _, station_id = seeded
    other = new_tenant()
    assert_error(api.get(f"/v1/stations/{station_id}{suffix}", headers=other.headers), 404)
    assert api.get("/v1/stations/lookup", headers=other.headers).json() == {"items": []}


@pytest.mark.parametrize("query", ["page=-1", "pageSize=0", "pageSize=501", "page=abc"])
def test_bad_paging_is_refused_with_the_error_schema(api: Any, seeded: tuple[Any, str], query: str) -> None:
    tenant, station_id = seeded
    assert_error(api.get(f"/v1/stations?{query}", headers=tenant.headers), 422)
    assert_error(api.get(f"/v1/stations/{station_id}/anomalies?{query}", headers=tenant.headers), 422)


def test_station_without_shade_result_and_unknown_station(api: Any, runtime: Any, tenant: Any) -> None:
    assert_error(api.get("/v1/stations/nope", headers=tenant.headers), 404)
    assert_error(api.get("/v1/stations", headers={}), 401)
    station_id = f"ST-{uuid.uuid4().hex[:6]}"
    meta = decode_station_message(
        b'{"tenantId":"%s","chargingStationId":"%s"}' % (tenant.tenant_id.encode(), station_id.encode())
    )
    from pipeline.stations.processor import MetadataChanged

    writer = StationWriter(ClickHouseStationStore(runtime.client), wall_clock, threading.Event())
    writer([(entity_key(tenant.tenant_id, station_id), MetadataChanged(meta, datetime.now(UTC), datetime.now(UTC)))])  # type: ignore[arg-type]
    assert api.get(f"/v1/stations/{station_id}", headers=tenant.headers).status_code == 200
    assert_error(api.get(f"/v1/stations/{station_id}/inference", headers=tenant.headers), 404)
    assert_error(api.get(f"/v1/stations/{station_id}/shade-overview", headers=tenant.headers), 404)
    energy = api.get(f"/v1/stations/{station_id}/energy", headers=tenant.headers).json()
    assert energy["energyDelivered"] == 0.0 and energy["energyConsumptionStation"] == []


def test_statistics_shape_and_uptime(api: Any, seeded: tuple[Any, str]) -> None:
    tenant, _ = seeded
    body = api.get("/v1/statistics", headers=tenant.headers).json()
    assert set(body) == {
        "activeAnomaliesCount",
        "sessionsWithAnomaliesCount",
        "connectorsWithAnomaliesCount",
        "totalAnomaliesCount",
        "chargingStationsWithAnomaliesCount",
        "uptimePercentage",
        "uptimeDelta",
        "totalSessions",
        "totalRevenue",
        "revenueAtRisk",
        "revenueLeakEstimate",
    }
    # Connector 2 is Faulted from DAY0 02:00 on; connector 1 was first seen at DAY0 09:00.
    now = datetime.now(UTC)
    observed = (now - (DAY0 + timedelta(hours=9))).total_seconds() + (now - (DAY0 + timedelta(hours=2))).total_seconds()
    down = (now - (DAY0 + timedelta(hours=2))).total_seconds()
    assert body["uptimePercentage"] == pytest.approx(100.0 * (observed - down) / observed, abs=0.05)
    assert body["uptimeDelta"] == 0.0  # the 30 days before were not observed
    assert body["totalSessions"] == 0 and body["totalRevenue"] == 0.0
