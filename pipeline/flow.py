"""The evwatch dataflow: meter values from Kafka → validate → store → debounce → CSAR-2 → store.

meter_values_in → parse ─┬─ dead letters → dead_letter_out (evwatch.dead-letter)
                         └─ valid ─┬─ (API-originated: already stored and analysed by the API)
                                   │                                   └→ station steps (pipeline/station_dataflow.py)
                                   └─ store_readings → key_by_session → debounce → analyse → events_out
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

import bytewax.operators as op
import msgspec
from bytewax.connectors.kafka import KafkaSink, KafkaSinkMessage, KafkaSource, KafkaSourceMessage
from bytewax.dataflow import Dataflow
from confluent_kafka import OFFSET_BEGINNING

from evwatch.config import Settings
from evwatch.domain.sessions import AnalysisRecord
from evwatch.session_service import IncomingMessage, SessionService
from pipeline.dead_letter import DEAD_LETTERS, DeadLetter
from pipeline.inference_retry import until_available
from pipeline.kafka_source import StoppableKafkaSource
from pipeline.meter_values import parse
from pipeline.station_dataflow import add_station_steps

log = logging.getLogger("evwatch.pipeline")

_KEY_SEP = "\x1f"


@dataclass(frozen=True, slots=True)
class PipelineDeps:
    """What the dataflow needs from outside: settings, the session service, a stop signal."""

    settings: Settings
    sessions: SessionService
    stop: threading.Event


class AnalysedEvent(msgspec.Struct, rename="camel", kw_only=True):
    """`session.analyzed` event on `evwatch.events`."""

    type: str
    tenant_id: str
    session_id: str
    charging_station_id: str
    is_anomaly: bool
    anomaly_score: float
    categories: list[str]
    analyzed_at: str


def _parse_batch(
    messages: list[KafkaSourceMessage[bytes | None, bytes | None]],
) -> Iterable[IncomingMessage | DeadLetter]:
    return [parse(m.topic or "", m.partition or 0, m.offset or 0, m.key, m.value) for m in messages]


def _to_dead_letter_message(dead: DeadLetter) -> KafkaSinkMessage[bytes | None, bytes | None]:
    DEAD_LETTERS.labels(topic=dead.topic, reason=dead.kind).inc()
    log.warning("dead-lettered %s[%d]@%d: %s", dead.topic, dead.partition, dead.offset, dead.reason)
    return KafkaSinkMessage(key=dead.key, value=dead.value, headers=dead.headers())


def _event_message(record: AnalysisRecord) -> KafkaSinkMessage[bytes | None, bytes | None]:
    event = AnalysedEvent(
        type="session.analyzed",
        tenant_id=record.tenant_id,
        session_id=record.session_id,
        charging_station_id=record.charging_station_id,
        is_anomaly=record.is_anomaly,
        anomaly_score=record.anomaly_score,
        categories=sorted({a.category for a in record.anomalies}),
        analyzed_at=record.analyzed_at.isoformat(),
    )
    key = f"{record.tenant_id}/{record.session_id}".encode()
    return KafkaSinkMessage(key=key, value=msgspec.json.encode(event))


def build_flow(deps: PipelineDeps) -> Dataflow:
    """Assemble the dataflow over the configured topics."""
    settings = deps.settings
    kafka = settings.kafka
    brokers = [kafka.bootstrap_servers]
    flow = Dataflow("evwatch")

    source = StoppableKafkaSource(
        KafkaSource(
            brokers,
            [kafka.topics.meter_values],
            tail=True,
            starting_offset=OFFSET_BEGINNING,
            batch_size=settings.pipeline.batch_size,
        ),
        deps.stop,
    )
    raw = op.input("meter_values_in", flow, source)
    parsed = op.flat_map_batch("parse", raw, _parse_batch)
    dead = op.filter_map("dead_letters", parsed, lambda item: item if isinstance(item, DeadLetter) else None)
    op.output(
        "dead_letter_out",
        op.map("dead_letter_message", dead, _to_dead_letter_message),
        KafkaSink(brokers, kafka.topics.dead_letter),
    )

    valid = op.filter_map("valid", parsed, lambda item: item if isinstance(item, IncomingMessage) else None)
    add_station_steps(flow, valid, deps)

    # The API stores and analyses what it accepts before it republishes it here.
    from_backends = op.filter("from_backends", valid, lambda item: item.message.op is None)
    touched = op.flat_map_batch("store_readings", from_backends, deps.sessions.ingest)
    if not settings.pipeline.analysis_enabled:
        return flow
    deferred = op.filter_map(
        "deferred_by_api",
        valid,
        lambda item: (item.message.tenant_id, item.message.session_id) if item.message.analysis_pending else None,
    )
    to_analyse = op.merge("sessions_to_analyse", touched, deferred)
    keyed = op.key_on("key_by_session", to_analyse, lambda key: f"{key[0]}{_KEY_SEP}{key[1]}")
    debounced = op.collect(
        "debounce", keyed, timeout=timedelta(seconds=settings.pipeline.analysis_debounce_s), max_size=1_000_000
    )
    analysed = op.flat_map_batch("analyse", debounced, lambda batch: _analyse(deps, batch))
    events = op.map("analysed_event", analysed, _event_message)
    op.output("events_out", events, KafkaSink(brokers, kafka.topics.events))
    return flow


def _analyse(deps: PipelineDeps, batch: list[tuple[str, list[tuple[str, str]]]]) -> list[AnalysisRecord]:
    """Analyse each debounced session; while Triton is unreachable, wait and retry instead of dropping work."""
    by_tenant: dict[str, list[str]] = {}
    for key, _ in batch:
        tenant_id, session_id = key.split(_KEY_SEP, 1)
        by_tenant.setdefault(tenant_id, []).append(session_id)
    records: list[AnalysisRecord] = []
    for tenant_id, session_ids in by_tenant.items():
        analyse = functools.partial(deps.sessions.analyse_sessions, tenant_id, session_ids)
        records.extend(until_available(analyse, deps.stop, f"{len(session_ids)} sessions"))
    return records
