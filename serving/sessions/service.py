"""Session use cases of the API: create, replace, append, read, list.

Writes store the readings, analyse synchronously through the shared `SessionAnalyser` when there
are enough of them, and republish what was accepted so the station windows see one stream.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Literal

from evwatch.analysis import SessionAnalyser
from evwatch.clock import utc_now
from evwatch.contracts.meter_values import (
    ApiSessionWrite,
    CreateSessionRequest,
    ReplaceSessionRequest,
    UpdateSessionRequest,
    reading_to_wire,
    validated_readings,
)
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import Conflict, FieldProblem, InvalidInput, NotFound
from evwatch.domain.ocpp import SOC
from evwatch.domain.readings import StoredReading
from evwatch.domain.sessions import (
    DEFAULT_STATUS,
    MIN_READINGS,
    AnalysisFailure,
    AnalysisRecord,
    SessionFilters,
    SessionListItem,
    SessionRecord,
    check_session_id,
)
from evwatch.outages import is_outage
from evwatch.storage.sessions import MeterValueRow, SessionStore
from serving.pagination import Page, Pagination
from serving.sessions.schemas import (
    AnomalyCategoryResult,
    BucketRange,
    ListSessionsResponse,
    SessionAnalysis,
    SessionDetail,
    SessionSummary,
    TimeRange,
)

log = logging.getLogger("evwatch.sessions")

Publisher = Callable[[ApiSessionWrite], None]
WriteOp = Literal["create", "replace", "append"]

PENDING_MESSAGE = "Meter values stored; analysis is pending because the inference service is unavailable."
FAILED_MESSAGE = "Meter values stored; the analysis failed"


class SessionService:
    """The /v1/sessions use cases over a session store, the shared analyser and the stream publisher."""

    def __init__(
        self,
        store: SessionStore,
        analyser: SessionAnalyser,
        publish: Publisher | None,
        bounds: Bounds,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.analyser = analyser
        self.publish = publish
        self.bounds = bounds
        self.clock = clock

    # ---------------------------------------------------------------- reads
    def list_sessions(self, tenant_id: str, filters: SessionFilters, page: Page) -> ListSessionsResponse:
        """A page of the tenant's sessions, newest first, with their latest analysis."""
        items, total = self.store.list_sessions(tenant_id, filters, page.number, page.size)
        return ListSessionsResponse([_summary(i) for i in items], Pagination.of(page, total))

    def detail(self, tenant_id: str, session_id: str) -> SessionDetail:
        """The session, its readings (reconstructed SoC flagged) and latest analysis."""
        session = self._get(tenant_id, session_id)
        readings = self.store.load_readings(tenant_id, [session_id])[session_id]
        analysis = self.store.latest_analyses(tenant_id, [session_id]).get(session_id)
        failure = self.store.latest_failures(tenant_id, [session_id]).get(session_id)
        if analysis is not None:
            readings += [
                StoredReading(ts, SOC, "Percent", v, reconstructed=True) for ts, v in analysis.reconstructed_soc
            ]
        # The contract lists readings in timestamp order (stable: arrival order among equal times).
        readings.sort(key=lambda r: r.timestamp)
        return SessionDetail(
            session_id=session.session_id,
            status=session.status,
            created_at=session.created_at,
            meter_values=[reading_to_wire(r) for r in readings],
            message=_failure_message(failure, analysis),
            **_analysis_fields(analysis),
        )

    # ---------------------------------------------------------------- writes
    def create(self, tenant_id: str, request: CreateSessionRequest) -> SessionAnalysis:
        """Create Session: 409 on an existing id, analysis when 3+ readings arrive."""
        check_session_id(request.session_id)
        readings = validated_readings(request, self.bounds, self.clock())
        if self.store.get_session(tenant_id, request.session_id) is not None:
            raise Conflict(f"A session with sessionId {request.session_id} already exists.")
        now = self.clock()
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
        return self._store_and_analyse(session, readings, "create", request.meter_values is not None)

    def replace(self, tenant_id: str, session_id: str, request: ReplaceSessionRequest) -> SessionAnalysis:
        """Replace Session: every stored reading is swapped for the given ones (at least one)."""
        if not request.meter_values:
            raise InvalidInput([FieldProblem("meterValues", "must contain at least 1 item")])
        readings = validated_readings(request, self.bounds, self.clock())
        session = self._updated(tenant_id, session_id, request.metadata, request.status)
        return self._store_and_analyse(session, readings, "replace", True)

    def append(self, tenant_id: str, session_id: str, request: UpdateSessionRequest) -> SessionAnalysis:
        """Update Session: append readings; an empty list changes nothing and runs nothing."""
        readings = validated_readings(request, self.bounds, self.clock())
        session = self._updated(tenant_id, session_id, request.metadata, request.status)
        if readings:
            self._check_session_cap(session, len(readings))
            return self._store_and_analyse(session, readings, "append", True)
        if request.metadata is not None or request.status is not None:
            self.store.upsert_sessions([session])
        return _analysis(session, self.store.latest_analyses(tenant_id, [session_id]).get(session_id))

    # ---------------------------------------------------------------- steps
    def _get(self, tenant_id: str, session_id: str) -> SessionRecord:
        session = self.store.get_session(tenant_id, session_id)
        if session is None:
            raise NotFound(f"Session {session_id} was not found.")
        return session

    def _updated(
        self, tenant_id: str, session_id: str, metadata: dict[str, Any] | None, status: str | None
    ) -> SessionRecord:
        session = self._get(tenant_id, session_id)
        return replace(
            session,
            metadata=dict(metadata) if metadata is not None else session.metadata,
            status=status if status is not None else session.status,
            updated_at=self.clock(),
        )

    def _check_session_cap(self, session: SessionRecord, adding: int) -> None:
        held = self.store.count_readings(session.tenant_id, session.session_id)
        if held + adding > self.bounds.max_readings_per_session:
            limit = self.bounds.max_readings_per_session
            problem = f"the session would hold {held + adding} readings (at most {limit})"
            raise InvalidInput([FieldProblem("meterValues", problem)])

    def _store_and_analyse(
        self, session: SessionRecord, readings: list[StoredReading], op: WriteOp, publish_values: bool
    ) -> SessionAnalysis:
        request_key = uuid.uuid4().hex
        self.store.upsert_sessions([session])
        if op == "replace":
            self.store.delete_meter_values(session.tenant_id, session.session_id)
        rows = [MeterValueRow(session, r, f"api:{request_key}:{i}") for i, r in enumerate(readings)]
        self.store.insert_meter_values(rows, self.clock())
        count = self.store.count_readings(session.tenant_id, session.session_id)
        analysis: AnalysisRecord | None = None
        message: str | None = None
        pending = False
        if readings and count >= MIN_READINGS:
            try:
                records = self.analyser.analyse(session.tenant_id, [session.session_id])
                analysis = records[0] if records else None
            except Exception as exc:
                if not is_outage(exc):
                    # The readings are stored; the analysis failed on them and says so in the detail.
                    failure = self.analyser.record_failure(session.tenant_id, session.session_id, exc)
                    message = f"{FAILED_MESSAGE}: {failure.reason}"
                else:
                    # The readings are stored; the pipeline finishes the analysis once Triton is back.
                    log.warning("analysis deferred for session %s: %s", session.session_id, exc)
                    pending = True
                    message = PENDING_MESSAGE
        elif count < MIN_READINGS:
            message = f"Analysis runs once the session has at least {MIN_READINGS} meter values (it has {count})."
        self._republish(session, readings if publish_values else None, op, pending)
        return _analysis(session, analysis, message)

    def _republish(
        self, session: SessionRecord, readings: list[StoredReading] | None, op: WriteOp, pending: bool
    ) -> None:
        """Hand what the API accepted to the shared log, so the station windows see one stream."""
        if self.publish is None:
            return
        message = ApiSessionWrite(
            tenant_id=session.tenant_id,
            session_id=session.session_id,
            charging_station_id=session.charging_station_id,
            connector_id=session.connector_id,
            evse_id=session.evse_id,
            meter_values=None if readings is None else [reading_to_wire(r) for r in readings],
            metadata=session.metadata,
            status=session.status,
            op=op,
            analysis_pending=pending,
        )
        try:
            self.publish(message)
        except Exception:  # the readings are stored; the stream copy is best effort
            log.warning("could not publish session %s to Kafka", session.session_id, exc_info=True)


def _failure_message(failure: AnalysisFailure | None, analysis: AnalysisRecord | None) -> str | None:
    """The last analysis failed, and no analysis succeeded since."""
    if failure is None or (analysis is not None and analysis.analyzed_at >= failure.failed_at):
        return None
    return f"The latest analysis failed: {failure.reason}"


def _anomalies(analysis: AnalysisRecord) -> list[AnomalyCategoryResult]:
    return [
        AnomalyCategoryResult(
            category=a.category,
            score=a.score,
            confidence=a.confidence,
            bucket_range=BucketRange(a.start_unit, a.end_unit),
            time_range=TimeRange(a.start_ts, a.end_ts),
        )
        for a in analysis.anomalies
    ]


def _analysis_fields(analysis: AnalysisRecord | None) -> dict[str, Any]:
    if analysis is None:
        return {}
    return {
        "is_anomaly": analysis.is_anomaly,
        "anomaly_score": analysis.anomaly_score,
        "anomaly_confidence": analysis.anomaly_confidence,
        "is_incident": analysis.is_incident,
        "is_recurring": analysis.is_recurring,
        "anomalies": _anomalies(analysis),
        "analyzed_at": analysis.analyzed_at,
        "soc_reconstructed": analysis.soc_reconstructed,
    }


def _analysis(session: SessionRecord, analysis: AnalysisRecord | None, message: str | None = None) -> SessionAnalysis:
    return SessionAnalysis(
        session_id=session.session_id,
        status=session.status,
        message=message,
        created_at=session.created_at,
        **_analysis_fields(analysis),
    )


def _summary(item: SessionListItem) -> SessionSummary:
    return SessionSummary(
        session_id=item.session.session_id,
        charging_station_id=item.session.charging_station_id,
        is_anomaly=item.is_anomaly,
        anomaly_score=item.anomaly_score,
        anomaly_count=item.anomaly_count,
        status=item.session.status,
        created_at=item.session.created_at,
        last_analyzed_at=item.last_analyzed_at,
    )
