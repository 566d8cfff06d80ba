"""Station steps of the dataflow: station-status input, per-station windows, SHADE, writes.

valid meter values (backends and API) ────────────────────────┐
station-status → parse → check_tenants ─┬─ valid ─────────────┴─ station_items
                                        └─ dead letters          → station_windows (stateful, per station)
                                                                  → station_score (SHADE via Triton, one call per batch)
                                                                  → station_write (ClickHouse) → station.anomaly_detected
"""

from __future__ import annotations

import copy
import functools
import logging
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaSourceMessage
from bytewax.dataflow import Stream

from evwatch.clock import Clock
from evwatch.failures import STEP_FAILURES
from evwatch.inference import BatchInfer
from evwatch.storage.stations import StationWrites
from pipeline.dead_letters import PROCESSING, DeadLetter, Source
from pipeline.incoming import Edge, IncomingMessage, known_tenants_only
from pipeline.keys import split_key
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

log = logging.getLogger("evwatch.pipeline.stations")

RawMessage = KafkaSourceMessage[bytes | None, bytes | None]
Keyed = tuple[str, StationInput]
WINDOWS_STEP = "station_windows"


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


class _StationLogic(op.StatefulLogic[StationInput, StationOutput | DeadLetter, StationProcessorState]):
    """One station's windows inside Bytewax; state is snapshotted into recovery.

    A message whose processing raises becomes a dead letter instead of ending the flow (the state
    keeps what the message changed before it raised); a tick that raises is logged and tried again
    at the next tick.
    """

    def __init__(self, resume: StationProcessorState | None, cfg: StationWindowConfig, clock: Clock) -> None:
        self.state = resume if resume is not None else StationProcessorState()
        self.cfg = cfg
        self.clock = clock

    def on_item(self, value: StationInput) -> tuple[Iterable[StationOutput | DeadLetter], bool]:
        try:
            return on_input(self.state, value, self.clock(), self.cfg), op.StatefulLogic.RETAIN
        except Exception as exc:
            STEP_FAILURES.labels(step=WINDOWS_STEP, cause=type(exc).__name__).inc()
            log.warning("%s: could not fold a message in: %r", WINDOWS_STEP, exc, exc_info=exc)
            return [value.source.refused(WINDOWS_STEP, PROCESSING, f"{type(exc).__name__}: {exc}")], True

    def on_notify(self) -> tuple[Iterable[StationOutput | DeadLetter], bool]:
        try:
            return on_tick(self.state, self.clock(), self.cfg), op.StatefulLogic.RETAIN
        except Exception as exc:
            STEP_FAILURES.labels(step=WINDOWS_STEP, cause=type(exc).__name__).inc()
            log.exception("%s: a tick failed; trying again at the next one", WINDOWS_STEP)
            return [], op.StatefulLogic.RETAIN

    def notify_at(self) -> datetime | None:
        return next_tick(self.state, self.clock(), self.cfg)

    def snapshot(self) -> StationProcessorState:
        return copy.deepcopy(self.state)


def _parse(edge: Edge, batch: Sequence[RawMessage]) -> list[Keyed | DeadLetter]:
    now = edge.now()
    return [parse_station_status(Source.of(m), edge.bounds, now) for m in batch]


def _meter_items(deps: StationDeps, item: IncomingMessage) -> list[Keyed | DeadLetter]:
    try:
        return list(from_meter_values(item, datetime.fromtimestamp(deps.clock(), UTC)))
    except Exception as exc:
        return [item.source.refused("station_meter_items", PROCESSING, f"{type(exc).__name__}: {exc}")]


def _dead(item: object) -> DeadLetter | None:
    return item if isinstance(item, DeadLetter) else None


def _keyed(item: Keyed | DeadLetter) -> Keyed | None:
    return None if isinstance(item, DeadLetter) else item


def _output(item: tuple[str, StationOutput | DeadLetter]) -> tuple[str, StationOutput] | None:
    key, out = item
    return None if isinstance(out, DeadLetter) else (key, out)


def _windows_dead(item: tuple[str, StationOutput | DeadLetter]) -> DeadLetter | None:
    return item[1] if isinstance(item[1], DeadLetter) else None


def add_station_steps(
    raw_status: Stream[RawMessage], valid: Stream[IncomingMessage], edge: Edge, deps: StationDeps
) -> StationStreams:
    """Attach the station steps: status messages from `raw_status`, energy from the valid meter values."""
    parsed = op.flat_map_batch("station_status_parse", raw_status, functools.partial(_parse, edge))
    checked = op.flat_map_batch(
        "station_check_tenants",
        parsed,
        known_tenants_only(edge, lambda item: split_key(item[0])[0], lambda item: item[1].source),
    )
    meter = op.flat_map("station_meter_items", valid, functools.partial(_meter_items, deps))
    items = op.merge(
        "station_items",
        op.filter_map("station_status_items", checked, _keyed),
        op.filter_map("station_meter_valid", meter, _keyed),
    )
    outputs = op.stateful(WINDOWS_STEP, items, lambda resume: _StationLogic(resume, deps.windows, deps.clock))
    scorer = StationScorer(deps.infer, deps.threshold, deps.clock, deps.stop)
    scored = op.flat_map_batch("station_score", op.filter_map("station_outputs", outputs, _output), scorer)
    events = op.flat_map_batch("station_write", scored, StationWriter(deps.store, deps.clock, deps.stop))
    dead = op.merge(
        "station_dead_letters",
        op.filter_map("station_status_dead", checked, _dead),
        op.filter_map("station_meter_dead", meter, _dead),
        op.filter_map("station_windows_dead", outputs, _windows_dead),
    )
    return StationStreams(dead, events)
