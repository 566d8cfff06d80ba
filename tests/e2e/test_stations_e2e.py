"""Stations end to end through the real broker: several days of status and meter values for two
stations, one day with an injected energy drop and one with a connector outage, then `/v1/stations`
and `/v1/statistics` show them (real Kafka, Bytewax, tritonserver with SHADE, chDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from evwatch.storage.stations import ClickHouseStationStore
from models.shade.simulator import StationSpec
from tests.plugins.services import create_tenant
from tests.support.kafka import consume_all, produce, wait_for
from tests.support.stations import StationScenario, build_scenario, closing_reading

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

N_DAYS = 12
DROP_DAY, OUTAGE_DAY = 10, 11
SPEC_A = StationSpec(
    connector_ids=("1", "2", "3"),
    max_power_kw=(50.0, 50.0, 22.0),
    dc=(True, True, False),
    sessions_per_day=(14.0, 12.0, 6.0),
    has_station_meter=False,
    standby_kw=0.5,
    meter_loss=0.0,
)
SPEC_B = StationSpec(
    connector_ids=("1", "2"),
    max_power_kw=(22.0, 22.0),
    dc=(False, False),
    sessions_per_day=(5.0, 4.0),
    has_station_meter=False,
    standby_kw=0.3,
    meter_loss=0.0,
)


def assert_error(resp: Any, status: int) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"status", "code", "message", "details"} and body["status"] == status


@pytest.fixture(scope="module")
def scenario(runtime: Any, api: Any, new_tenant_module: Any) -> tuple[Any, StationScenario, StationScenario]:
    """Send two stations' days through Kafka and wait until every day of both is scored."""
    tenant = new_tenant_module()
    first = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=N_DAYS)
    a = build_scenario(
        tenant.tenant_id,
        "ST-E2E-A",
        SPEC_A,
        first,
        N_DAYS,
        {DROP_DAY: "energy_drop", OUTAGE_DAY: "connector_outage"},
        seed=3,
        # An outage is a connector_outage when it is reported (or one connector departs from the
        # others by more than chance explains, which on a quiet weekend it may not).
        report_outages=True,
    )
    b = build_scenario(tenant.tenant_id, "ST-E2E-B", SPEC_B, first, 3, {}, seed=4)
    kafka = runtime.settings.kafka
    bootstrap = kafka.bootstrap_servers
    # Station A is described by metadata; station B only shows up (first sight).
    produce(bootstrap, kafka.topics.station_status, [a.metadata], key=b"a")
    for sc in (a, b):
        key = f"{sc.tenant_id}/{sc.station_id}".encode()
        produce(bootstrap, kafka.topics.station_status, list(sc.statuses), key=key)
        # Keyed by station so one station's sessions stay in order (station-days close on later data).
        produce(bootstrap, kafka.topics.meter_values, [*sc.sessions, closing_reading(sc, "1")], key=key)
    produce(
        bootstrap,
        kafka.topics.station_status,
        [
            {
                "tenantId": tenant.tenant_id,
                "chargingStationId": "ST-E2E-A",
                "connectorId": 1,
                "status": "Exploded",
                "timestamp": first.isoformat(),
            }
        ],
        key=b"bad",
    )

    def scored() -> bool:
        resp = api.get("/v1/stations/ST-E2E-A/anomalies?pageSize=50", headers=tenant.headers)
        resp_b = api.get("/v1/stations/ST-E2E-B/anomalies?pageSize=50", headers=tenant.headers)
        return (
            resp.status_code == 200
            and resp.json()["pagination"]["totalCount"] >= N_DAYS
            and resp_b.status_code == 200
            and resp_b.json()["pagination"]["totalCount"] >= 3
        )

    wait_for(scored, timeout_s=300, interval_s=2.0)
    expected_sessions = len(a.sessions) + len(b.sessions) + 2

    def stored_sessions() -> bool:
        resp = api.get("/v1/sessions?pageSize=1", headers=tenant.headers)
        return resp.status_code == 200 and resp.json()["pagination"]["totalCount"] >= expected_sessions

    wait_for(stored_sessions, timeout_s=300, interval_s=2.0)
    ClickHouseStationStore(runtime.client).refresh_station_views()
    return tenant, a, b


@pytest.fixture(scope="module")
def new_tenant_module(runtime: Any) -> Any:
    """A tenant factory usable from module-scoped fixtures."""
    return lambda: create_tenant(runtime)


def _day(sc: StationScenario, k: int) -> str:
    return datetime.fromtimestamp(sc.days[k].day.day_start, UTC).date().isoformat()


def test_shade_finds_the_drop_and_the_outage(api: Any, scenario: Any) -> None:
    tenant, a, _ = scenario
    body = api.get("/v1/stations/ST-E2E-A/anomalies?pageSize=50", headers=tenant.headers).json()
    by_day = {r["detectionDetails"]["affected_period"]: r for r in body["content"]}
    assert len(by_day) == N_DAYS
    assert by_day[_day(a, DROP_DAY)]["isAnomaly"]
    assert by_day[_day(a, DROP_DAY)]["detectionDetails"]["anomaly_type"] == "energy_drop"
    assert by_day[_day(a, OUTAGE_DAY)]["isAnomaly"], str(by_day[_day(a, OUTAGE_DAY)]["detectionDetails"])
    outage = by_day[_day(a, OUTAGE_DAY)]["detectionDetails"]
    assert outage["anomaly_type"] == "connector_outage"
    index = a.days[OUTAGE_DAY].anomalies[0].connector_index
    assert index is not None and outage["connector_id"] == SPEC_A.connector_ids[index]
    healthy = [d for k, d in by_day.items() if k not in (_day(a, DROP_DAY), _day(a, OUTAGE_DAY))]
    assert not any(r["isAnomaly"] for r in healthy)
    analyzed = [r["analyzedAt"] for r in body["content"]]
    assert analyzed == sorted(analyzed, reverse=True)


def test_inference_overview_and_energy(api: Any, scenario: Any) -> None:
    tenant, a, _ = scenario
    latest = api.get("/v1/stations/ST-E2E-A/inference", headers=tenant.headers).json()
    assert latest["isAnomaly"] and latest["detectionDetails"]["anomaly_type"] == "connector_outage"
    overview = api.get("/v1/stations/ST-E2E-A/shade-overview", headers=tenant.headers).json()
    assert overview["isAnomaly"] and overview["anomalyMarkers"]
    day_start = datetime.fromtimestamp(a.days[OUTAGE_DAY].day.day_start, UTC)
    marker = overview["anomalyMarkers"][0]
    assert datetime.fromisoformat(marker["timestamp"]) == day_start + timedelta(minutes=marker["startMinute"])
    timeline = overview["energyTimeline"]
    assert len(timeline) == 97 and timeline[0]["cumulativeKwh"] == 0.0
    assert timeline[-1]["cumulativeKwh"] == pytest.approx(float(a.days[OUTAGE_DAY].day.energy_kwh.sum()), rel=1e-3)
    energy = api.get("/v1/stations/ST-E2E-A/energy", headers=tenant.headers).json()
    assert [c["connectorId"] for c in energy["energyConsumptionConnectors"]] == ["1", "2", "3"]
    hours = [p["timestamp"] for p in energy["energyConsumptionStation"]]
    assert len(hours) == 7 * 24
    start = datetime.fromisoformat(hours[0]).timestamp()
    expected = sum(
        float(d.day.energy_kwh[:, m].sum()) for d in a.days for m in range(1440) if d.day.day_start + 60 * m >= start
    )
    assert energy["energyDelivered"] == pytest.approx(expected, rel=1e-3)
    occurrences = [datetime.fromisoformat(t).date().isoformat() for t in energy["anomalyOccurrences"]]
    assert _day(a, DROP_DAY) in occurrences and _day(a, OUTAGE_DAY) in occurrences


def test_aggregated_views_after_refresh(api: Any, scenario: Any) -> None:
    tenant, a, b = scenario
    listed = api.get("/v1/stations", headers=tenant.headers).json()
    assert [s["chargingStationId"] for s in listed["content"]] == ["ST-E2E-A", "ST-E2E-B"]
    row_a = listed["content"][0]
    assert row_a["totalAnomalies"] >= 2 and row_a["lastAnomalyDate"] is not None
    assert api.get("/v1/stations/lookup", headers=tenant.headers).json() == {"items": ["ST-E2E-A", "ST-E2E-B"]}
    detail = api.get("/v1/stations/ST-E2E-A", headers=tenant.headers).json()
    assert detail["totalSessions"] == len(a.sessions) + 1
    per_connector = {c: sum(1 for s in a.sessions if s["connectorId"] == c) for c in ("1", "2", "3")}
    per_connector["1"] += 1  # the closing session
    assert {c["connectorId"]: c["totalSessions"] for c in detail["connectors"]} == per_connector
    assert detail["metadata"]["operator"] == "TestOp" and detail["metadata"]["tariffPerKwh"] == a.tariff_per_kwh
    connectors = api.get("/v1/stations/ST-E2E-A/connectors", headers=tenant.headers).json()
    for c in connectors["connectors"]:
        assert sum(c["anomalyCategories"].values()) >= c["anomalousSessions"] >= 0
    detail_b = api.get("/v1/stations/ST-E2E-B", headers=tenant.headers).json()
    assert detail_b["totalSessions"] == len(b.sessions) + 1 and "operator" not in detail_b["metadata"]


def test_uptime_matches_the_hand_computed_value(api: Any, scenario: Any) -> None:
    tenant, a, b = scenario
    stats = api.get("/v1/statistics", headers=tenant.headers).json()
    now = datetime.now(UTC).timestamp()
    # Every connector reported Available at its station's first midnight; downtime is what the
    # scenarios reported as Faulted (the outage plus short maintenance blips).
    observed = sum(len(sc.spec.connector_ids) * (now - sc.days[0].day.day_start) for sc in (a, b))
    down = a.downtime_s() + b.downtime_s()
    assert stats["uptimePercentage"] == pytest.approx(100.0 * (observed - down) / observed, abs=0.01)
    assert stats["uptimeDelta"] == 0.0
    assert stats["totalSessions"] == len(a.sessions) + len(b.sessions) + 2
    assert stats["chargingStationsWithAnomaliesCount"] >= 1
    assert stats["totalAnomaliesCount"] >= 2
    assert stats["totalRevenue"] > 0.0
    assert stats["revenueAtRisk"] <= stats["totalRevenue"]


def _text(value: str | bytes | None) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")


def test_bad_status_message_is_dead_lettered(runtime: Any, scenario: Any) -> None:
    kafka = runtime.settings.kafka
    dead = consume_all(kafka.bootstrap_servers, kafka.topics.dead_letter, 1, timeout_s=30)
    reasons = [_text(dict(m.headers() or []).get("evwatch-reason")) for m in dead]
    assert any(r.startswith("status") and "Exploded" in r for r in reasons), reasons


@pytest.mark.parametrize("suffix", ["", "/anomalies", "/connectors", "/energy", "/inference", "/shade-overview"])
def test_other_tenants_and_bad_parameters(api: Any, scenario: Any, new_tenant_module: Any, suffix: str) -> None:
    tenant, _, _ = scenario
    other = new_tenant_module()
    assert_error(api.get(f"/v1/stations/ST-E2E-A{suffix}", headers=other.headers), 404)
    assert_error(api.get("/v1/stations?pageSize=1000", headers=tenant.headers), 422)
    assert_error(api.get("/v1/stations/ST-E2E-A/anomalies?page=-2", headers=tenant.headers), 422)
