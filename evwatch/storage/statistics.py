"""SQL behind `GET /v1/statistics`: tenant-wide facts read from the session and station tables."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from clickhouse_connect.driver.client import Client

from evwatch.domain.ocpp import ENERGY, POWER, STATION_CONNECTOR

# The analysis each session of one tenant shows (`session_current_analyses` of migration 0007).
_CURRENT = "SELECT * FROM session_current_analyses WHERE tenant_id = {t:String}"


@dataclass(frozen=True, slots=True)
class SessionAnomalyFact:
    """One anomaly of the analysis a session shows."""

    session_id: str
    charging_station_id: str
    connector_id: str | None
    category: str
    start_ts: datetime
    end_ts: datetime
    detected_at: datetime


@dataclass(frozen=True, slots=True)
class ShadeAnomalyFact:
    """One anomalous SHADE station-day."""

    charging_station_id: str
    anomaly_type: str | None
    connector_id: str | None
    expected_energy_kwh: float
    actual_energy_kwh: float
    analyzed_at: datetime


@dataclass(frozen=True, slots=True)
class ReadingFact:
    """An energy (kWh) or power (kW) reading of a session."""

    session_id: str
    timestamp: datetime
    measurand: str
    value: float


class ClickHouseStatisticsFacts:
    """Tenant-wide facts behind the statistics, read from the session and station tables."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def session_counts(self, tenant_id: str) -> tuple[int, int]:
        """(sessions, sessions whose analysis is anomalous)."""
        row = self._client.query(
            "SELECT (SELECT uniqExact(session_id) FROM session_writes WHERE tenant_id = {t:String}), "
            f"(SELECT countIf(is_anomaly) FROM ({_CURRENT}))",
            parameters={"t": tenant_id},
        ).result_rows[0]
        return int(row[0]), int(row[1])

    def latest_session_anomalies(self, tenant_id: str) -> list[SessionAnomalyFact]:
        """Anomalies of the analysis every session shows."""
        rows = self._client.query(
            "SELECT session_id, charging_station_id, connector_id, a.category, a.start_ts, a.end_ts, analyzed_at "
            f"FROM ({_CURRENT}) ARRAY JOIN anomalies AS a",
            parameters={"t": tenant_id},
        ).result_rows
        return [SessionAnomalyFact(*r) for r in rows]

    def shade_anomalies(self, tenant_id: str) -> list[ShadeAnomalyFact]:
        """Anomalous SHADE station-days of the tenant."""
        rows = self._client.query(
            "SELECT charging_station_id, anomaly_type, detection_details, expected_energy_kwh, actual_energy_kwh, "
            "analyzed_at FROM station_inferences FINAL WHERE tenant_id = {t:String} AND is_anomaly",
            parameters={"t": tenant_id},
        ).result_rows
        out = []
        for station, kind, details, expected, actual, analyzed_at in rows:
            connector = json.loads(details or "{}").get("connector_id")
            out.append(
                ShadeAnomalyFact(
                    station,
                    kind,
                    None if connector is None else str(connector),
                    float(expected),
                    float(actual),
                    analyzed_at,
                )
            )
        return out

    def session_energy(self, tenant_id: str) -> dict[str, tuple[str, float]]:
        """Per session: (station, register delta in kWh = last minus first energy reading, >= 0)."""
        rows = self._client.query(
            "SELECT m.session_id, any(m.charging_station_id), "
            "greatest(argMax(m.value, m.timestamp) - argMin(m.value, m.timestamp), 0) "
            "FROM meter_values AS m WHERE m.tenant_id = {t:String} AND m.measurand = {e:String} "
            "AND m.phase IS NULL GROUP BY m.session_id",
            parameters={"t": tenant_id, "e": ENERGY},
        ).result_rows
        return {r[0]: (r[1], float(r[2])) for r in rows}

    def session_readings(self, tenant_id: str, session_ids: Sequence[str]) -> list[ReadingFact]:
        """Energy and power readings of the given sessions, in time order."""
        if not session_ids:
            return []
        rows = self._client.query(
            "SELECT session_id, timestamp, measurand, value FROM meter_values WHERE tenant_id = {t:String} "
            "AND session_id IN {ids:Array(String)} AND measurand IN ({e:String}, {p:String}) AND phase IS NULL "
            "ORDER BY session_id, timestamp",
            parameters={"t": tenant_id, "ids": list(session_ids), "e": ENERGY, "p": POWER},
        ).result_rows
        return [ReadingFact(r[0], r[1], r[2], float(r[3])) for r in rows]

    def status_events(self, tenant_id: str) -> list[tuple[str, str, datetime, str]]:
        """Every status change of the tenant: (station, connector, timestamp, status), in time order."""
        rows = self._client.query(
            "SELECT charging_station_id, connector_id, timestamp, status FROM station_availability FINAL "
            "WHERE tenant_id = {t:String} ORDER BY charging_station_id, connector_id, timestamp",
            parameters={"t": tenant_id},
        ).result_rows
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def connector_first_seen(self, tenant_id: str) -> dict[tuple[str, str], datetime]:
        """When each charging connector first showed up (a status change or a minute of energy)."""
        rows = self._client.query(
            "SELECT charging_station_id, connector_id, min(t) FROM ("
            " SELECT charging_station_id, connector_id, toDateTime64(min(timestamp), 3, 'UTC') AS t "
            " FROM station_availability WHERE tenant_id = {t:String} GROUP BY charging_station_id, connector_id"
            " UNION ALL"
            " SELECT charging_station_id, connector_id, toDateTime64(min(minute), 3, 'UTC') AS t "
            " FROM station_minute_energy WHERE tenant_id = {t:String} GROUP BY charging_station_id, connector_id"
            ") WHERE connector_id != {station:String} GROUP BY charging_station_id, connector_id",
            parameters={"t": tenant_id, "station": STATION_CONNECTOR},
        ).result_rows
        return {(r[0], r[1]): r[2] for r in rows}
