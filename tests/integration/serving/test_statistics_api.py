"""`GET /v1/statistics` against hand-computed figures over rows written straight into chDB."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from evwatch.domain.ocpp import ENERGY, POWER
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import STREAM, SessionWrite
from evwatch.domain.sessions import AnalysisRecord, AnomalyRecord, SessionRecord
from evwatch.domain.stations import ConnectorInfo, StationRecord
from evwatch.domain.triage import OPEN, RESOLVED, Issue
from evwatch.storage.anomalies import ClickHouseTriageStore
from evwatch.storage.sessions import ClickHouseSessionStore
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
    plan = {  # session: (connector, energy readings (minute, kWh), power readings (minute, kW), category)
        "s1": ("1", [(0, 0.0), (40, 20.0)], [], None),
        "s2": ("1", [(0, 0.0), (10, 10.0), (30, 10.0), (60, 30.0)], [(10, 30.0), (30, 30.0)], "ENERGY_STALL"),
        "s3": ("2", [(0, 0.0), (20, 10.0)], [], "DATA_GAP"),
    }
    sessions = ClickHouseSessionStore(client)
    for sid, (connector, energy, power, category) in plan.items():
        session = SessionRecord(tenant_id, sid, station, connector, None, "active", {}, T, T)
        readings = [StoredReading(T + timedelta(minutes=m), ENERGY, "kWh", v) for m, v in energy]
        readings += [StoredReading(T + timedelta(minutes=m), POWER, "kW", v) for m, v in power]
        slot = f"kafka:seed:0:{sid}"
        sessions.insert_writes([SessionWrite(session, slot, slot, 0, STREAM, T, tuple(readings))])
        found = (
            (AnomalyRecord(category, 10, 30, T + timedelta(minutes=10), T + timedelta(minutes=30), 0.9, 0.9),)
            if category
            else ()
        )
        sessions.insert_analyses(
            [
                AnalysisRecord(
                    tenant_id,
                    sid,
                    f"inf-{sid}",
                    station,
                    connector,
                    T,
                    0.9 if category else 0.1,
                    category is not None,
                    0.9,
                    False,
                    False,
                    False,
                    len(readings),
                    60.0,
                    "m",
                    found,
                )
            ]
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
    # people's issues: one still open, one resolved
    ClickHouseTriageStore(runtime.client).save_issues(
        [
            Issue(tenant.tenant_id, "i-open", "ENERGY_STALL", "ST-1", "1", OPEN, None, T, T),
            Issue(tenant.tenant_id, "i-done", "DATA_GAP", "ST-1", "2", RESOLVED, None, T, T),
        ]
    )
    body = api.get("/v1/statistics", headers=tenant.headers).json()
    # Revenue: 0.5 EUR/kWh x (20 + 30 + 10) kWh. At risk: s2 (ENERGY_STALL is billing-relevant; DATA_GAP is not).
    # Leak: s2's stall delivered 30 kW x 20 min = 10 kWh with the register frozen (5 EUR), plus SHADE's
    # 4 kWh of idle consumption (2 EUR).
    # Active: the open issue and the SHADE day (station findings open no issues).
    assert body == {
        "activeAnomaliesCount": 2,
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
