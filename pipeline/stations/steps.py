"""Station steps of the dataflow: station-status input, per-station windows, SHADE, writes.

valid meter values (backends and API) ─┐
station-status → parse ─┬─ valid ───────┴─ station_items → station_windows (stateful, per station)
                        └─ dead letters           → station_score (SHADE via Triton, one call per batch)
                                                  → station_write (ClickHouse) → station.anomaly_detected events
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaSourceMessage
from bytewax.dataflow import Stream

from evwatch.clock import Clock
from evwatch.inference import BatchInfer
from evwatch.storage.stations import StationWrites
from pipeline.dead_letters import DeadLetter
from pipeline.incoming import IncomingMessage
from pipeline.stations.inputs import StationInput, from_meter_values, parse_station_status
from pipeline.stations.processor import (
    StationOutput,
    StationProcessorState,
    StationWindowConfig,
    next_tick,
    on_input,
    on_tick,
)
from pipeline.stations.scoring import StationScorer
from pipeline.stations.writer import EventMessage, StationWriter

RawMessage = KafkaSourceMessage[bytes | None, bytes | None]


@dataclass(frozen=True)
class StationDeps:
    """What the station steps need: where rows go, how SHADE is called, when days close, the clock."""

    store: StationWrites
    infer: BatchInfer
    threshold: float
    windows: StationWindowConfig
    clock: Clock
    stop: threading.Event


@dataclass(frozen=True)
class StationStreams:
    """What the station steps hand back to the flow for its sinks."""

    dead_letters: Stream[DeadLetter]
    events: Stream[EventMessage]


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


def _now(clock: Clock) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def _dead(item: tuple[str, StationInput] | DeadLetter) -> DeadLetter | None:
    return item if isinstance(item, DeadLetter) else None


def _valid(item: tuple[str, StationInput] | DeadLetter) -> tuple[str, StationInput] | None:
    return None if isinstance(item, DeadLetter) else item


def add_station_steps(
    raw_status: Stream[RawMessage], valid: Stream[IncomingMessage], deps: StationDeps
) -> StationStreams:
    """Attach the station steps: status messages from `raw_status`, energy from the valid meter values."""

    def parse(msg: RawMessage) -> tuple[str, StationInput] | DeadLetter:
        return parse_station_status(
            msg.topic or "", msg.partition or 0, msg.offset or 0, msg.key, msg.value, _now(deps.clock)
        )

    parsed = op.map("station_status_parse", raw_status, parse)
    dead = op.filter_map("station_dead_letters", parsed, _dead)
    status_items = op.filter_map("station_status_items", parsed, _valid)
    meter_items = op.flat_map("station_meter_items", valid, lambda item: from_meter_values(item, _now(deps.clock)))
    items = op.merge("station_items", status_items, meter_items)
    outputs = op.stateful("station_windows", items, lambda resume: _StationLogic(resume, deps.windows, deps.clock))
    scored = op.flat_map_batch(
        "station_score", outputs, StationScorer(deps.infer, deps.threshold, deps.clock, deps.stop)
    )
    events = op.flat_map_batch("station_write", scored, StationWriter(deps.store, deps.clock))
    return StationStreams(dead, events)
