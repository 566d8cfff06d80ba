"""Session steps of the dataflow: store what backends stream, debounce, analyse with CSAR-2, announce.

valid messages → store_readings (backend messages; the API stored its own writes)
    → key_by_session → debounce → analyse (CSAR-2 via Triton) → session.analyzed events

API writes whose analysis could not run are completed by the sweeper (`workers/analysis_sweeper.py`).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import timedelta

import bytewax.operators as op
import msgspec
from bytewax.connectors.kafka import KafkaSinkMessage
from bytewax.dataflow import Stream

from evwatch.analysis import SessionAnalyser
from evwatch.contracts.events import SessionAnalyzed
from evwatch.domain.sessions import AnalysisRecord
from evwatch.failures import isolate
from pipeline.dead_letters import DeadLetter
from pipeline.incoming import IncomingMessage
from pipeline.keys import entity_key, split_key
from pipeline.sessions.ingest import SessionIngest, Touched

EventMessage = KafkaSinkMessage[bytes | None, bytes | None]
ANALYSE_STEP = "analyse"


@dataclass(frozen=True)
class SessionDeps:
    """What the session steps need: where readings go, who analyses, how long to debounce."""

    ingest: SessionIngest
    # None: store readings only (ingest-only deployments, the no-inference benchmark).
    analyser: SessionAnalyser | None
    debounce: timedelta
    stop: threading.Event


@dataclass(frozen=True)
class SessionStreams:
    """What the session steps hand back to the flow for its sinks."""

    dead_letters: Stream[DeadLetter]
    events: Stream[EventMessage] | None


def _analyse(
    analyser: SessionAnalyser, stop: threading.Event, batch: list[tuple[str, list[Touched]]]
) -> list[AnalysisRecord]:
    """Analyse each debounced session: an outage is waited out, a session that fails on its own data
    gets the failure recorded on it (no retry until it changes) and the others go on."""
    by_tenant: dict[str, list[str]] = {}
    for key, _ in batch:
        tenant_id, session_id = split_key(key)
        by_tenant.setdefault(tenant_id, []).append(session_id)
    records: list[AnalysisRecord] = []
    for tenant_id, session_ids in by_tenant.items():
        records += isolate(
            ANALYSE_STEP,
            session_ids,
            functools.partial(analyser.analyse, tenant_id),
            functools.partial(_record, analyser, tenant_id),
            stop,
        )
    return records


def _record(analyser: SessionAnalyser, tenant_id: str, session_id: str, exc: Exception) -> list[AnalysisRecord]:
    analyser.record_failure(tenant_id, session_id, exc)
    return []


def event_message(record: AnalysisRecord) -> EventMessage:
    """The `session.analyzed` event of one analysis, keyed by tenant/session."""
    event = SessionAnalyzed(
        # The inference id is derived from the readings analysed: a replay announces the same event id.
        event_id=record.inference_id,
        tenant_id=record.tenant_id,
        session_id=record.session_id,
        charging_station_id=record.charging_station_id,
        is_anomaly=record.is_anomaly,
        anomaly_score=record.anomaly_score,
        categories=sorted({a.category for a in record.anomalies}),
        analyzed_at=record.analyzed_at,
    )
    return KafkaSinkMessage(key=f"{record.tenant_id}/{record.session_id}".encode(), value=msgspec.json.encode(event))


def _touched(item: Touched | DeadLetter) -> Touched | None:
    return None if isinstance(item, DeadLetter) else item


def _dead(item: Touched | DeadLetter) -> DeadLetter | None:
    return item if isinstance(item, DeadLetter) else None


def add_session_steps(valid: Stream[IncomingMessage], deps: SessionDeps) -> SessionStreams:
    """Attach the session steps to the stream of valid meter-values messages."""
    stored = op.flat_map_batch("store_readings", valid, deps.ingest)
    dead = op.filter_map("store_readings_dead", stored, _dead)
    touched = op.filter_map("store_readings_touched", stored, _touched)
    analyser = deps.analyser
    if analyser is None:
        return SessionStreams(dead, None)
    keyed = op.key_on("key_by_session", touched, lambda key: entity_key(*key))
    debounced = op.collect("debounce", keyed, timeout=deps.debounce, max_size=1_000_000)
    analysed = op.flat_map_batch("analyse", debounced, functools.partial(_analyse, analyser, deps.stop))
    return SessionStreams(dead, op.map("analysed_event", analysed, event_message))
