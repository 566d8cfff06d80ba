"""`GET /v1/statistics` against hand-computed figures over rows written straight into chDB."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from evwatch.domain.stations import ConnectorInfo, StationRecord
from evwatch.storage.stations import ClickHouseStationStore

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

T = (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0)


def _seed(client: Any, tenant_id: str) -> None:
    station = "ST-STATS"
    ClickHouseStationStore(client).upsert_stations(
        [
            StationRecord(
                tenant_id,
                station,
                "id",
                station,
                tariff_per_kwh=0.5,
                currency="EUR",
                connectors=(ConnectorInfo("1", 50.0), ConnectorInfo("2", 50.0)),
                has_metadata=True,
                first_seen_at=T,
                updated_at=T,
            )
        ],
        [1],
    )
    sessions, values, inferences, anomalies = [], [], [], []
    plan = {  # session: (connector, energy readings (minute, kWh), power readings (minute, kW), category)
        "s1": ("1", [(0, 0.0), (40, 20.0)], [], None),
        "s2": ("1", [(0, 0.0), (10, 10.0), (30, 10.0), (60, 30.0)], [(10, 30.0), (30, 30.0)], "ENERGY_STALL"),
        "s3": ("2", [(0, 0.0), (20, 10.0)], [], "DATA_GAP"),
    }
    for sid, (connector, energy, power, category) in plan.items():
        sessions.append([tenant_id, sid, station, connector, None, "active", "{}", T, T, 1])
        for i, (m, v) in enumerate(energy):
            values.append(
                [
                    tenant_id,
                    sid,
                    station,
                    connector,
                    T + timedelta(minutes=m),
                    "Energy.Active.Import.Register",
                    "kWh",
                    v,
                    None,
                    None,
                    False,
                    f"e{i}",
                    T,
                ]
            )
        for i, (m, v) in enumerate(power):
            values.append(
                [
                    tenant_id,
                    sid,
                    station,
                    connector,
                    T + timedelta(minutes=m),
                    "Power.Active.Import",
                    "kW",
                    v,
                    None,
                    None,
                    False,
                    f"p{i}",
                    T,
                ]
            )
        inferences.append(
            [tenant_id, sid, f"inf-{sid}", station, connector, T, 0.9 if category else 0.1, category is not None, "m"]
        )
        if category:
            anomalies.append(
                [
                    tenant_id,
                    sid,
                    f"inf-{sid}",
                    category,
                    10,
                    30,
                    T + timedelta(minutes=10),
                    T + timedelta(minutes=30),
                    0.9,
                    0.9,
                    station,
                    connector,
                    T,
                ]
            )
    client.insert(
        "sessions",
        sessions,
        column_names=[
            "tenant_id",
            "session_id",
            "charging_station_id",
            "connector_id",
            "evse_id",
            "status",
            "metadata",
            "created_at",
            "updated_at",
            "version",
        ],
    )
    client.insert(
        "meter_values",
        values,
        column_names=[
            "tenant_id",
            "session_id",
            "charging_station_id",
            "connector_id",
            "timestamp",
            "measurand",
            "unit",
            "value",
            "phase",
            "location",
            "reconstructed",
            "source_key",
            "ingested_at",
        ],
    )
    client.insert(
        "session_inferences",
        inferences,
        column_names=[
            "tenant_id",
            "session_id",
            "inference_id",
            "charging_station_id",
            "connector_id",
            "analyzed_at",
            "anomaly_score",
            "is_anomaly",
            "model_version",
        ],
    )
    client.insert(
        "session_anomalies",
        anomalies,
        column_names=[
            "tenant_id",
            "session_id",
            "inference_id",
            "category",
            "start_unit",
            "end_unit",
            "start_ts",
            "end_ts",
            "score",
            "confidence",
            "charging_station_id",
            "connector_id",
            "detected_at",
        ],
    )
    client.insert(
        "station_inferences",
        [
            [
                tenant_id,
                station,
                str(uuid.uuid4()),
                T.replace(hour=0, minute=0, second=0),
                T.date(),
                "UTC",
                T,
                0.95,
                True,
                False,
                1440,
                "idle_consumption",
                T,
                0.0,
                4.0,
                '{"anomaly_type":"idle_consumption","connector_id":"1"}',
                "m",
            ]
        ],
        column_names=[
            "tenant_id",
            "charging_station_id",
            "inference_id",
            "day_start",
            "local_date",
            "time_zone",
            "analyzed_at",
            "day_score",
            "is_anomaly",
            "is_partial",
            "minutes_observed",
            "anomaly_type",
            "anomaly_at",
            "expected_energy_kwh",
            "actual_energy_kwh",
            "detection_details",
            "model_version",
        ],
    )


def test_statistics_by_hand(api: Any, runtime: Any, tenant: Any) -> None:
    _seed(runtime.client, tenant.tenant_id)
    body = api.get("/v1/statistics", headers=tenant.headers).json()
    # Revenue: 0.5 EUR/kWh x (20 + 30 + 10) kWh. At risk: s2 (ENERGY_STALL is billing-relevant; DATA_GAP is not).
    # Leak: s2's stall delivered 30 kW x 20 min = 10 kWh with the register frozen (5 EUR), plus SHADE's
    # 4 kWh of idle consumption (2 EUR).
    assert body == {
        "activeAnomaliesCount": 3,
        "sessionsWithAnomaliesCount": 2,
        "connectorsWithAnomaliesCount": 2,
        "totalAnomaliesCount": 3,
        "chargingStationsWithAnomaliesCount": 1,
        "uptimePercentage": 100.0,
        "uptimeDelta": 0.0,
        "totalSessions": 3,
        "totalRevenue": 30.0,
        "revenueAtRisk": 15.0,
        "revenueLeakEstimate": 7.0,
    }
