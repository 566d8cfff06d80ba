"""In-memory stores with the replace semantics of the ClickHouse tables they stand in for.

Each keeps one row per table sort key, the later write winning, which is what the
`ReplacingMergeTree` tables return when read with `FINAL`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from evwatch.domain.readings import StoredReading
from evwatch.domain.sessions import AnalysisFailure, AnalysisRecord, SessionFilters, SessionListItem, SessionRecord
from evwatch.domain.stations import MinuteEnergyRow, StationInferenceRow, StationRecord, StatusRow
from evwatch.storage.sessions import MeterValueRow


@dataclass
class InMemorySessionStore:
    """`SessionStore` over dicts."""

    sessions: dict[tuple[str, str], SessionRecord] = field(default_factory=dict)
    # (tenant, session) -> sort key (timestamp, measurand, source_key) -> ((ingested_at, seq), reading)
    readings: dict[tuple[str, str], dict[tuple[datetime, str, str], tuple[tuple[datetime, int], StoredReading]]] = (
        field(default_factory=dict)
    )
    analyses: dict[tuple[str, str, str], AnalysisRecord] = field(default_factory=dict)
    failures: dict[tuple[str, str], AnalysisFailure] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get_sessions(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, SessionRecord]:
        with self.lock:
            return {s: self.sessions[(tenant_id, s)] for s in set(session_ids) if (tenant_id, s) in self.sessions}

    def get_session(self, tenant_id: str, session_id: str) -> SessionRecord | None:
        return self.get_sessions(tenant_id, [session_id]).get(session_id)

    def upsert_sessions(self, sessions: Sequence[SessionRecord]) -> None:
        with self.lock:
            for s in sessions:
                self.sessions[(s.tenant_id, s.session_id)] = s

    def insert_meter_values(self, rows: Sequence[MeterValueRow], ingested_at: datetime) -> None:
        with self.lock:
            for seq, row in enumerate(rows):
                table = self.readings.setdefault((row.session.tenant_id, row.session.session_id), {})
                key = (row.reading.timestamp, row.reading.measurand, row.source_key)
                table[key] = ((ingested_at, seq), row.reading)

    def delete_meter_values(self, tenant_id: str, session_id: str) -> None:
        with self.lock:
            self.readings.pop((tenant_id, session_id), None)

    def load_readings(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[StoredReading]]:
        with self.lock:
            out = {}
            for sid in set(session_ids):
                stored = sorted(self.readings.get((tenant_id, sid), {}).values(), key=lambda item: item[0])
                out[sid] = [reading for _, reading in stored]
            return out

    def count_readings(self, tenant_id: str, session_id: str) -> int:
        with self.lock:
            return len(self.readings.get((tenant_id, session_id), {}))

    def count_readings_many(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, int]:
        counts = {sid: self.count_readings(tenant_id, sid) for sid in set(session_ids)}
        return {sid: n for sid, n in counts.items() if n}

    def record_analysis_failure(self, tenant_id: str, session_id: str, failure: AnalysisFailure) -> None:
        with self.lock:
            self.failures[(tenant_id, session_id)] = failure

    def latest_failures(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisFailure]:
        with self.lock:
            return {s: self.failures[(tenant_id, s)] for s in set(session_ids) if (tenant_id, s) in self.failures}

    def insert_analyses(self, records: Sequence[AnalysisRecord]) -> None:
        with self.lock:
            for r in records:
                self.analyses[(r.tenant_id, r.session_id, r.inference_id)] = r

    def latest_analyses(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisRecord]:
        with self.lock:
            latest: dict[str, AnalysisRecord] = {}
            wanted = set(session_ids)
            for (tenant, sid, _), record in self.analyses.items():
                newer = sid not in latest or record.analyzed_at >= latest[sid].analyzed_at
                if tenant == tenant_id and sid in wanted and newer:
                    latest[sid] = record
            return latest

    def recent_categories(
        self, tenant_id: str, charging_station_id: str, connector_id: str | None, since: datetime, exclude_session: str
    ) -> set[str]:
        with self.lock:
            return {
                a.category
                for r in self.analyses.values()
                if r.tenant_id == tenant_id
                and r.charging_station_id == charging_station_id
                and (r.connector_id or "") == (connector_id or "")
                and r.analyzed_at >= since
                and r.session_id != exclude_session
                for a in r.anomalies
            }

    def list_sessions(
        self, tenant_id: str, filters: SessionFilters, page: int, size: int
    ) -> tuple[list[SessionListItem], int]:
        items = []
        for (tenant, sid), session in sorted(self.sessions.items()):
            if tenant != tenant_id:
                continue
            latest = self.latest_analyses(tenant_id, [sid]).get(sid)
            item = SessionListItem(
                session,
                latest.is_anomaly if latest else None,
                latest.anomaly_score if latest else None,
                len(latest.anomalies) if latest else None,
                latest.analyzed_at if latest else None,
            )
            if _matches(item, latest, filters):
                items.append(item)
        items.sort(key=lambda i: (i.session.created_at, i.session.session_id), reverse=True)
        return items[page * size : (page + 1) * size], len(items)


def _matches(item: SessionListItem, latest: AnalysisRecord | None, f: SessionFilters) -> bool:
    s = item.session
    checks = [
        f.charging_station_id is None or s.charging_station_id == f.charging_station_id,
        f.evse_id is None or s.evse_id == f.evse_id,
        f.date_from is None or s.created_at >= f.date_from,
        f.date_to is None or s.created_at <= f.date_to,
        f.is_anomaly is None or (latest is not None and latest.is_anomaly == f.is_anomaly),
        f.min_score is None or (latest is not None and latest.anomaly_score >= f.min_score),
        f.min_confidence is None or (latest is not None and latest.anomaly_confidence >= f.min_confidence),
    ]
    return all(checks)


@dataclass
class InMemoryStationStore:
    """`StationWrites` over dicts."""

    stations: dict[tuple[str, str], tuple[int, StationRecord]] = field(default_factory=dict)
    minutes: dict[tuple[str, str, str, datetime], MinuteEnergyRow] = field(default_factory=dict)
    statuses: dict[tuple[str, str, str, datetime, str], StatusRow] = field(default_factory=dict)
    inferences: dict[tuple[str, str, str], StationInferenceRow] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def upsert_stations(self, stations: Sequence[StationRecord], versions: Sequence[int]) -> None:
        with self.lock:
            for s, v in zip(stations, versions, strict=True):
                key = (s.tenant_id, s.charging_station_id)
                if key not in self.stations or v >= self.stations[key][0]:
                    self.stations[key] = (v, s)

    def insert_minute_energy(self, rows: Sequence[MinuteEnergyRow]) -> None:
        with self.lock:
            for r in rows:
                self.minutes[(r.tenant_id, r.charging_station_id, r.connector_id, r.minute)] = r

    def insert_status_rows(self, rows: Sequence[StatusRow], ingested_at: datetime) -> None:
        with self.lock:
            for r in rows:
                self.statuses[(r.tenant_id, r.charging_station_id, r.connector_id, r.timestamp, r.status)] = r

    def insert_station_inferences(self, rows: Sequence[StationInferenceRow]) -> None:
        with self.lock:
            for r in rows:
                self.inferences[(r.tenant_id, r.charging_station_id, r.inference_id)] = r
