"""The one session analysis: readings → CSAR-2 features → inference → analysis records.

`analyse` is pure apart from `infer` (Triton in production, in-process torch or a fake in tests).
`SessionAnalyser` runs it over stored sessions and stores the result (the dataflow, the sweeper of
pending analyses), or over a session the API is about to store (`evaluate`); everyone goes through it.
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
from evwatch.domain.errors import InferenceRejected
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import head, visible_readings
from evwatch.domain.sessions import MIN_READINGS, AnalysisFailure, AnalysisRecord, AnomalyRecord, SessionRecord
from evwatch.domain.triage import incident_categories
from evwatch.inference import BatchInfer
from evwatch.storage.sessions import SessionStore
from models.csar2.context import context_from_metadata
from models.csar2.postprocess import interpret
from models.csar2.preprocess import prepare
from models.csar2.schema import Csar2Result, Reading

# A category seen on the same connector within this window makes a finding recurring.
RECURRENCE_WINDOW = timedelta(days=7)
_NAMESPACE = uuid.UUID("7f1c0f6e-4d1b-4b8e-9a53-5a2f1e0c9d11")


@dataclass(frozen=True, slots=True)
class SessionSnapshot:
    """A session with every reading it shows, ready to analyse."""

    session: SessionRecord
    readings: Sequence[StoredReading]
    # The revision whose readings these are (the session's latest replace).
    base_revision: int = 0


def model_readings(readings: Sequence[StoredReading]) -> list[Reading]:
    """Stored readings as the model's plain `Reading`s (epoch seconds)."""
    return [
        Reading(r.timestamp.timestamp(), r.measurand, r.value, r.phase, r.reconstructed, r.location) for r in readings
    ]


def inference_id(snapshot: SessionSnapshot, model_version: str) -> str:
    """Deterministic id: same session, same revision, same readings, same model → same row (and event id)."""
    digest = hashlib.blake2b(digest_size=16)
    session = snapshot.session
    digest.update(f"{session.tenant_id}\x00{session.session_id}\x00{model_version}".encode())
    if snapshot.base_revision:
        digest.update(f"\x00{snapshot.base_revision}".encode())
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
    # only findings open incidents: unfamiliar telemetry alone is recorded, not escalated
    incident = bool(incident_categories(anomalies))
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
        unfamiliar_score=_score(result.unfamiliar_score),
        anomalies=anomalies,
        reconstructed_soc=tuple((_ts(ts), float(v)) for ts, v in result.reconstructed_soc),
        base_revision=snapshot.base_revision,
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


# Anomaly categories already seen on a record's connector (other sessions, within RECURRENCE_WINDOW).
SeenCategories = Callable[[AnalysisRecord], set[str]]


def mark_recurring(record: AnalysisRecord, seen: set[str]) -> AnalysisRecord:
    """A finding is recurring when its category was seen on the same connector recently."""
    return replace(record, is_recurring=any(a.category in seen for a in record.anomalies))


class SessionAnalyser:
    """Analyses sessions, marks recurring findings, and stores the analyses of stored sessions."""

    def __init__(self, store: SessionStore, infer: BatchInfer, clock: Callable[[], datetime] = utc_now) -> None:
        self.store = store
        self.infer = infer
        self.clock = clock

    def analyse(self, tenant_id: str, session_ids: Sequence[str]) -> list[AnalysisRecord]:
        """Analyse the named sessions from what they show now and write the results (3+ readings only)."""
        snapshots = []
        for writes in self.store.load_log(tenant_id, session_ids).values():
            current = head(writes)
            if current is not None:
                snapshots.append(SessionSnapshot(current.session, visible_readings(writes), current.base_revision))
        records = self.evaluate(snapshots, self.seen)
        self.store.insert_analyses(records)
        return records

    def evaluate(self, snapshots: Sequence[SessionSnapshot], seen: SeenCategories) -> list[AnalysisRecord]:
        """Analyse sessions without storing anything; `seen` is asked only about records with anomalies."""
        records = analyse(snapshots, self.infer, self.clock())
        return [mark_recurring(r, seen(r)) if r.anomalies else r for r in records]

    def seen(self, record: AnalysisRecord) -> set[str]:
        """Categories seen on the record's connector lately, in other sessions (one query)."""
        return self.store.recent_categories(
            record.tenant_id,
            record.charging_station_id,
            record.connector_id,
            record.analyzed_at - RECURRENCE_WINDOW,
            record.session_id,
        )

    def failure(self, exc: Exception, base_revision: int, reading_count: int) -> AnalysisFailure:
        """The failure of an analysis on the session's own data, counted; the caller stores it."""
        ANALYSIS_FAILURES.labels(cause=type(exc).__name__).inc()
        reason = str(exc) if isinstance(exc, InferenceRejected) else f"{type(exc).__name__}: {exc}"
        return AnalysisFailure(self.clock(), reason[:_MAX_REASON], base_revision, reading_count)

    def record_failure(self, tenant_id: str, session_id: str, exc: Exception) -> AnalysisFailure:
        """Remember that the session's analysis failed on what it shows now; shown in its detail."""
        heads, _ = self.store.heads(tenant_id, [session_id])
        current = heads.get(session_id)
        failure = self.failure(exc, current.base_revision if current else 0, current.reading_count if current else 0)
        self.store.record_analysis_failure(tenant_id, session_id, failure)
        return failure
