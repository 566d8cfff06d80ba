"""Session steps of the dataflow: store what backends stream, debounce, analyse with CSAR-2, announce.

valid messages ─┬─ store_readings (backend messages; the API stored its own) ─┐
                └─ deferred_by_api (API writes whose analysis is pending) ─────┴─ sessions_to_analyse
    → key_by_session → debounce → analyse (CSAR-2 via Triton) → session.analyzed events
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
from evwatch.contracts.meter_values import ApiSessionWrite
from evwatch.domain.sessions import AnalysisRecord
from pipeline.incoming import IncomingMessage
from pipeline.keys import entity_key, split_key
from pipeline.retry import until_available
from pipeline.sessions.ingest import SessionIngest

EventMessage = KafkaSinkMessage[bytes | None, bytes | None]


@dataclass(frozen=True)
class SessionDeps:
    """What the session steps need: where readings go, who analyses, how long to debounce."""

    ingest: SessionIngest
    # None: store readings only (ingest-only deployments, the no-inference benchmark).
    analyser: SessionAnalyser | None
    debounce: timedelta
    stop: threading.Event


def _pending_analysis(item: IncomingMessage) -> tuple[str, str] | None:
    """The API stored these readings but could not reach Triton: the flow analyses them."""
    msg = item.message
    if isinstance(msg, ApiSessionWrite) and msg.analysis_pending:
        return (msg.tenant_id, msg.session_id)
    return None


def _analyse(
    analyser: SessionAnalyser, stop: threading.Event, batch: list[tuple[str, list[tuple[str, str]]]]
) -> list[AnalysisRecord]:
    """Analyse each debounced session; while Triton is unreachable, wait and retry instead of dropping work."""
    by_tenant: dict[str, list[str]] = {}
    for key, _ in batch:
        tenant_id, session_id = split_key(key)
        by_tenant.setdefault(tenant_id, []).append(session_id)
    records: list[AnalysisRecord] = []
    for tenant_id, session_ids in by_tenant.items():
        run = functools.partial(analyser.analyse, tenant_id, session_ids)
        records.extend(until_available(run, stop, f"{len(session_ids)} sessions"))
    return records


def event_message(record: AnalysisRecord) -> EventMessage:
    """The `session.analyzed` event of one analysis, keyed by tenant/session."""
    event = SessionAnalyzed(
        tenant_id=record.tenant_id,
        session_id=record.session_id,
        charging_station_id=record.charging_station_id,
        is_anomaly=record.is_anomaly,
        anomaly_score=record.anomaly_score,
        categories=sorted({a.category for a in record.anomalies}),
        analyzed_at=record.analyzed_at,
    )
    return KafkaSinkMessage(key=f"{record.tenant_id}/{record.session_id}".encode(), value=msgspec.json.encode(event))


def add_session_steps(valid: Stream[IncomingMessage], deps: SessionDeps) -> Stream[EventMessage] | None:
    """Attach the session steps to the stream of valid meter-values messages; returns the events."""
    touched = op.flat_map_batch("store_readings", valid, deps.ingest)
    analyser = deps.analyser
    if analyser is None:
        return None
    deferred = op.filter_map("deferred_by_api", valid, _pending_analysis)
    to_analyse = op.merge("sessions_to_analyse", touched, deferred)
    keyed = op.key_on("key_by_session", to_analyse, lambda key: entity_key(*key))
    debounced = op.collect("debounce", keyed, timeout=deps.debounce, max_size=1_000_000)
    analysed = op.flat_map_batch("analyse", debounced, functools.partial(_analyse, analyser, deps.stop))
    return op.map("analysed_event", analysed, event_message)
