"""Session use cases shared by the API and the pipeline: store readings, analyse, read back."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from clickhouse_connect.driver.client import Client

from evwatch.analysis import MIN_READINGS, BatchInfer, SessionSnapshot, analyse
from evwatch.contracts.meter_values import (
    CreateSessionRequest,
    MeterValuesMessage,
    ReplaceSessionRequest,
    UpdateSessionRequest,
)
from evwatch.domain.errors import Conflict, FieldProblem, InvalidInput, NotFound, Unavailable
from evwatch.domain.meter_values import StoredReading, normalise_meter_values, to_wire, utc_now
from evwatch.domain.sessions import DEFAULT_STATUS, AnalysisRecord, SessionRecord
from evwatch.storage import sessions as store

log = logging.getLogger("evwatch.sessions")

RECURRENCE_WINDOW = timedelta(days=7)
RESERVED_SESSION_IDS = frozenset({"batch"})

Publisher = Callable[[MeterValuesMessage], None]


@dataclass(frozen=True, slots=True)
class SessionView:
    """What the API answers for a session: its record and latest analysis (if any)."""

    session: SessionRecord
    analysis: AnalysisRecord | None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class SessionDetailView:
    """A session with its readings and latest analysis."""

    session: SessionRecord
    readings: list[StoredReading]
    analysis: AnalysisRecord | None


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A validated Kafka message, its normalised readings, and the coordinates that make its rows idempotent."""

    message: MeterValuesMessage
    readings: list[StoredReading]
    source_key: str


class SessionService:
    """Stores sessions and readings and runs the shared analysis; I/O comes in from outside."""

    def __init__(self, client: Client, infer: BatchInfer, publish: Publisher | None = None) -> None:
        self.client = client
        self.infer = infer
        self.publish = publish

    # ---------------------------------------------------------------- analysis
    def analyse_sessions(
        self, tenant_id: str, session_ids: Sequence[str], now: datetime | None = None
    ) -> list[AnalysisRecord]:
        """Analyse the named sessions from what is stored, mark recurrence, write the results."""
        now = now or utc_now()
        sessions = store.get_sessions(self.client, tenant_id, session_ids)
        readings = store.load_readings(self.client, tenant_id, sessions)
        snapshots = [
            SessionSnapshot(sessions[sid], readings[sid]) for sid in sessions if len(readings[sid]) >= MIN_READINGS
        ]
        records = [self._mark_recurring(r, now) for r in analyse(snapshots, self.infer, now)]
        store.insert_analyses(self.client, records)
        return records

    def _mark_recurring(self, record: AnalysisRecord, now: datetime) -> AnalysisRecord:
        if not record.anomalies:
            return record
        seen = store.recent_categories(
            self.client,
            record.tenant_id,
            record.charging_station_id,
            record.connector_id,
            now - RECURRENCE_WINDOW,
            record.session_id,
        )
        return replace(record, is_recurring=any(a.category in seen for a in record.anomalies))

    # ---------------------------------------------------------------- API use cases
    def create(self, tenant_id: str, request: CreateSessionRequest) -> SessionView:
        """Create Session: 409 on an existing id, analysis when 3+ readings arrive."""
        if request.session_id in RESERVED_SESSION_IDS:
            raise InvalidInput(
                [FieldProblem("sessionId", f"`{request.session_id}` is reserved and cannot be a sessionId")]
            )
        readings = normalise_meter_values(request.meter_values or [])
        if store.get_session(self.client, tenant_id, request.session_id) is not None:
            raise Conflict(f"A session with sessionId {request.session_id} already exists.")
        now = utc_now()
        session = SessionRecord(
            tenant_id,
            request.session_id,
            request.charging_station_id,
            request.connector_id,
            request.evse_id,
            request.status or DEFAULT_STATUS,
            dict(request.metadata or {}),
            now,
            now,
        )
        return self._store_and_analyse(session, readings, "create", request.meter_values is not None, replace_all=False)

    def replace(self, tenant_id: str, session_id: str, request: ReplaceSessionRequest) -> SessionView:
        """Replace Session: every stored reading is swapped for the given ones (at least one)."""
        if not request.meter_values:
            raise InvalidInput([FieldProblem("meterValues", "must contain at least 1 item")])
        readings = normalise_meter_values(request.meter_values)
        session = self._existing(tenant_id, session_id, request.metadata, request.status)
        return self._store_and_analyse(session, readings, "replace", True, replace_all=True)

    def append(self, tenant_id: str, session_id: str, request: UpdateSessionRequest) -> SessionView:
        """Update Session: append readings; an empty list changes nothing and runs nothing."""
        readings = normalise_meter_values(request.meter_values or [])
        session = self._existing(tenant_id, session_id, request.metadata, request.status)
        if not readings:
            if request.metadata is not None or request.status is not None:
                store.upsert_sessions(self.client, [session])
            analysis = store.latest_analyses(self.client, tenant_id, [session_id]).get(session_id)
            return SessionView(session, analysis)
        return self._store_and_analyse(session, readings, "append", True, replace_all=False)

    def _existing(self, tenant_id: str, session_id: str, metadata: dict | None, status: str | None) -> SessionRecord:
        session = store.get_session(self.client, tenant_id, session_id)
        if session is None:
            raise NotFound(f"Session {session_id} was not found.")
        return replace(
            session,
            metadata=dict(metadata) if metadata is not None else session.metadata,
            status=status if status is not None else session.status,
            updated_at=utc_now(),
        )

    def _store_and_analyse(
        self, session: SessionRecord, readings: list[StoredReading], op: str, publish_values: bool, *, replace_all: bool
    ) -> SessionView:
        request_key = uuid.uuid4().hex
        store.upsert_sessions(self.client, [session])
        if replace_all:
            store.delete_meter_values(self.client, session.tenant_id, session.session_id)
        rows = [store.MeterValueRow(session, r, f"api:{request_key}:{i}") for i, r in enumerate(readings)]
        store.insert_meter_values(self.client, rows, utc_now())
        count = store.count_readings(self.client, session.tenant_id, session.session_id)
        analysis: AnalysisRecord | None = None
        message: str | None = None
        pending = False
        if readings and count >= MIN_READINGS:
            try:
                records = self.analyse_sessions(session.tenant_id, [session.session_id])
                analysis = records[0] if records else None
            except Unavailable as exc:
                # The readings are stored; the pipeline finishes the analysis once Triton is back.
                log.warning("analysis deferred for session %s: %s", session.session_id, exc)
                pending = True
                message = "Meter values stored; analysis is pending because the inference service is unavailable."
        elif count < MIN_READINGS:
            message = f"Analysis runs once the session has at least {MIN_READINGS} meter values (it has {count})."
        self._republish(session, readings, op, publish_values, pending)
        return SessionView(session, analysis, message)

    def _republish(
        self, session: SessionRecord, readings: list[StoredReading], op: str, publish_values: bool, pending: bool
    ) -> None:
        """Hand what the API accepted to the shared log, so the station windows see one stream."""
        if self.publish is None:
            return
        values = [to_wire(r) for r in readings] if publish_values else None
        message = MeterValuesMessage(
            tenant_id=session.tenant_id,
            session_id=session.session_id,
            charging_station_id=session.charging_station_id,
            connector_id=session.connector_id,
            evse_id=session.evse_id,
            meter_values=values,
            metadata=session.metadata,
            status=session.status,
            op=op,
            analysis_pending=pending or None,
        )
        try:
            self.publish(message)
        except Exception:  # noqa: BLE001 - the readings are stored; the stream copy is best effort
            log.warning("could not publish session %s to Kafka", session.session_id, exc_info=True)

    # ---------------------------------------------------------------- reads
    def detail(self, tenant_id: str, session_id: str) -> SessionDetailView:
        """Session, readings (reconstructed SoC flagged) and latest analysis; NotFound otherwise."""
        session = store.get_session(self.client, tenant_id, session_id)
        if session is None:
            raise NotFound(f"Session {session_id} was not found.")
        readings = store.load_readings(self.client, tenant_id, [session_id])[session_id]
        analysis = store.latest_analyses(self.client, tenant_id, [session_id]).get(session_id)
        if analysis is not None and analysis.reconstructed_soc:
            readings += [
                StoredReading(ts, "SoC", "Percent", v, reconstructed=True) for ts, v in analysis.reconstructed_soc
            ]
        # The contract lists readings in timestamp order (stable: arrival order among equal times).
        return SessionDetailView(session, sorted(readings, key=lambda r: r.timestamp), analysis)

    # ---------------------------------------------------------------- pipeline use case
    def ingest(self, incoming: Sequence[IncomingMessage]) -> list[tuple[str, str]]:
        """Store a batch of backend messages (append semantics); returns (tenant, session) keys touched."""
        by_tenant: dict[str, list[IncomingMessage]] = {}
        for item in incoming:
            by_tenant.setdefault(item.message.tenant_id, []).append(item)
        touched: list[tuple[str, str]] = []
        now = utc_now()
        for tenant_id, items in by_tenant.items():
            existing = store.get_sessions(self.client, tenant_id, [i.message.session_id for i in items])
            merged: dict[str, SessionRecord] = {}
            rows: list[store.MeterValueRow] = []
            for item in items:
                msg = item.message
                prior = merged.get(msg.session_id) or existing.get(msg.session_id)
                session = _merge_session(tenant_id, msg, prior, now)
                merged[msg.session_id] = session
                rows.extend(
                    store.MeterValueRow(session, r, f"{item.source_key}:{i}") for i, r in enumerate(item.readings)
                )
            store.upsert_sessions(self.client, list(merged.values()))
            store.insert_meter_values(self.client, rows, now)
            touched.extend((tenant_id, sid) for sid in merged)
        return touched


def _merge_session(
    tenant_id: str, msg: MeterValuesMessage, prior: SessionRecord | None, now: datetime
) -> SessionRecord:
    """A stream message updates what it names and keeps the rest (created_at stays the first sight)."""
    if prior is None:
        return SessionRecord(
            tenant_id,
            msg.session_id,
            msg.charging_station_id,
            msg.connector_id,
            msg.evse_id,
            msg.status or DEFAULT_STATUS,
            dict(msg.metadata or {}),
            now,
            now,
        )
    return replace(
        prior,
        charging_station_id=msg.charging_station_id,
        connector_id=msg.connector_id if msg.connector_id is not None else prior.connector_id,
        evse_id=msg.evse_id if msg.evse_id is not None else prior.evse_id,
        status=msg.status if msg.status is not None else prior.status,
        metadata=dict(msg.metadata) if msg.metadata is not None else prior.metadata,
        updated_at=now,
    )
