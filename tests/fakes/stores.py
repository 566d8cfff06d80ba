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
from evwatch.domain.session_log import (
    SessionHead,
    SessionWrite,
    base_revision,
    head,
    is_api_slot,
    visible,
    visible_readings,
    winners,
)
from evwatch.domain.sessions import AnalysisFailure, AnalysisRecord, SessionFilters, SessionListItem, SessionRecord
from evwatch.domain.stations import MinuteEnergyRow, StationInferenceRow, StationRecord, StatusRow


@dataclass
class InMemorySessionStore:
    """`SessionStore` over dicts, with the log rules of `evwatch/domain/session_log.py`.

    Rows are kept as inserted (replays and losing claims included) and read the way `FINAL` reads
    them; an insert with a claim token seen before is dropped, as ClickHouse's deduplication does.
    """

    rows: dict[tuple[str, str], list[SessionWrite]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    analyses: dict[tuple[str, str, str], AnalysisRecord] = field(default_factory=dict)
    failures: dict[tuple[str, str], AnalysisFailure] = field(default_factory=dict)
    publications: dict[tuple[str, str, str], datetime] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # ------------------------------------------------------------------ test helpers
    def log(self, tenant_id: str, session_id: str) -> list[SessionWrite]:
        """The session's writes as FINAL returns them."""
        with self.lock:
            return winners(self.rows.get((tenant_id, session_id), []))

    @property
    def sessions(self) -> dict[tuple[str, str], SessionRecord]:
        """Every session that exists, with its current attributes."""
        with self.lock:
            out = {}
            for key in self.rows:
                current = head(self.log(*key))
                if current is not None:
                    out[key] = current.session
            return out

    # ------------------------------------------------------------------ the log
    def heads(
        self, tenant_id: str, session_ids: Iterable[str], slots: Sequence[str] = ()
    ) -> tuple[dict[str, SessionHead], set[str]]:
        with self.lock:
            heads: dict[str, SessionHead] = {}
            taken: set[str] = set()
            for sid in set(session_ids):
                writes = self.log(tenant_id, sid)
                current = head(writes)
                if current is not None:
                    heads[sid] = current
                    taken.update(w.slot for w in writes if w.slot in slots)
            return heads, taken

    def load_log(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[SessionWrite]]:
        with self.lock:
            out = {sid: visible(self.log(tenant_id, sid)) for sid in set(session_ids)}
            return {sid: writes for sid, writes in out.items() if writes}

    def load_readings(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[StoredReading]]:
        with self.lock:
            return {sid: visible_readings(self.log(tenant_id, sid)) for sid in set(session_ids)}

    def create_context(
        self, tenant_id: str, session_id: str, charging_station_id: str, connector_id: str | None, since: datetime
    ) -> tuple[bool, set[str]]:
        with self.lock:
            exists = bool(self.rows.get((tenant_id, session_id)))
            return exists, self.recent_categories(tenant_id, charging_station_id, connector_id, since, session_id)

    def insert_writes(self, writes: Sequence[SessionWrite], claim: str | None = None) -> None:
        with self.lock:
            if claim is not None:
                if claim in self.tokens:
                    return
                self.tokens.add(claim)
            for w in writes:
                self.rows.setdefault((w.session.tenant_id, w.session.session_id), []).append(w)

    def settle_claim(self, write: SessionWrite, outcome: AnalysisRecord | AnalysisFailure | None) -> bool:
        with self.lock:
            s = write.session
            holder = next((w for w in self.log(s.tenant_id, s.session_id) if w.slot == write.slot), None)
            if holder is None or holder.write_id != write.write_id:
                return False
            if isinstance(outcome, AnalysisRecord):
                self.insert_analyses([outcome])
            elif outcome is not None:
                self.record_analysis_failure(s.tenant_id, s.session_id, outcome)
            return True

    # ------------------------------------------------------------------ analyses
    def insert_analyses(self, records: Sequence[AnalysisRecord]) -> None:
        with self.lock:
            for r in records:
                self.analyses[(r.tenant_id, r.session_id, r.inference_id)] = r

    def record_analysis_failure(self, tenant_id: str, session_id: str, failure: AnalysisFailure) -> None:
        with self.lock:
            held = self.failures.get((tenant_id, session_id))
            if held is None or failure.failed_at >= held.failed_at:
                self.failures[(tenant_id, session_id)] = failure

    def current_analyses(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisRecord]:
        with self.lock:
            out: dict[str, AnalysisRecord] = {}
            for sid in set(session_ids):
                base = base_revision(self.log(tenant_id, sid))
                mine = [
                    r
                    for (t, s, _), r in self.analyses.items()
                    if t == tenant_id and s == sid and r.base_revision == base
                ]
                if mine:
                    out[sid] = max(mine, key=lambda r: (r.reading_count, r.analyzed_at))
            return out

    def latest_failures(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisFailure]:
        with self.lock:
            return {s: self.failures[(tenant_id, s)] for s in set(session_ids) if (tenant_id, s) in self.failures}

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
            latest = self.current_analyses(tenant_id, [sid]).get(sid)
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

    # ------------------------------------------------------------------ the outbox and the sweeper
    def api_writes_since(self, since: datetime, limit: int, *, unpublished: bool) -> list[SessionWrite]:
        with self.lock:
            found = [
                w
                for key in self.rows
                for w in self.log(*key)
                if is_api_slot(w.slot)
                and w.committed_at >= since
                and not (unpublished and (*key, w.slot) in self.publications)
            ]
            found.sort(key=lambda w: (w.committed_at, w.session.tenant_id, w.session.session_id))
            return found[:limit]

    def recover_outbox(self, since: datetime) -> None:
        """Nothing to recover: this store reads the log itself."""

    def mark_published(self, writes: Sequence[SessionWrite], at: datetime) -> None:
        with self.lock:
            for w in writes:
                self.publications[(w.session.tenant_id, w.session.session_id, w.slot)] = at

    def sessions_written_by_api(self, since: datetime) -> list[tuple[str, str]]:
        with self.lock:
            return sorted(
                key
                for key, rows in self.rows.items()
                if any(is_api_slot(w.slot) and w.committed_at >= since and w.readings for w in rows)
            )

    def analysed_counts(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, int]:
        with self.lock:
            out: dict[str, int] = {}
            for sid in set(session_ids):
                base = base_revision(self.log(tenant_id, sid))
                counts = [
                    r.reading_count
                    for (t, s, _), r in self.analyses.items()
                    if t == tenant_id and s == sid and r.base_revision == base
                ]
                failure = self.failures.get((tenant_id, sid))
                if failure is not None and failure.base_revision == base:
                    counts.append(failure.reading_count)
                if counts:
                    out[sid] = max(counts)
            return out


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
