"""SQL for the session family: sessions, meter_values, session_inferences, session_anomalies."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from clickhouse_connect.driver.client import Client

from evwatch.domain.readings import StoredReading
from evwatch.domain.sessions import (
    AnalysisFailure,
    AnalysisRecord,
    AnomalyRecord,
    SessionFilters,
    SessionListItem,
    SessionRecord,
)
from evwatch.storage.clickhouse import scalar

_SESSION_COLUMNS = [
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
]
_METER_COLUMNS = [
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
    "seq",
    "ingested_at",
]
_INFERENCE_COLUMNS = [
    "tenant_id",
    "session_id",
    "inference_id",
    "charging_station_id",
    "connector_id",
    "analyzed_at",
    "anomaly_score",
    "is_anomaly",
    "anomaly_confidence",
    "is_incident",
    "is_recurring",
    "anomaly_count",
    "soc_reconstructed",
    "reading_count",
    "unit_seconds",
    "model_version",
    "reconstructed_soc_ts",
    "reconstructed_soc",
]
_ANOMALY_COLUMNS = [
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
]


@dataclass(frozen=True, slots=True)
class MeterValueRow:
    """A reading with the session it belongs to and where it came from."""

    session: SessionRecord
    reading: StoredReading
    source_key: str


def _session_from_row(row: Sequence[Any]) -> SessionRecord:
    tenant_id, session_id, station, connector, evse, status, metadata, created_at, updated_at = row[:9]
    return SessionRecord(
        tenant_id, session_id, station, connector, evse, status, json.loads(metadata or "{}"), created_at, updated_at
    )


_SESSION_SELECT = (
    "SELECT tenant_id, session_id, charging_station_id, connector_id, evse_id, status, metadata, "
    "created_at, updated_at FROM sessions FINAL"
)


_LATEST_INFERENCE = (
    "SELECT session_id, argMax(tuple(inference_id, analyzed_at, anomaly_score, is_anomaly, anomaly_confidence, "
    "is_incident, is_recurring, soc_reconstructed, reading_count, unit_seconds, model_version, "
    "reconstructed_soc_ts, reconstructed_soc, charging_station_id, connector_id), analyzed_at) AS latest "
    "FROM session_inferences FINAL WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)} "
    "GROUP BY session_id"
)


class SessionStore(Protocol):
    """What the session use cases need from storage; `ClickHouseSessionStore` is the real one."""

    def get_sessions(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, SessionRecord]: ...
    def get_session(self, tenant_id: str, session_id: str) -> SessionRecord | None: ...
    def upsert_sessions(self, sessions: Sequence[SessionRecord]) -> None: ...
    def insert_meter_values(self, rows: Sequence[MeterValueRow], ingested_at: datetime) -> None: ...
    def delete_meter_values(self, tenant_id: str, session_id: str) -> None: ...
    def load_readings(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[StoredReading]]: ...
    def count_readings(self, tenant_id: str, session_id: str) -> int: ...
    def count_readings_many(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, int]: ...
    def insert_analyses(self, records: Sequence[AnalysisRecord]) -> None: ...
    def record_analysis_failure(self, tenant_id: str, session_id: str, failure: AnalysisFailure) -> None: ...
    def latest_failures(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisFailure]: ...
    def latest_analyses(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisRecord]: ...
    def recent_categories(
        self, tenant_id: str, charging_station_id: str, connector_id: str | None, since: datetime, exclude_session: str
    ) -> set[str]: ...
    def list_sessions(
        self, tenant_id: str, filters: SessionFilters, page: int, size: int
    ) -> tuple[list[SessionListItem], int]: ...


class ClickHouseSessionStore:
    """SQL of the session family: sessions, meter_values, session_inferences, session_anomalies."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def get_sessions(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, SessionRecord]:
        """The stored sessions among `session_ids`, by id."""
        ids = list(set(session_ids))
        if not ids:
            return {}
        rows = self._client.query(
            f"{_SESSION_SELECT} WHERE tenant_id = {{t:String}} AND session_id IN {{ids:Array(String)}}",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        return {r[1]: _session_from_row(r) for r in rows}

    def get_session(self, tenant_id: str, session_id: str) -> SessionRecord | None:
        """One session or None."""
        return self.get_sessions(tenant_id, [session_id]).get(session_id)

    def upsert_sessions(self, sessions: Sequence[SessionRecord]) -> None:
        """Write session rows; the newest version wins."""
        if not sessions:
            return
        base = time.time_ns()
        rows = [
            [
                s.tenant_id,
                s.session_id,
                s.charging_station_id,
                s.connector_id,
                s.evse_id,
                s.status,
                json.dumps(s.metadata, separators=(",", ":")),
                s.created_at,
                s.updated_at,
                base + i,
            ]
            for i, s in enumerate(sessions)
        ]
        self._client.insert("sessions", rows, column_names=_SESSION_COLUMNS)

    def insert_meter_values(self, rows: Sequence[MeterValueRow], ingested_at: datetime) -> None:
        """Write readings in one insert; their order in `rows` is recorded as arrival order."""
        if not rows:
            return
        data = [
            [
                r.session.tenant_id,
                r.session.session_id,
                r.session.charging_station_id,
                r.session.connector_id,
                r.reading.timestamp,
                r.reading.measurand,
                r.reading.unit,
                r.reading.value,
                r.reading.phase,
                r.reading.location,
                r.reading.reconstructed,
                r.source_key,
                seq,
                ingested_at,
            ]
            for seq, r in enumerate(rows)
        ]
        self._client.insert("meter_values", data, column_names=_METER_COLUMNS)

    def delete_meter_values(self, tenant_id: str, session_id: str) -> None:
        """Drop every stored reading of a session (Replace Session)."""
        self._client.command(
            "DELETE FROM meter_values WHERE tenant_id = {t:String} AND session_id = {s:String}",
            parameters={"t": tenant_id, "s": session_id},
        )

    def load_readings(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[StoredReading]]:
        """Every stored reading of the sessions in arrival order (duplicates and late arrivals included)."""
        ids = list(set(session_ids))
        out: dict[str, list[StoredReading]] = {sid: [] for sid in ids}
        if not ids:
            return out
        result = self._client.query(
            "SELECT session_id, timestamp, measurand, unit, value, phase, location, reconstructed "
            "FROM meter_values FINAL WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)} "
            "ORDER BY session_id, ingested_at, seq",
            parameters={"t": tenant_id, "ids": ids},
        )
        for sid, ts, measurand, unit, value, phase, location, reconstructed in result.result_rows:
            out[sid].append(StoredReading(ts, measurand, unit, float(value), phase, location, bool(reconstructed)))
        return out

    def count_readings(self, tenant_id: str, session_id: str) -> int:
        """Number of stored readings of one session."""
        return scalar(
            self._client,
            "SELECT count() FROM meter_values FINAL WHERE tenant_id = {t:String} AND session_id = {s:String}",
            {"t": tenant_id, "s": session_id},
        )

    def count_readings_many(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, int]:
        """Stored readings per session (sessions without any are left out)."""
        ids = sorted(set(session_ids))
        if not ids:
            return {}
        rows = self._client.query(
            "SELECT session_id, count() FROM meter_values FINAL WHERE tenant_id = {t:String} "
            "AND session_id IN {ids:Array(String)} GROUP BY session_id",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        return {r[0]: int(r[1]) for r in rows}

    def record_analysis_failure(self, tenant_id: str, session_id: str, failure: AnalysisFailure) -> None:
        """Keep the latest failed analysis of a session."""
        self._client.insert(
            "session_analysis_errors",
            [[tenant_id, session_id, failure.failed_at, failure.reason]],
            column_names=["tenant_id", "session_id", "failed_at", "reason"],
        )

    def latest_failures(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisFailure]:
        """The latest failed analysis of each session that has one."""
        ids = sorted(set(session_ids))
        if not ids:
            return {}
        rows = self._client.query(
            "SELECT session_id, failed_at, reason FROM session_analysis_errors FINAL "
            "WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)}",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        return {r[0]: AnalysisFailure(r[1], r[2]) for r in rows}

    def insert_analyses(self, records: Sequence[AnalysisRecord]) -> None:
        """Write inference rows and their anomaly rows."""
        if not records:
            return
        self._client.insert(
            "session_inferences",
            [
                [
                    r.tenant_id,
                    r.session_id,
                    r.inference_id,
                    r.charging_station_id,
                    r.connector_id,
                    r.analyzed_at,
                    r.anomaly_score,
                    r.is_anomaly,
                    r.anomaly_confidence,
                    r.is_incident,
                    r.is_recurring,
                    len(r.anomalies),
                    r.soc_reconstructed,
                    r.reading_count,
                    r.unit_seconds,
                    r.model_version,
                    [ts for ts, _ in r.reconstructed_soc],
                    [v for _, v in r.reconstructed_soc],
                ]
                for r in records
            ],
            column_names=_INFERENCE_COLUMNS,
        )
        anomalies = [
            [
                r.tenant_id,
                r.session_id,
                r.inference_id,
                a.category,
                a.start_unit,
                a.end_unit,
                a.start_ts,
                a.end_ts,
                a.score,
                a.confidence,
                r.charging_station_id,
                r.connector_id,
                r.analyzed_at,
            ]
            for r in records
            for a in r.anomalies
        ]
        if anomalies:
            self._client.insert("session_anomalies", anomalies, column_names=_ANOMALY_COLUMNS)

    def latest_analyses(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisRecord]:
        """The most recent analysis of each session that has one, with its anomalies."""
        ids = list(set(session_ids))
        if not ids:
            return {}
        rows = self._client.query(_LATEST_INFERENCE, parameters={"t": tenant_id, "ids": ids}).result_rows
        latest: dict[str, tuple[Any, ...]] = {row[0]: row[1] for row in rows}
        if not latest:
            return {}
        anomalies: dict[tuple[str, str], list[AnomalyRecord]] = {}
        for sid, iid, category, su, eu, sts, ets, score, conf in self._client.query(
            "SELECT session_id, inference_id, category, start_unit, end_unit, start_ts, end_ts, score, confidence "
            "FROM session_anomalies FINAL WHERE tenant_id = {t:String} AND (session_id, inference_id) IN {keys:Array(Tuple(String, String))} "
            "ORDER BY start_unit, category",
            parameters={"t": tenant_id, "keys": [(sid, tup[0]) for sid, tup in latest.items()]},
        ).result_rows:
            anomalies.setdefault((sid, iid), []).append(AnomalyRecord(category, su, eu, sts, ets, score, conf))
        out: dict[str, AnalysisRecord] = {}
        for sid, tup in latest.items():
            (
                iid,
                analyzed_at,
                score,
                is_anom,
                conf,
                incident,
                recurring,
                soc_rec,
                count,
                unit_s,
                version,
                soc_ts,
                soc_vals,
                station,
                connector,
            ) = tup
            out[sid] = AnalysisRecord(
                tenant_id=tenant_id,
                session_id=sid,
                inference_id=iid,
                charging_station_id=station,
                connector_id=connector,
                analyzed_at=analyzed_at,
                anomaly_score=score,
                is_anomaly=bool(is_anom),
                anomaly_confidence=conf,
                is_incident=bool(incident),
                is_recurring=bool(recurring),
                soc_reconstructed=bool(soc_rec),
                reading_count=count,
                unit_seconds=unit_s,
                model_version=version,
                anomalies=tuple(anomalies.get((sid, iid), [])),
                reconstructed_soc=tuple(zip(soc_ts, soc_vals, strict=True)),
            )
        return out

    def recent_categories(
        self,
        tenant_id: str,
        charging_station_id: str,
        connector_id: str | None,
        since: datetime,
        exclude_session: str,
    ) -> set[str]:
        """Anomaly categories seen on this connector since `since`, other sessions only."""
        rows = self._client.query(
            "SELECT DISTINCT category FROM session_anomalies FINAL WHERE tenant_id = {t:String} "
            "AND charging_station_id = {st:String} AND ifNull(connector_id, '') = {c:String} "
            "AND detected_at >= {since:DateTime64(3, 'UTC')} AND session_id != {s:String}",
            parameters={
                "t": tenant_id,
                "st": charging_station_id,
                "c": connector_id or "",
                "since": since,
                "s": exclude_session,
            },
        ).result_rows
        return {r[0] for r in rows}

    def list_sessions(
        self, tenant_id: str, filters: SessionFilters, page: int, size: int
    ) -> tuple[list[SessionListItem], int]:
        """One page of sessions (newest first) with their latest analysis, and the total count."""
        # (value, condition): a condition applies when its value is given. Never-analysed sessions have NULL
        # inference fields and so never match the inference filters.
        conditions = [
            (filters.charging_station_id, "s.charging_station_id = {station:String}", "station"),
            (filters.evse_id, "s.evse_id = {evse:String}", "evse"),
            (filters.date_from, "s.created_at >= {dfrom:DateTime64(3, 'UTC')}", "dfrom"),
            (filters.date_to, "s.created_at <= {dto:DateTime64(3, 'UTC')}", "dto"),
            (filters.is_anomaly, "i.is_anomaly = {isan:Bool}", "isan"),
            (filters.min_score, "i.anomaly_score >= {mins:Float64}", "mins"),
            (filters.min_confidence, "i.anomaly_confidence >= {minc:Float64}", "minc"),
        ]
        where = ["s.tenant_id = {t:String}"]
        params: dict[str, Any] = {"t": tenant_id, "limit": size, "offset": page * size}
        for value, condition, name in conditions:
            if value is not None:
                where.append(condition)
                params[name] = value
        base = (
            "FROM (SELECT * FROM sessions FINAL WHERE tenant_id = {t:String}) AS s "
            "LEFT JOIN (SELECT session_id, argMax(is_anomaly, analyzed_at) AS is_anomaly, "
            "argMax(anomaly_score, analyzed_at) AS anomaly_score, argMax(anomaly_confidence, analyzed_at) AS anomaly_confidence, "
            "argMax(anomaly_count, analyzed_at) AS anomaly_count, max(analyzed_at) AS last_analyzed_at "
            "FROM session_inferences FINAL WHERE tenant_id = {t:String} GROUP BY session_id) AS i "
            "ON s.session_id = i.session_id WHERE " + " AND ".join(where)
        )
        total = int(
            self._client.query(f"SELECT count() {base}", parameters=params, settings={"join_use_nulls": 1}).result_rows[
                0
            ][0]
        )
        rows = self._client.query(
            "SELECT s.tenant_id, s.session_id, s.charging_station_id, s.connector_id, s.evse_id, s.status, s.metadata, "
            f"s.created_at, s.updated_at, i.is_anomaly, i.anomaly_score, i.anomaly_count, i.last_analyzed_at {base} "
            "ORDER BY s.created_at DESC, s.session_id LIMIT {limit:UInt32} OFFSET {offset:UInt64}",
            parameters=params,
            settings={"join_use_nulls": 1},
        ).result_rows
        items = [
            SessionListItem(
                session=_session_from_row(r),
                is_anomaly=None if r[9] is None else bool(r[9]),
                anomaly_score=r[10],
                anomaly_count=r[11],
                last_analyzed_at=r[12],
            )
            for r in rows
        ]
        return items, total
