"""Session use cases of the API: create, replace, append, read, list.

A write is one row of the session's log (`evwatch/domain/session_log.py`), stored with its
analysis: the service reads where the session stands, analyses what it will show, claims the next
revision with one insert and settles the claim together with the analysis in a second. Of writers
racing for a revision exactly one wins; a losing create is a 409, a losing replace or append reads
again and retries. The relay (`workers/outbox.py`) hands committed writes to the stream.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from evwatch.analysis import RECURRENCE_WINDOW, SeenCategories, SessionAnalyser, SessionSnapshot
from evwatch.clock import utc_now
from evwatch.contracts.meter_values import (
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
from evwatch.domain.session_log import (
    APPEND,
    CREATE,
    REPLACE,
    UPDATE,
    SessionHead,
    SessionWrite,
    WriteOp,
    api_slot,
    head,
    visible_readings,
)
from evwatch.domain.sessions import (
    DEFAULT_STATUS,
    MIN_READINGS,
    AnalysisFailure,
    AnalysisRecord,
    SessionFilters,
    SessionListItem,
    SessionRecord,
    check_session_id,
    failure_applies,
)
from evwatch.outages import is_outage
from evwatch.storage.sessions import SessionStore, claim_token
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

PENDING_MESSAGE = "Meter values stored; analysis is pending because the inference service is unavailable."
FAILED_MESSAGE = "Meter values stored; the analysis failed"
# A replace or append that keeps losing its revision to concurrent writes gives up with a 409.
MAX_ATTEMPTS = 5

Outcome = AnalysisRecord | AnalysisFailure | None


class SessionService:
    """The /v1/sessions use cases over a session store and the shared analyser."""

    def __init__(
        self,
        store: SessionStore,
        analyser: SessionAnalyser,
        bounds: Bounds,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.analyser = analyser
        self.bounds = bounds
        self.clock = clock

    # ---------------------------------------------------------------- reads
    def list_sessions(self, tenant_id: str, filters: SessionFilters, page: Page) -> ListSessionsResponse:
        """A page of the tenant's sessions, newest first, with the analysis each shows."""
        items, total = self.store.list_sessions(tenant_id, filters, page.number, page.size)
        return ListSessionsResponse([_summary(i) for i in items], Pagination.of(page, total))

    def detail(self, tenant_id: str, session_id: str) -> SessionDetail:
        """The session, the readings it shows (reconstructed SoC flagged) and their analysis."""
        writes = self.store.load_log(tenant_id, [session_id]).get(session_id, [])
        current = head(writes)
        if current is None:
            raise NotFound(f"Session {session_id} was not found.")
        readings = visible_readings(writes)
        analysis = self.store.current_analyses(tenant_id, [session_id]).get(session_id)
        failure = self.store.latest_failures(tenant_id, [session_id]).get(session_id)
        if analysis is not None:
            readings += [
                StoredReading(ts, SOC, "Percent", v, reconstructed=True) for ts, v in analysis.reconstructed_soc
            ]
        # The contract lists readings in timestamp order (stable: arrival order among equal times).
        readings.sort(key=lambda r: r.timestamp)
        return SessionDetail(
            session_id=session_id,
            status=current.session.status,
            created_at=current.session.created_at,
            meter_values=[reading_to_wire(r) for r in readings],
            message=_failure_message(failure, analysis, current),
            **_analysis_fields(analysis),
        )

    # ---------------------------------------------------------------- writes
    def create(self, tenant_id: str, request: CreateSessionRequest) -> SessionAnalysis:
        """Create Session: 409 on an existing id (also for the losers of a race), analysis with 3+ readings."""
        check_session_id(request.session_id)
        now = self.clock()
        readings = validated_readings(request, self.bounds, now)
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
        # Round trip 1 of 3: does the session exist, and what was seen on its connector lately.
        exists, seen = self.store.create_context(
            tenant_id, request.session_id, request.charging_station_id, request.connector_id, now - RECURRENCE_WINDOW
        )
        conflict = Conflict(f"A session with sessionId {request.session_id} already exists.")
        if exists:
            raise conflict
        write = _write(session, 1, CREATE, now, readings)
        outcome, message, write = self._analyse(write, readings, 0, lambda _record: seen)
        if not self._commit(write, outcome):
            raise conflict
        return _answer(session, outcome, message)

    def replace(self, tenant_id: str, session_id: str, request: ReplaceSessionRequest) -> SessionAnalysis:
        """Replace Session: the session shows only the given readings (at least one) from now on."""
        if not request.meter_values:
            raise InvalidInput([FieldProblem("meterValues", "must contain at least 1 item")])
        readings = validated_readings(request, self.bounds, self.clock())
        return self._update(tenant_id, session_id, REPLACE, readings, request.metadata, request.status)

    def append(self, tenant_id: str, session_id: str, request: UpdateSessionRequest) -> SessionAnalysis:
        """Update Session: append readings; an empty list changes nothing and runs nothing."""
        readings = validated_readings(request, self.bounds, self.clock())
        if readings:
            return self._update(tenant_id, session_id, APPEND, readings, request.metadata, request.status)
        if request.metadata is not None or request.status is not None:
            return self._update(tenant_id, session_id, UPDATE, [], request.metadata, request.status)
        current = self._head(tenant_id, session_id)
        return _answer(current.session, self.store.current_analyses(tenant_id, [session_id]).get(session_id))

    # ---------------------------------------------------------------- steps
    def _head(self, tenant_id: str, session_id: str) -> SessionHead:
        heads, _ = self.store.heads(tenant_id, [session_id])
        if session_id not in heads:
            raise NotFound(f"Session {session_id} was not found.")
        return heads[session_id]

    def _update(
        self,
        tenant_id: str,
        session_id: str,
        op: WriteOp,
        readings: list[StoredReading],
        metadata: dict[str, Any] | None,
        status: str | None,
    ) -> SessionAnalysis:
        for _ in range(MAX_ATTEMPTS):
            shown: list[StoredReading] = []
            if op == APPEND:
                # The analysis needs what the session shows already; the log brings its head along.
                writes = self.store.load_log(tenant_id, [session_id]).get(session_id, [])
                current = head(writes)
                if current is None:
                    raise NotFound(f"Session {session_id} was not found.")
                shown = visible_readings(writes)
                self._check_session_cap(current, len(readings))
            else:
                current = self._head(tenant_id, session_id)
            now = self.clock()
            session = replace(
                current.session,
                metadata=dict(metadata) if metadata is not None else current.session.metadata,
                status=status if status is not None else current.session.status,
                updated_at=now,
            )
            revision = current.revision + 1
            base = revision if op == REPLACE else current.base_revision
            write = _write(session, revision, op, now, readings)
            if op == UPDATE:
                if self._commit(write, None):
                    return _answer(session, self.store.current_analyses(tenant_id, [session_id]).get(session_id))
                continue
            outcome, message, write = self._analyse(write, [*shown, *readings], base, self.analyser.seen)
            if self._commit(write, outcome):
                return _answer(session, outcome, message)
        raise Conflict(f"Session {session_id} is being changed by other requests; try again.")

    def _check_session_cap(self, current: SessionHead, adding: int) -> None:
        held = current.reading_count
        if held + adding > self.bounds.max_readings_per_session:
            limit = self.bounds.max_readings_per_session
            problem = f"the session would hold {held + adding} readings (at most {limit})"
            raise InvalidInput([FieldProblem("meterValues", problem)])

    def _analyse(
        self, write: SessionWrite, readings: list[StoredReading], base_revision: int, seen: SeenCategories
    ) -> tuple[Outcome, str | None, SessionWrite]:
        """The analysis of what the session will show after `write` (before it is stored), or why there is none."""
        if len(readings) < MIN_READINGS:
            message = (
                f"Analysis runs once the session has at least {MIN_READINGS} meter values (it has {len(readings)})."
            )
            return None, message, write
        snapshot = SessionSnapshot(write.session, readings, base_revision)
        try:
            records = self.analyser.evaluate([snapshot], seen)
        except Exception as exc:
            if is_outage(exc):
                # Stored without its analysis; the sweeper completes it once the inference service is back.
                log.warning("analysis deferred for session %s: %s", write.session.session_id, exc)
                return None, PENDING_MESSAGE, replace(write, analysis_pending=True)
            failure = self.analyser.failure(exc, base_revision, len(readings))
            return failure, f"{FAILED_MESSAGE}: {failure.reason}", write
        return records[0], None, write

    def _commit(self, write: SessionWrite, outcome: Outcome) -> bool:
        """Round trips 2 and 3: claim the write's revision, then settle the claim with its outcome."""
        s = write.session
        self.store.insert_writes([write], claim=claim_token(s.tenant_id, s.session_id, write.slot))
        return self.store.settle_claim(write, outcome)


def _write(
    session: SessionRecord, revision: int, op: WriteOp, now: datetime, readings: list[StoredReading]
) -> SessionWrite:
    return SessionWrite(session, f"api:{uuid.uuid4().hex}", api_slot(revision), revision, op, now, tuple(readings))


def _failure_message(
    failure: AnalysisFailure | None, analysis: AnalysisRecord | None, current: SessionHead
) -> str | None:
    """The readings the session shows failed to analyse, and no analysis of them succeeded since."""
    if failure is None or not failure_applies(failure, analysis, current.base_revision):
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


def _answer(session: SessionRecord, outcome: Outcome, message: str | None = None) -> SessionAnalysis:
    analysis = outcome if isinstance(outcome, AnalysisRecord) else None
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
