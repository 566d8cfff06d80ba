"""SQL of the session family: the session log (`session_writes`), analyses, failures, publications.

The rules the SQL implements (which writes a session shows, which write wins a slot) are
`evwatch/domain/session_log.py`; tests check both against the same scenarios.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError

from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import SessionHead, SessionWrite, precedence
from evwatch.domain.sessions import (
    AnalysisFailure,
    AnalysisRecord,
    AnomalyRecord,
    SessionFilters,
    SessionListItem,
    SessionRecord,
)

# Raised inside ClickHouse by the insert that settles a claim when another write holds the slot.
_CLAIM_LOST = "evwatch: the revision was claimed by another write"

_WRITE_COLUMNS = [
    "tenant_id",
    "session_id",
    "slot",
    "write_id",
    "revision",
    "op",
    "committed_at",
    "seq",
    "precedence",
    "charging_station_id",
    "connector_id",
    "evse_id",
    "status",
    "metadata",
    "created_at",
    "analysis_pending",
    "readings.timestamp",
    "readings.measurand",
    "readings.unit",
    "readings.value",
    "readings.phase",
    "readings.location",
    "readings.reconstructed",
]
# (column, type): the types are needed where an analysis is inserted through a conditional SELECT.
_ANALYSIS_COLUMNS = [
    ("tenant_id", "String"),
    ("session_id", "String"),
    ("inference_id", "String"),
    ("base_revision", "UInt32"),
    ("charging_station_id", "String"),
    ("connector_id", "Nullable(String)"),
    ("analyzed_at", "DateTime64(3, 'UTC')"),
    ("anomaly_score", "Float64"),
    ("is_anomaly", "Bool"),
    ("anomaly_confidence", "Float64"),
    ("is_incident", "Bool"),
    ("is_recurring", "Bool"),
    ("soc_reconstructed", "Bool"),
    ("reading_count", "UInt32"),
    ("unit_seconds", "Float64"),
    ("model_version", "String"),
    ("unfamiliar_score", "Float64"),
    ("reconstructed_soc_ts", "Array(DateTime64(3, 'UTC'))"),
    ("reconstructed_soc", "Array(Float64)"),
    ("anomalies.category", "Array(String)"),
    ("anomalies.start_unit", "Array(UInt32)"),
    ("anomalies.end_unit", "Array(UInt32)"),
    ("anomalies.start_ts", "Array(DateTime64(3, 'UTC'))"),
    ("anomalies.end_ts", "Array(DateTime64(3, 'UTC'))"),
    ("anomalies.score", "Array(Float64)"),
    ("anomalies.confidence", "Array(Float64)"),
]
_FAILURE_COLUMNS = [
    ("tenant_id", "String"),
    ("session_id", "String"),
    ("failed_at", "DateTime64(3, 'UTC')"),
    ("reason", "String"),
    ("base_revision", "UInt32"),
    ("reading_count", "UInt32"),
]
_READING_SELECT = (
    "readings.timestamp, readings.measurand, readings.unit, readings.value, readings.phase, readings.location, "
    "readings.reconstructed"
)
# The columns of an analysis after tenant and session, as `analysis_from_row` reads them.
ANALYSIS_SELECT = ", ".join(f"a.{name}" for name, _ in _ANALYSIS_COLUMNS[2:])
# The writes a session shows: those of its latest replace's revision or later.
_VISIBLE_WRITES = (
    "SELECT * FROM (SELECT *, max(if(op = 'replace', revision, 0)) OVER (PARTITION BY session_id) AS base "
    "FROM session_writes FINAL WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)}) "
    "WHERE revision >= base"
)
# Per session: the latest write's attributes, the revisions, the readings it shows, and which of the
# `slots` it already holds (a replayed Kafka message).
_HEADS = (
    "SELECT session_id, latest, created_at, updated_at, last_revision, base, "
    "arraySum(x -> if(x.1 >= base, x.2, 0), sizes) AS reading_count, taken FROM ("
    "SELECT session_id, "
    "argMax((charging_station_id, connector_id, evse_id, status, metadata), (revision, committed_at, seq)) AS latest, "
    "min(created_at) AS created_at, max(committed_at) AS updated_at, max(revision) AS last_revision, "
    "maxIf(revision, op = 'replace') AS base, groupArray((revision, length(readings.timestamp))) AS sizes, "
    "groupArrayIf(slot, has({slots:Array(String)}, slot)) AS taken "
    "FROM session_writes FINAL WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)} "
    "GROUP BY session_id)"
)


class SessionStore(Protocol):
    """What the session use cases need from storage; `ClickHouseSessionStore` is the real one."""

    def heads(
        self, tenant_id: str, session_ids: Iterable[str], slots: Sequence[str] = ()
    ) -> tuple[dict[str, SessionHead], set[str]]: ...
    def load_log(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[SessionWrite]]: ...
    def create_context(
        self, tenant_id: str, session_id: str, charging_station_id: str, connector_id: str | None, since: datetime
    ) -> tuple[bool, set[str]]: ...
    def load_readings(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[StoredReading]]: ...
    def insert_writes(self, writes: Sequence[SessionWrite], claim: str | None = None) -> None: ...
    def settle_claim(self, write: SessionWrite, outcome: AnalysisRecord | AnalysisFailure | None) -> bool: ...
    def insert_analyses(self, records: Sequence[AnalysisRecord]) -> None: ...
    def record_analysis_failure(self, tenant_id: str, session_id: str, failure: AnalysisFailure) -> None: ...
    def current_analyses(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisRecord]: ...
    def latest_failures(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisFailure]: ...
    def recent_categories(
        self, tenant_id: str, charging_station_id: str, connector_id: str | None, since: datetime, exclude_session: str
    ) -> set[str]: ...
    def list_sessions(
        self, tenant_id: str, filters: SessionFilters, page: int, size: int
    ) -> tuple[list[SessionListItem], int]: ...
    def api_writes_since(self, since: datetime, limit: int, *, unpublished: bool) -> list[SessionWrite]: ...
    def recover_outbox(self, since: datetime) -> None: ...
    def mark_published(self, writes: Sequence[SessionWrite], at: datetime) -> None: ...
    def sessions_written_by_api(self, since: datetime) -> list[tuple[str, str]]: ...
    def analysed_counts(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, int]: ...


def claim_token(tenant_id: str, session_id: str, slot: str) -> str:
    """The insert deduplication token of a slot: the second insert carrying it is dropped by ClickHouse."""
    return hashlib.sha256(f"{tenant_id}\x00{session_id}\x00{slot}".encode()).hexdigest()


def _write_row(write: SessionWrite) -> list[Any]:
    s = write.session
    r = write.readings
    return [
        s.tenant_id,
        s.session_id,
        write.slot,
        write.write_id,
        write.revision,
        write.op,
        write.committed_at,
        write.seq,
        precedence(write.committed_at),
        s.charging_station_id,
        s.connector_id,
        s.evse_id,
        s.status,
        json.dumps(s.metadata, separators=(",", ":")),
        s.created_at,
        write.analysis_pending,
        [x.timestamp for x in r],
        [x.measurand for x in r],
        [x.unit for x in r],
        [x.value for x in r],
        [x.phase for x in r],
        [x.location for x in r],
        [x.reconstructed for x in r],
    ]


def _readings(ts: list[datetime], *columns: list[Any]) -> tuple[StoredReading, ...]:
    measurand, unit, value, phase, location, reconstructed = columns
    return tuple(
        StoredReading(ts[i], measurand[i], unit[i], float(value[i]), phase[i], location[i], bool(reconstructed[i]))
        for i in range(len(ts))
    )


def _write_from_row(tenant_id: str, row: Sequence[Any]) -> SessionWrite:
    (sid, slot, write_id, revision, op, committed_at, seq, station, connector, evse, status, metadata, created_at) = (
        row[:13]
    )
    pending, *readings = row[13:]
    session = SessionRecord(
        tenant_id, sid, station, connector, evse, status, json.loads(metadata or "{}"), created_at, committed_at
    )
    return SessionWrite(
        session, write_id, slot, int(revision), op, committed_at, _readings(*readings), int(seq), bool(pending)
    )


_LOG_SELECT = (
    "SELECT session_id, slot, write_id, revision, op, committed_at, seq, charging_station_id, connector_id, "
    f"evse_id, status, metadata, created_at, analysis_pending, {_READING_SELECT}"
)


def _analysis_row(r: AnalysisRecord) -> list[Any]:
    a = r.anomalies
    return [
        r.tenant_id,
        r.session_id,
        r.inference_id,
        r.base_revision,
        r.charging_station_id,
        r.connector_id,
        r.analyzed_at,
        r.anomaly_score,
        r.is_anomaly,
        r.anomaly_confidence,
        r.is_incident,
        r.is_recurring,
        r.soc_reconstructed,
        r.reading_count,
        r.unit_seconds,
        r.model_version,
        r.unfamiliar_score,
        [ts for ts, _ in r.reconstructed_soc],
        [v for _, v in r.reconstructed_soc],
        [x.category for x in a],
        [x.start_unit for x in a],
        [x.end_unit for x in a],
        [x.start_ts for x in a],
        [x.end_ts for x in a],
        [x.score for x in a],
        [x.confidence for x in a],
    ]


def analysis_from_row(tenant_id: str, session_id: str, row: Sequence[Any]) -> AnalysisRecord:
    """An analysis from the columns of `ANALYSIS_SELECT`."""
    (iid, base, station, connector, analyzed_at, score, is_anom, conf, incident, recurring, soc_rec) = row[:11]
    (count, unit_s, version, unfamiliar, soc_ts, soc_vals, cat, su, eu, sts, ets, sc, cf) = row[11:]
    anomalies = tuple(
        AnomalyRecord(cat[i], su[i], eu[i], sts[i], ets[i], sc[i], cf[i])
        for i in sorted(range(len(cat)), key=lambda i: (su[i], cat[i]))
    )
    return AnalysisRecord(
        tenant_id=tenant_id,
        session_id=session_id,
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
        unfamiliar_score=float(unfamiliar),
        anomalies=anomalies,
        reconstructed_soc=tuple(zip(soc_ts, soc_vals, strict=True)),
        base_revision=int(base),
    )


def _failure_row(tenant_id: str, session_id: str, failure: AnalysisFailure) -> list[Any]:
    return [tenant_id, session_id, failure.failed_at, failure.reason, failure.base_revision, failure.reading_count]


@dataclass(frozen=True, slots=True)
class _Conditional:
    """An insert of one row that ClickHouse refuses (throwIf) unless `write` holds its slot."""

    table: str
    columns: list[tuple[str, str]]
    values: list[Any]

    def sql(self) -> str:
        names = ", ".join(name for name, _ in self.columns)
        params = ", ".join(f"{{p{i}:{kind}}}" for i, (_, kind) in enumerate(self.columns))
        return (
            f"INSERT INTO {self.table} ({names}) SELECT {params} "
            "WHERE throwIf(ifNull((SELECT any(write_id) FROM session_writes FINAL WHERE tenant_id = {ct:String} "
            "AND session_id = {cs:String} AND slot = {cslot:String}), '') != {cw:String}, "
            f"'{_CLAIM_LOST}') = 0"
        )


class ClickHouseSessionStore:
    """SQL of the session family over one ClickHouse client."""

    def __init__(self, client: Client) -> None:
        self._client = client

    # ------------------------------------------------------------------ the log
    def heads(
        self, tenant_id: str, session_ids: Iterable[str], slots: Sequence[str] = ()
    ) -> tuple[dict[str, SessionHead], set[str]]:
        """The heads of the sessions that exist among `session_ids`, and which of `slots` are taken."""
        ids = sorted(set(session_ids))
        if not ids:
            return {}, set()
        rows = self._client.query(
            _HEADS, parameters={"t": tenant_id, "ids": ids, "slots": sorted(set(slots))}
        ).result_rows
        heads: dict[str, SessionHead] = {}
        taken: set[str] = set()
        for sid, latest, created_at, updated_at, revision, base, count, held in rows:
            station, connector, evse, status, metadata = latest
            session = SessionRecord(
                tenant_id, sid, station, connector, evse, status, json.loads(metadata or "{}"), created_at, updated_at
            )
            heads[sid] = SessionHead(session, int(revision), int(base), int(count))
            taken.update(held)
        return heads, taken

    def load_log(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[SessionWrite]]:
        """The writes each session shows (readings included), in arrival order."""
        ids = sorted(set(session_ids))
        if not ids:
            return {}
        rows = self._client.query(
            f"{_LOG_SELECT} FROM ({_VISIBLE_WRITES}) ORDER BY session_id, committed_at, seq",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        out: dict[str, list[SessionWrite]] = {}
        for row in rows:
            out.setdefault(row[0], []).append(_write_from_row(tenant_id, row))
        return out

    def create_context(
        self, tenant_id: str, session_id: str, charging_station_id: str, connector_id: str | None, since: datetime
    ) -> tuple[bool, set[str]]:
        """In one query: whether the session exists, and the anomaly categories its connector showed since
        `since` in other sessions (for isRecurring)."""
        row = self._client.query(
            "SELECT (SELECT count() > 0 FROM session_writes WHERE tenant_id = {t:String} AND session_id = {s:String}), "
            "(SELECT groupUniqArrayArray(anomalies.category) FROM session_analyses FINAL WHERE tenant_id = {t:String} "
            "AND charging_station_id = {st:String} AND ifNull(connector_id, '') = {c:String} "
            "AND analyzed_at >= {since:DateTime64(3, 'UTC')} AND session_id != {s:String})",
            parameters={
                "t": tenant_id,
                "s": session_id,
                "st": charging_station_id,
                "c": connector_id or "",
                "since": since,
            },
        ).result_rows[0]
        return bool(row[0]), set(row[1])

    def load_readings(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[StoredReading]]:
        """Every reading each session shows, in arrival order (duplicates the sender sent included)."""
        ids = sorted(set(session_ids))
        out: dict[str, list[StoredReading]] = {sid: [] for sid in ids}
        if not ids:
            return out
        rows = self._client.query(
            f"SELECT session_id, {_READING_SELECT} FROM ({_VISIBLE_WRITES}) ORDER BY session_id, committed_at, seq",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        for sid, *columns in rows:
            out[sid].extend(_readings(*columns))
        return out

    def insert_writes(self, writes: Sequence[SessionWrite], claim: str | None = None) -> None:
        """Write rows in one insert; `claim` is the deduplication token of the slot an API write claims."""
        if not writes:
            return
        settings = {"insert_deduplication_token": claim} if claim is not None else {}
        self._client.insert(
            "session_writes", [_write_row(w) for w in writes], column_names=_WRITE_COLUMNS, settings=settings
        )

    def settle_claim(self, write: SessionWrite, outcome: AnalysisRecord | AnalysisFailure | None) -> bool:
        """True when `write` holds its slot; its analysis or failure is stored in the same round trip."""
        s = write.session
        claim = {"ct": s.tenant_id, "cs": s.session_id, "cslot": write.slot, "cw": write.write_id}
        if outcome is None:
            holder = self._client.query(
                "SELECT any(write_id) FROM session_writes FINAL WHERE tenant_id = {ct:String} "
                "AND session_id = {cs:String} AND slot = {cslot:String}",
                parameters=claim,
            ).result_rows
            return bool(holder) and holder[0][0] == write.write_id
        if isinstance(outcome, AnalysisRecord):
            insert = _Conditional("session_analyses", _ANALYSIS_COLUMNS, _analysis_row(outcome))
        else:
            insert = _Conditional(
                "session_analysis_errors", _FAILURE_COLUMNS, _failure_row(s.tenant_id, s.session_id, outcome)
            )
        params = {f"p{i}": v for i, v in enumerate(insert.values)} | claim
        try:
            self._client.command(insert.sql(), parameters=params)
        except DatabaseError as exc:
            if _CLAIM_LOST in str(exc):
                return False
            raise
        return True

    # ------------------------------------------------------------------ analyses
    def insert_analyses(self, records: Sequence[AnalysisRecord]) -> None:
        """Write analyses, each with its anomalies, in one insert."""
        if records:
            self._client.insert(
                "session_analyses",
                [_analysis_row(r) for r in records],
                column_names=[name for name, _ in _ANALYSIS_COLUMNS],
            )

    def record_analysis_failure(self, tenant_id: str, session_id: str, failure: AnalysisFailure) -> None:
        """Keep the latest failed analysis of a session."""
        self._client.insert(
            "session_analysis_errors",
            [_failure_row(tenant_id, session_id, failure)],
            column_names=[name for name, _ in _FAILURE_COLUMNS],
        )

    def current_analyses(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisRecord]:
        """The analysis each session shows: the latest of the readings it holds now."""
        ids = sorted(set(session_ids))
        if not ids:
            return {}
        rows = self._client.query(
            f"SELECT a.session_id, {ANALYSIS_SELECT} "
            "FROM (SELECT * FROM session_analyses FINAL WHERE tenant_id = {t:String} "
            "AND session_id IN {ids:Array(String)}) AS a "
            "INNER JOIN (SELECT session_id, maxIf(revision, op = 'replace') AS base FROM session_writes FINAL "
            "WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)} GROUP BY session_id) AS h "
            "ON h.session_id = a.session_id AND h.base = a.base_revision "
            "ORDER BY a.session_id, a.reading_count DESC, a.analyzed_at DESC LIMIT 1 BY a.session_id",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        return {row[0]: analysis_from_row(tenant_id, row[0], row[1:]) for row in rows}

    def latest_failures(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, AnalysisFailure]:
        """The latest failed analysis of each session that has one (of whichever revision)."""
        ids = sorted(set(session_ids))
        if not ids:
            return {}
        rows = self._client.query(
            "SELECT session_id, failed_at, reason, base_revision, reading_count FROM session_analysis_errors FINAL "
            "WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)}",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        return {r[0]: AnalysisFailure(r[1], r[2], int(r[3]), int(r[4])) for r in rows}

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
            "SELECT DISTINCT arrayJoin(anomalies.category) FROM session_analyses FINAL WHERE tenant_id = {t:String} "
            "AND charging_station_id = {st:String} AND ifNull(connector_id, '') = {c:String} "
            "AND analyzed_at >= {since:DateTime64(3, 'UTC')} AND session_id != {s:String}",
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
        """One page of sessions (newest first) with the analysis each shows, and the total count."""
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
        where = ["1"]
        params: dict[str, Any] = {"t": tenant_id, "limit": size, "offset": page * size}
        for value, condition, name in conditions:
            if value is not None:
                where.append(condition)
                params[name] = value
        heads = (
            "SELECT session_id, latest.1 AS charging_station_id, latest.2 AS connector_id, latest.3 AS evse_id, "
            "latest.4 AS status, latest.5 AS metadata, created_at, updated_at, base FROM ("
            "SELECT session_id, argMax((charging_station_id, connector_id, evse_id, status, metadata), "
            "(revision, committed_at, seq)) AS latest, min(created_at) AS created_at, "
            "toDateTime64(max(committed_at), 3, 'UTC') AS updated_at, maxIf(revision, op = 'replace') AS base "
            "FROM session_writes FINAL WHERE tenant_id = {t:String} GROUP BY session_id)"
        )
        current = (
            "SELECT a.session_id AS session_id, a.is_anomaly AS is_anomaly, a.anomaly_score AS anomaly_score, "
            "a.anomaly_confidence AS anomaly_confidence, length(a.anomalies.category) AS anomaly_count, "
            "a.analyzed_at AS analyzed_at FROM (SELECT * FROM session_analyses FINAL WHERE tenant_id = {t:String}) AS a "
            f"INNER JOIN ({heads}) AS h ON h.session_id = a.session_id AND h.base = a.base_revision "
            "ORDER BY a.reading_count DESC, a.analyzed_at DESC LIMIT 1 BY a.session_id"
        )
        base = f"FROM ({heads}) AS s LEFT JOIN ({current}) AS i ON s.session_id = i.session_id WHERE " + " AND ".join(
            where
        )
        total = int(
            self._client.query(f"SELECT count() {base}", parameters=params, settings={"join_use_nulls": 1}).result_rows[
                0
            ][0]
        )
        rows = self._client.query(
            "SELECT s.session_id, s.charging_station_id, s.connector_id, s.evse_id, s.status, s.metadata, "
            f"s.created_at, s.updated_at, i.is_anomaly, i.anomaly_score, i.anomaly_count, i.analyzed_at {base} "
            "ORDER BY s.created_at DESC, s.session_id LIMIT {limit:UInt32} OFFSET {offset:UInt64}",
            parameters=params,
            settings={"join_use_nulls": 1},
        ).result_rows
        items = [
            SessionListItem(
                session=SessionRecord(tenant_id, r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "{}"), r[6], r[7]),
                is_anomaly=None if r[8] is None else bool(r[8]),
                anomaly_score=r[9],
                anomaly_count=r[10],
                last_analyzed_at=r[11],
            )
            for r in rows
        ]
        return items, total

    # ------------------------------------------------------------------ the outbox
    def api_writes_since(self, since: datetime, limit: int, *, unpublished: bool) -> list[SessionWrite]:
        """API writes committed since `since` (every tenant), oldest first; only those the relay has not
        delivered when `unpublished`. Found through `api_write_outbox`, read from the log."""
        ledger = (
            "AND (tenant_id, session_id, slot) NOT IN (SELECT tenant_id, session_id, slot FROM session_publications "
            "WHERE published_at >= {since:DateTime64(6, 'UTC')})"
            if unpublished
            else ""
        )
        keys = [
            (r[0], r[1], r[2])
            for r in self._client.query(
                "SELECT tenant_id, session_id, slot FROM api_write_outbox FINAL "
                f"WHERE committed_at >= {{since:DateTime64(6, 'UTC')}} {ledger} "
                "ORDER BY committed_at, tenant_id, session_id, slot LIMIT {limit:UInt32}",
                parameters={"since": since, "limit": limit},
            ).result_rows
        ]
        if not keys:
            return []
        rows = self._client.query(
            f"SELECT tenant_id, {_LOG_SELECT.removeprefix('SELECT ')} FROM session_writes FINAL "
            "WHERE (tenant_id, session_id) IN {pairs:Array(Tuple(String, String))} "
            "AND (tenant_id, session_id, slot) IN {keys:Array(Tuple(String, String, String))}",
            parameters={"pairs": sorted({(t, s) for t, s, _ in keys}), "keys": keys},
        ).result_rows
        writes = {(row[0], row[1], row[2]): _write_from_row(row[0], row[1:]) for row in rows}
        return [writes[key] for key in keys if key in writes]

    def recover_outbox(self, since: datetime) -> None:
        """Index the API writes committed since `since` that `api_write_outbox` lacks (a crash between a
        write and its index row); a scan of the log, for the first pass after a start."""
        self._client.command(
            "INSERT INTO api_write_outbox SELECT tenant_id, session_id, slot, write_id, committed_at, "
            "notEmpty(readings.timestamp), analysis_pending FROM session_writes FINAL "
            "WHERE committed_at >= {since:DateTime64(6, 'UTC')} AND startsWith(slot, 'api:') "
            "AND (tenant_id, session_id, slot) NOT IN (SELECT tenant_id, session_id, slot FROM api_write_outbox "
            "WHERE committed_at >= {since:DateTime64(6, 'UTC')})",
            parameters={"since": since},
        )

    def mark_published(self, writes: Sequence[SessionWrite], at: datetime) -> None:
        """Record that these writes reached the stream."""
        if writes:
            self._client.insert(
                "session_publications",
                [[w.session.tenant_id, w.session.session_id, w.slot, w.write_id, at] for w in writes],
                column_names=["tenant_id", "session_id", "slot", "write_id", "published_at"],
            )

    # ------------------------------------------------------------------ pending analyses
    def sessions_written_by_api(self, since: datetime) -> list[tuple[str, str]]:
        """(tenant, session) of every API write with readings committed since `since`."""
        rows = self._client.query(
            "SELECT DISTINCT tenant_id, session_id FROM api_write_outbox "
            "WHERE committed_at >= {since:DateTime64(6, 'UTC')} AND has_readings",
            parameters={"since": since},
        ).result_rows
        return [(r[0], r[1]) for r in rows]

    def analysed_counts(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, int]:
        """Per session: how many of the readings it shows were analysed (or failed to be), at most."""
        ids = sorted(set(session_ids))
        if not ids:
            return {}
        rows = self._client.query(
            "SELECT o.session_id, max(o.reading_count) FROM ("
            "SELECT session_id, base_revision, reading_count FROM session_analyses FINAL "
            "WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)} UNION ALL "
            "SELECT session_id, base_revision, reading_count FROM session_analysis_errors FINAL "
            "WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)}) AS o "
            "INNER JOIN (SELECT session_id, maxIf(revision, op = 'replace') AS base FROM session_writes FINAL "
            "WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)} GROUP BY session_id) AS h "
            "ON h.session_id = o.session_id AND h.base = o.base_revision GROUP BY o.session_id",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        return {r[0]: int(r[1]) for r in rows}
