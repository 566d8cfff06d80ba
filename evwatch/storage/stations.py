"""SQL for the station family: charging_stations, minute energy, availability, SHADE results, the views."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from clickhouse_connect.driver.client import Client

from evwatch.domain.stations import (
    ConnectorAggregate,
    ConnectorInfo,
    MinuteEnergyRow,
    StationAggregate,
    StationInferenceRow,
    StationRecord,
    StatusRow,
)
from evwatch.storage.clickhouse import scalar

STATION_VIEWS = ("charging_stations_aggregated_mv", "station_connectors_aggregated_mv", "station_daily_energy_mv")

_STATION_COLUMNS = [
    "tenant_id",
    "charging_station_id",
    "id",
    "ocpp_charging_station_id",
    "address",
    "operator",
    "time_zone",
    "tariff_per_kwh",
    "currency",
    "connectors",
    "metadata",
    "has_metadata",
    "first_seen_at",
    "updated_at",
    "version",
]
_INFERENCE_COLUMNS = [
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
    "marker_start_minutes",
    "marker_end_minutes",
    "marker_scores",
    "detection_details",
    "model_version",
]


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _station_from_row(row: Sequence[Any]) -> StationRecord:
    (
        tenant_id,
        station_id,
        id_,
        ocpp,
        address,
        operator,
        tz,
        tariff,
        currency,
        connectors,
        metadata,
        has_metadata,
        first_seen_at,
        updated_at,
    ) = row[:14]
    return StationRecord(
        tenant_id=tenant_id,
        charging_station_id=station_id,
        id=id_,
        ocpp_charging_station_id=ocpp,
        time_zone=tz,
        address=address,
        operator=operator,
        tariff_per_kwh=tariff,
        currency=currency,
        connectors=tuple(
            ConnectorInfo(str(c["connectorId"]), c.get("maxPowerKw"), c.get("currentType"))
            for c in json.loads(connectors or "[]")
        ),
        metadata=json.loads(metadata or "{}"),
        has_metadata=bool(has_metadata),
        first_seen_at=first_seen_at,
        updated_at=updated_at,
    )


_STATION_SELECT = f"SELECT {', '.join(_STATION_COLUMNS[:-1])} FROM charging_stations FINAL"


_AGG_SELECT = (
    "SELECT charging_station_id, id, ocpp_charging_station_id, total_sessions, anomalous_sessions, total_anomalies, "
    "ai_score, last_anomaly_date FROM charging_stations_aggregated_mv"
)


def _aggregate(row: Sequence[Any]) -> StationAggregate:
    return StationAggregate(
        row[0], row[1], row[2], int(row[3]), int(row[4]), int(row[5]), None if row[6] is None else float(row[6]), row[7]
    )


def _inference_from_row(row: Sequence[Any]) -> StationInferenceRow:
    values = dict(zip(_INFERENCE_COLUMNS, row, strict=True))
    values["marker_start_minutes"] = tuple(int(m) for m in values["marker_start_minutes"])
    values["marker_end_minutes"] = tuple(int(m) for m in values["marker_end_minutes"])
    values["marker_scores"] = tuple(float(s) for s in values["marker_scores"])
    values["detection_details"] = json.loads(values["detection_details"] or "{}")
    values["minutes_observed"] = int(values["minutes_observed"])
    return StationInferenceRow(**values)


_INFERENCE_SELECT = f"SELECT {', '.join(_INFERENCE_COLUMNS)} FROM station_inferences FINAL"


@dataclass(frozen=True, slots=True)
class EnergyBucket:
    """Energy of one connector in one time bucket."""

    connector_id: str
    start: datetime
    energy_kwh: float


class StationWrites(Protocol):
    """What the station steps of the dataflow write; `ClickHouseStationStore` is the real one."""

    def upsert_stations(self, stations: Sequence[StationRecord], versions: Sequence[int]) -> None: ...
    def insert_minute_energy(self, rows: Sequence[MinuteEnergyRow]) -> None: ...
    def insert_status_rows(self, rows: Sequence[StatusRow], ingested_at: datetime) -> None: ...
    def insert_station_inferences(self, rows: Sequence[StationInferenceRow]) -> None: ...


class ClickHouseStationStore:
    """SQL of the station family: charging_stations, minute energy, availability, SHADE results, the views."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def upsert_stations(self, stations: Sequence[StationRecord], versions: Sequence[int]) -> None:
        """Write station rows; `versions` order them (0 = first sight, never beats described metadata)."""
        if not stations:
            return
        rows = [
            [
                s.tenant_id,
                s.charging_station_id,
                s.id,
                s.ocpp_charging_station_id,
                s.address,
                s.operator,
                s.time_zone,
                s.tariff_per_kwh,
                s.currency,
                _json(
                    [
                        {"connectorId": c.connector_id, "maxPowerKw": c.max_power_kw, "currentType": c.current_type}
                        for c in s.connectors
                    ]
                ),
                _json(s.metadata),
                s.has_metadata,
                s.first_seen_at,
                s.updated_at,
                v,
            ]
            for s, v in zip(stations, versions, strict=True)
        ]
        self._client.insert("charging_stations", rows, column_names=_STATION_COLUMNS)

    def insert_minute_energy(self, rows: Sequence[MinuteEnergyRow]) -> None:
        """Write minute energy; each row is the minute's full value, the newest write wins."""
        if not rows:
            return
        version = time.time_ns()
        data = [
            [r.tenant_id, r.charging_station_id, r.connector_id, r.minute, r.energy_kwh, r.session_active, version]
            for r in rows
        ]
        self._client.insert(
            "station_minute_energy",
            data,
            column_names=[
                "tenant_id",
                "charging_station_id",
                "connector_id",
                "minute",
                "energy_kwh",
                "session_active",
                "version",
            ],
        )

    def insert_status_rows(self, rows: Sequence[StatusRow], ingested_at: datetime) -> None:
        """Write connector status changes (a replayed message rewrites its own row)."""
        if not rows:
            return
        data = [
            [
                r.tenant_id,
                r.charging_station_id,
                r.connector_id,
                r.timestamp,
                r.status,
                r.error_code,
                r.info,
                r.source_key,
                ingested_at,
            ]
            for r in rows
        ]
        self._client.insert(
            "station_availability",
            data,
            column_names=[
                "tenant_id",
                "charging_station_id",
                "connector_id",
                "timestamp",
                "status",
                "error_code",
                "info",
                "source_key",
                "ingested_at",
            ],
        )

    def insert_station_inferences(self, rows: Sequence[StationInferenceRow]) -> None:
        """Write SHADE results (one row per station-day id; the latest analysis wins)."""
        if not rows:
            return
        data = [
            [
                r.tenant_id,
                r.charging_station_id,
                r.inference_id,
                r.day_start,
                r.local_date,
                r.time_zone,
                r.analyzed_at,
                r.day_score,
                r.is_anomaly,
                r.is_partial,
                r.minutes_observed,
                r.anomaly_type,
                r.anomaly_at,
                r.expected_energy_kwh,
                r.actual_energy_kwh,
                list(r.marker_start_minutes),
                list(r.marker_end_minutes),
                list(r.marker_scores),
                _json(r.detection_details),
                r.model_version,
            ]
            for r in rows
        ]
        self._client.insert("station_inferences", data, column_names=_INFERENCE_COLUMNS)

    def refresh_station_views(self) -> None:
        """Refresh the station views now and wait for them (tests, `evwatch db refresh`)."""
        for view in STATION_VIEWS:
            self._client.command(f"SYSTEM REFRESH VIEW {view}")
        for view in STATION_VIEWS:
            self._client.command(f"SYSTEM WAIT VIEW {view}")

    def get_station(self, tenant_id: str, station_id: str) -> StationRecord | None:
        """One station of the tenant, or None."""
        rows = self._client.query(
            f"{_STATION_SELECT} WHERE tenant_id = {{t:String}} AND charging_station_id = {{s:String}}",
            parameters={"t": tenant_id, "s": station_id},
        ).result_rows
        return _station_from_row(rows[0]) if rows else None

    def list_station_records(self, tenant_id: str) -> list[StationRecord]:
        """Every station of the tenant (statistics need tariffs and time zones)."""
        rows = self._client.query(
            f"{_STATION_SELECT} WHERE tenant_id = {{t:String}}", parameters={"t": tenant_id}
        ).result_rows
        return [_station_from_row(r) for r in rows]

    def lookup_station_ids(self, tenant_id: str) -> list[str]:
        """Distinct station ids of the tenant from the base table, ascending."""
        rows = self._client.query(
            "SELECT DISTINCT charging_station_id FROM charging_stations WHERE tenant_id = {t:String} "
            "ORDER BY charging_station_id",
            parameters={"t": tenant_id},
        ).result_rows
        return [r[0] for r in rows]

    def list_station_aggregates(self, tenant_id: str, page: int, page_size: int) -> tuple[list[StationAggregate], int]:
        """One page of the aggregated view, by station id, and the tenant's station count in it."""
        rows = self._client.query(
            f"{_AGG_SELECT} WHERE tenant_id = {{t:String}} ORDER BY charging_station_id "
            "LIMIT {n:UInt32} OFFSET {o:UInt64}",
            parameters={"t": tenant_id, "n": page_size, "o": page * page_size},
        ).result_rows
        total = scalar(
            self._client,
            "SELECT count() FROM charging_stations_aggregated_mv WHERE tenant_id = {t:String}",
            {"t": tenant_id},
        )
        return [_aggregate(r) for r in rows], total

    def get_station_aggregate(self, tenant_id: str, station_id: str) -> StationAggregate | None:
        """The station's row of the aggregated view (None until the view's next refresh)."""
        rows = self._client.query(
            f"{_AGG_SELECT} WHERE tenant_id = {{t:String}} AND charging_station_id = {{s:String}}",
            parameters={"t": tenant_id, "s": station_id},
        ).result_rows
        return _aggregate(rows[0]) if rows else None

    def connector_aggregates(self, tenant_id: str, station_id: str) -> list[ConnectorAggregate]:
        """Per-connector session counts and category breakdown from the connectors view."""
        rows = self._client.query(
            "SELECT connector_id, total_sessions, anomalous_sessions, anomaly_categories "
            "FROM station_connectors_aggregated_mv WHERE tenant_id = {t:String} AND charging_station_id = {s:String} "
            "ORDER BY connector_id",
            parameters={"t": tenant_id, "s": station_id},
        ).result_rows
        return [
            ConnectorAggregate(r[0], int(r[1]), int(r[2]), {str(k): int(v) for k, v in dict(r[3]).items()})
            for r in rows
        ]

    def list_station_inferences(
        self, tenant_id: str, station_id: str, page: int, page_size: int
    ) -> tuple[list[StationInferenceRow], int]:
        """The station's SHADE history, newest analysis first, and its length."""
        where = "WHERE tenant_id = {t:String} AND charging_station_id = {s:String}"
        params: dict[str, Any] = {"t": tenant_id, "s": station_id, "n": page_size, "o": page * page_size}
        rows = self._client.query(
            f"{_INFERENCE_SELECT} {where} ORDER BY analyzed_at DESC, day_start DESC, inference_id LIMIT {{n:UInt32}} OFFSET {{o:UInt64}}",
            parameters=params,
        ).result_rows
        total = scalar(self._client, f"SELECT count() FROM station_inferences FINAL {where}", params)
        return [_inference_from_row(r) for r in rows], total

    def latest_station_inference(self, tenant_id: str, station_id: str) -> StationInferenceRow | None:
        """The most recent SHADE result of the station, or None."""
        rows, _ = self.list_station_inferences(tenant_id, station_id, 0, 1)
        return rows[0] if rows else None

    def station_anomalies_between(
        self, tenant_id: str, station_id: str, start: datetime, end: datetime
    ) -> list[StationInferenceRow]:
        """Anomalous SHADE results whose station-day overlaps [start, end)."""
        rows = self._client.query(
            f"{_INFERENCE_SELECT} WHERE tenant_id = {{t:String}} AND charging_station_id = {{s:String}} "
            "AND is_anomaly AND day_start < {e:DateTime64(3, 'UTC')} "
            "AND day_start > {b:DateTime64(3, 'UTC')} - INTERVAL 26 HOUR ORDER BY day_start",
            parameters={"t": tenant_id, "s": station_id, "b": start, "e": end},
        ).result_rows
        return [_inference_from_row(r) for r in rows]

    def latest_energy_minute(self, tenant_id: str, station_id: str) -> datetime | None:
        """The newest minute with energy rows for the station, or None."""
        rows = self._client.query(
            "SELECT max(minute), count() FROM station_minute_energy WHERE tenant_id = {t:String} "
            "AND charging_station_id = {s:String}",
            parameters={"t": tenant_id, "s": station_id},
        ).result_rows
        return rows[0][0] if rows and rows[0][1] else None

    def energy_buckets(
        self, tenant_id: str, station_id: str, start: datetime, end: datetime, bucket_s: int
    ) -> list[EnergyBucket]:
        """Energy per connector per `bucket_s` seconds over [start, end), empty buckets left out."""
        rows = self._client.query(
            "SELECT connector_id, toStartOfInterval(minute, toIntervalSecond({b:UInt32})) AS bucket, sum(energy_kwh) "
            "FROM station_minute_energy FINAL WHERE tenant_id = {t:String} AND charging_station_id = {s:String} "
            "AND minute >= {start:DateTime('UTC')} AND minute < {end:DateTime('UTC')} "
            "GROUP BY connector_id, bucket ORDER BY connector_id, bucket",
            parameters={"t": tenant_id, "s": station_id, "start": start, "end": end, "b": bucket_s},
        ).result_rows
        return [EnergyBucket(str(r[0]), r[1], float(r[2])) for r in rows]
