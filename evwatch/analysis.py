"""The one session analysis: readings → CSAR-2 features → inference → analysis records.

`analyse` is pure apart from `infer` (Triton in production, in-process torch or a fake in tests).
`SessionAnalyser` runs it over stored sessions and stores the result; the API, the dataflow and
batch workers all go through it.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
from prometheus_client import Counter

from evwatch.clock import utc_now
from evwatch.domain.categories import BILLING_CATEGORIES
from evwatch.domain.errors import InferenceRejected
from evwatch.domain.readings import StoredReading
from evwatch.domain.sessions import MIN_READINGS, AnalysisFailure, AnalysisRecord, AnomalyRecord, SessionRecord
from evwatch.inference import BatchInfer
from evwatch.storage.sessions import SessionStore
from models.csar2.context import context_from_metadata
from models.csar2.postprocess import interpret
from models.csar2.preprocess import prepare
from models.csar2.schema import Csar2Result, Reading

# An anomaly this sure opens an incident even when it is not about billing.
INCIDENT_SCORE = 0.9
# A category seen on the same connector within this window makes a finding recurring.
RECURRENCE_WINDOW = timedelta(days=7)
_NAMESPACE = uuid.UUID("7f1c0f6e-4d1b-4b8e-9a53-5a2f1e0c9d11")


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """A session with every stored reading, ready to analyse."""

    session: SessionRecord
    readings: Sequence[StoredReading]


def model_readings(readings: Sequence[StoredReading]) -> list[Reading]:
    """Stored readings as the model's plain `Reading`s (epoch seconds)."""
    return [Reading(r.timestamp.timestamp(), r.measurand, r.value, r.phase, r.reconstructed) for r in readings]


def inference_id(snapshot: SessionSnapshot, model_version: str) -> str:
    """Deterministic id: same session, same readings, same model → same row."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{snapshot.session.tenant_id}\x00{snapshot.session.session_id}\x00{model_version}".encode())
    for r in snapshot.readings:
        digest.update(struct.pack("<dd", r.timestamp.timestamp(), r.value))
        digest.update(r.measurand.encode())
    return str(uuid.uuid5(_NAMESPACE, digest.hexdigest()))


def _ts(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _score(value: float) -> float:
    # Rounded once, here: what is stored, filtered on (minScore) and answered is the same number.
    return round(float(value), 6)


def to_record(snapshot: SessionSnapshot, result: Csar2Result, analyzed_at: datetime) -> AnalysisRecord:
    """Map a model result onto the stored analysis record (isRecurring is decided by the caller)."""
    session = snapshot.session
    anomalies = tuple(
        AnomalyRecord(
            f.category, f.start_unit, f.end_unit, _ts(f.start_ts), _ts(f.end_ts), _score(f.score), _score(f.confidence)
        )
        for f in result.findings
    )
    incident = result.is_anomaly and (
        any(a.category in BILLING_CATEGORIES for a in anomalies) or result.anomaly_score >= INCIDENT_SCORE
    )
    return AnalysisRecord(
        tenant_id=session.tenant_id,
        session_id=session.session_id,
        inference_id=inference_id(snapshot, result.model_version),
        charging_station_id=session.charging_station_id,
        connector_id=session.connector_id,
        analyzed_at=analyzed_at,
        anomaly_score=_score(result.anomaly_score),
        is_anomaly=bool(result.is_anomaly),
        anomaly_confidence=_score(result.anomaly_confidence),
        is_incident=incident,
        is_recurring=False,
        soc_reconstructed=result.soc_reconstructed,
        reading_count=len(snapshot.readings),
        unit_seconds=float(result.unit_seconds),
        model_version=result.model_version,
        anomalies=anomalies,
        reconstructed_soc=tuple((_ts(ts), float(v)) for ts, v in result.reconstructed_soc),
    )


def analyse(snapshots: Sequence[SessionSnapshot], infer: BatchInfer, analyzed_at: datetime) -> list[AnalysisRecord]:
    """Analyse sessions with at least 3 readings in one batched inference; others are skipped."""
    ready = [s for s in snapshots if len(s.readings) >= MIN_READINGS]
    if not ready:
        return []
    prepared = [prepare(model_readings(s.readings), context_from_metadata(s.session.metadata)) for s in ready]
    batch = {name: np.stack([p.inputs[name] for p in prepared]) for name in prepared[0].inputs}
    outputs = infer(batch)
    records = []
    for i, (snapshot, prep) in enumerate(zip(ready, prepared, strict=True)):
        result = interpret(prep, {name: value[i] for name, value in outputs.items()})
        records.append(to_record(snapshot, result, analyzed_at))
    return records


ANALYSIS_FAILURES = Counter(
    "evwatch_analysis_failures_total", "Session analyses that failed on the session's own data", ["cause"]
)
_MAX_REASON = 1_000


class SessionAnalyser:
    """Analyses stored sessions, marks recurring findings and stores the analyses."""

    def __init__(self, store: SessionStore, infer: BatchInfer, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.infer = infer
        self.clock = clock

    def analyse(self, tenant_id: str, session_ids: Sequence[str]) -> list[AnalysisRecord]:
        """Analyse the named sessions from what is stored and write the results (3+ readings only)."""
        now = self.clock()
        sessions = self.store.get_sessions(tenant_id, session_ids)
        readings = self.store.load_readings(tenant_id, sessions)
        snapshots = [SessionSnapshot(sessions[sid], readings[sid]) for sid in sessions]
        records = [self._mark_recurring(r, now) for r in analyse(snapshots, self.infer, now)]
        self.store.insert_analyses(records)
        return records

    def _mark_recurring(self, record: AnalysisRecord, now: datetime) -> AnalysisRecord:
        if not record.anomalies:
            return record
        seen = self.store.recent_categories(
            record.tenant_id,
            record.charging_station_id,
            record.connector_id,
            now - RECURRENCE_WINDOW,
            record.session_id,
        )
        return replace(record, is_recurring=any(a.category in seen for a in record.anomalies))

    def record_failure(self, tenant_id: str, session_id: str, exc: Exception) -> AnalysisFailure:
        """Remember that the session's analysis failed on its own data; shown in its detail, counted."""
        ANALYSIS_FAILURES.labels(cause=type(exc).__name__).inc()
        reason = str(exc) if isinstance(exc, InferenceRejected) else f"{type(exc).__name__}: {exc}"
        failure = AnalysisFailure(self.clock(), reason[:_MAX_REASON])
        self.store.record_analysis_failure(tenant_id, session_id, failure)
        return failure
