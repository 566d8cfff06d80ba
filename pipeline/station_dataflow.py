"""Station steps of the dataflow: station-status input, per-station windows, SHADE through Triton, writes.

meter values (valid, API + backends) ─┐
station-status → parse ─┬─ valid ─────┴─ merge → key by station → station_windows (stateful)
                        └─ dead letters → evwatch.dead-letter            │
                                                    station_write (ClickHouse, SHADE via Triton)
                                                                         └→ station.anomaly_detected → evwatch.events
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import bytewax.operators as op
import msgspec
from bytewax.connectors.kafka import KafkaSink, KafkaSinkMessage, KafkaSource, KafkaSourceMessage
from bytewax.dataflow import Dataflow, Stream
from clickhouse_connect.driver.client import Client
from confluent_kafka import OFFSET_BEGINNING

from evwatch.config import Settings
from evwatch.domain.stations import ConnectorInfo, MinuteEnergyRow, StationInferenceRow, StationRecord, StatusRow
from evwatch.inference.triton import TritonModel
from evwatch.session_service import IncomingMessage
from evwatch.storage import stations as store
from models.shade.export import MAX_BATCH_SIZE
from models.shade.metadata import threshold
from models.shade.schema import MODEL_NAME, OUTPUT_SHAPES
from pipeline.dead_letter import DEAD_LETTERS, DeadLetter
from pipeline.inference_retry import until_available
from pipeline.kafka_source import StoppableKafkaSource
from pipeline.station_inputs import StationInput, from_meter_values, parse_station_status, split_key
from pipeline.station_processor import (
    EnergyChanged,
    MetadataChanged,
    ScoreDay,
    StationOutput,
    StationProcessorState,
    StationSeen,
    StationWindowConfig,
    StatusChanged,
    next_tick,
    on_input,
    on_tick,
)
from pipeline.station_scoring import Infer, ScoreRequest, score_days
from pipeline.station_windows import station_record_id

log = logging.getLogger("evwatch.pipeline.stations")

Clock = Callable[[], float]
Writer = Callable[[list[tuple[str, StationOutput]]], list[KafkaSinkMessage[bytes | None, bytes | None]]]


def window_config(settings: Settings) -> StationWindowConfig:
    """Station window knobs from `PipelineSettings.station_*`."""
    p = settings.pipeline
    return StationWindowConfig(
        close_after_s=p.station_close_after_s,
        partial_interval_s=p.station_partial_interval_s,
        quiet_s=p.station_quiet_s,
        grace_s=p.station_grace_s,
        settle_s=p.station_settle_s,
        tick_s=p.station_tick_s,
    )


def shade_model(settings: Settings) -> TritonModel:
    """The Triton client for SHADE."""
    return TritonModel(
        settings.triton.grpc_url, MODEL_NAME, list(OUTPUT_SHAPES), MAX_BATCH_SIZE, settings.triton.request_timeout_s
    )


class _StationLogic(op.StatefulLogic[StationInput, StationOutput, StationProcessorState]):
    """One station's windows inside Bytewax; state is snapshotted into recovery."""

    def __init__(self, resume: StationProcessorState | None, cfg: StationWindowConfig, clock: Clock) -> None:
        self.state = resume if resume is not None else StationProcessorState()
        self.cfg = cfg
        self.clock = clock

    def on_item(self, value: StationInput) -> tuple[Iterable[StationOutput], bool]:
        return on_input(self.state, value, self.clock(), self.cfg), op.StatefulLogic.RETAIN

    def on_notify(self) -> tuple[Iterable[StationOutput], bool]:
        return on_tick(self.state, self.clock(), self.cfg), op.StatefulLogic.RETAIN

    def notify_at(self) -> datetime | None:
        return next_tick(self.state, self.clock(), self.cfg)

    def snapshot(self) -> StationProcessorState:
        return copy.deepcopy(self.state)


class StationAnomalyEvent(msgspec.Struct, rename="camel", kw_only=True):
    """`station.anomaly_detected` on `evwatch.events`."""

    type: str
    tenant_id: str
    charging_station_id: str
    inference_id: str
    anomaly_type: str | None
    day_score: float
    is_partial: bool
    affected_period: str
    analyzed_at: str


class StationWriter:
    """Stores what the station windows emit and scores station-days in one Triton call per batch."""

    def __init__(
        self,
        client: Client,
        infer: Infer,
        day_threshold: float,
        clock: Clock = time.time,
        stop: threading.Event | None = None,
    ) -> None:
        self.client = client
        self.stop = stop or threading.Event()
        self.infer = infer
        self.threshold = day_threshold
        self.clock = clock

    def _stations(self, batch: list[tuple[str, StationOutput]], now: datetime) -> None:
        records: dict[tuple[str, str], tuple[StationRecord, int]] = {}
        for key, out in batch:
            tenant_id, station_id = split_key(key)
            if isinstance(out, StationSeen):
                record = StationRecord(
                    tenant_id,
                    station_id,
                    station_record_id(tenant_id, station_id),
                    station_id,
                    first_seen_at=out.first_seen,
                    updated_at=now,
                )
                records.setdefault((tenant_id, station_id), (record, 0))
            elif isinstance(out, MetadataChanged):
                m = out.metadata
                record = StationRecord(
                    tenant_id,
                    station_id,
                    station_record_id(tenant_id, station_id),
                    m.ocpp_charging_station_id or station_id,
                    time_zone=m.time_zone,
                    address=m.address,
                    operator=m.operator,
                    tariff_per_kwh=m.tariff_per_kwh,
                    currency=m.currency,
                    connectors=tuple(ConnectorInfo(c.connector, c.max_power_kw, c.current_type) for c in m.connectors),
                    metadata=dict(m.metadata or {}),
                    has_metadata=True,
                    first_seen_at=out.first_seen,
                    updated_at=now,
                )
                # Newest description wins; a first-sight row (version 0) never does.
                version = int((m.timestamp or out.received_at).timestamp() * 1e9)
                records[(tenant_id, station_id)] = (record, version)
        if records:
            store.upsert_stations(self.client, [r for r, _ in records.values()], [v for _, v in records.values()])

    def _energy_and_status(self, batch: list[tuple[str, StationOutput]], now: datetime) -> None:
        minutes: dict[tuple[str, str, str, datetime], MinuteEnergyRow] = {}
        statuses: list[StatusRow] = []
        for key, out in batch:
            tenant_id, station_id = split_key(key)
            if isinstance(out, EnergyChanged):
                for r in out.rows:  # later values of a minute replace earlier ones
                    minutes[(tenant_id, station_id, r.connector_id, r.minute)] = MinuteEnergyRow(
                        tenant_id, station_id, r.connector_id, r.minute, r.energy_kwh, r.session_active
                    )
            elif isinstance(out, StatusChanged):
                statuses.append(
                    StatusRow(
                        tenant_id,
                        station_id,
                        out.event.connector_id,
                        out.event.timestamp,
                        out.event.status,
                        out.event.error_code,
                        out.info,
                        out.source_key,
                    )
                )
        store.insert_minute_energy(self.client, list(minutes.values()))
        store.insert_status_rows(self.client, statuses, now)

    def _score(self, batch: list[tuple[str, StationOutput]], now: datetime) -> list[StationInferenceRow]:
        requests: dict[tuple[str, str, int], ScoreRequest] = {}
        for key, out in batch:
            if isinstance(out, ScoreDay):
                tenant_id, station_id = split_key(key)
                requests[(tenant_id, station_id, out.day.day_start)] = ScoreRequest(tenant_id, station_id, out)
        if not requests:
            return []
        rows = until_available(
            lambda: score_days(list(requests.values()), self.infer, self.threshold, now),
            self.stop,
            f"{len(requests)} station-days",
        )
        store.insert_station_inferences(self.client, rows)
        return rows

    def __call__(self, batch: list[tuple[str, StationOutput]]) -> list[KafkaSinkMessage[bytes | None, bytes | None]]:
        """Write one micro-batch; returns `station.anomaly_detected` events."""
        now = datetime.fromtimestamp(self.clock(), UTC)
        self._stations(batch, now)
        self._energy_and_status(batch, now)
        events: list[KafkaSinkMessage[bytes | None, bytes | None]] = []
        for row in self._score(batch, now):
            if not row.is_anomaly:
                continue
            event = StationAnomalyEvent(
                type="station.anomaly_detected",
                tenant_id=row.tenant_id,
                charging_station_id=row.charging_station_id,
                inference_id=row.inference_id,
                anomaly_type=row.anomaly_type,
                day_score=row.day_score,
                is_partial=row.is_partial,
                affected_period=row.local_date.isoformat(),
                analyzed_at=row.analyzed_at.isoformat(),
            )
            key = f"{row.tenant_id}/{row.charging_station_id}".encode()
            events.append(KafkaSinkMessage(key=key, value=msgspec.json.encode(event)))
        return events


def _parse_status(msg: KafkaSourceMessage[bytes | None, bytes | None]) -> Any:
    return parse_station_status(msg.topic or "", msg.partition or 0, msg.offset or 0, msg.key, msg.value)


def _dead_letter_message(dead: DeadLetter) -> KafkaSinkMessage[bytes | None, bytes | None]:
    DEAD_LETTERS.labels(topic=dead.topic, reason=dead.kind).inc()
    log.warning("dead-lettered %s[%d]@%d: %s", dead.topic, dead.partition, dead.offset, dead.reason)
    return KafkaSinkMessage(key=dead.key, value=dead.value, headers=dead.headers())


def station_core(
    raw_status: Stream[KafkaSourceMessage[bytes | None, bytes | None]],
    valid: Stream[IncomingMessage],
    writer: Writer,
    cfg: StationWindowConfig,
    clock: Clock = time.time,
) -> tuple[Stream[DeadLetter], Stream[KafkaSinkMessage[bytes | None, bytes | None]]]:
    """The station steps between the inputs and the sinks: (dead letters, station events)."""
    parsed = op.map("station_status_parse", raw_status, _parse_status)
    dead = op.filter_map("station_dead_letters", parsed, lambda x: x if isinstance(x, DeadLetter) else None)
    status_items = op.filter_map("station_status_items", parsed, lambda x: None if isinstance(x, DeadLetter) else x)
    meter_items = op.flat_map("station_meter_items", valid, from_meter_values)
    items = op.merge("station_items", status_items, meter_items)
    outputs = op.stateful("station_windows", items, lambda resume: _StationLogic(resume, cfg, clock))
    events = op.flat_map_batch("station_write", outputs, writer)
    return dead, events


def add_station_steps(
    flow: Dataflow, valid: Stream[IncomingMessage], deps: Any, infer: Infer | None = None, clock: Clock = time.time
) -> None:
    """Attach the station steps to `flow`; `valid` is the stream of validated meter-values messages.

    `deps` is the flow's PipelineDeps (settings, sessions service with its ClickHouse client, stop
    event). `infer` replaces Triton (tests); `clock` replaces the wall clock (tests).
    """
    settings: Settings = deps.settings
    kafka = settings.kafka
    brokers = [kafka.bootstrap_servers]
    source = StoppableKafkaSource(
        KafkaSource(
            brokers,
            [kafka.topics.station_status],
            tail=True,
            starting_offset=OFFSET_BEGINNING,
            batch_size=settings.pipeline.batch_size,
        ),
        deps.stop,
    )
    raw = op.input("station_status_in", flow, source)
    writer = StationWriter(deps.sessions.client, infer or shade_model(settings), threshold(), clock, deps.stop)
    dead, events = station_core(raw, valid, writer, window_config(settings), clock)
    op.output(
        "station_dead_letter_out",
        op.map("station_dead_letter_message", dead, _dead_letter_message),
        KafkaSink(brokers, kafka.topics.dead_letter),
    )
    op.output("station_events_out", events, KafkaSink(brokers, kafka.topics.events))
