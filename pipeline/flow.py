"""The evwatch dataflow: two inputs, the session and the station steps, two outputs.

meter_values_in → parse ─┬─ dead letters ──────────────────────────────┐
                         └─ valid ─┬─ session steps ─┐                 ├─→ dead_letter_out
station_status_in ─────────────────┴─ station steps ─┴─ events → events_out
                                          └─ dead letters ─────────────┘

Sources and sinks come in through `FlowIO`, so tests run the same flow on in-memory inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaSinkMessage, KafkaSourceMessage
from bytewax.dataflow import Dataflow
from bytewax.inputs import Source
from bytewax.outputs import Sink

from pipeline.dead_letters import DeadLetter, dead_letter_message
from pipeline.incoming import IncomingMessage, parse_meter_values
from pipeline.sessions.steps import SessionDeps, add_session_steps
from pipeline.stations.steps import StationDeps, add_station_steps

RawMessage = KafkaSourceMessage[bytes | None, bytes | None]
OutMessage = KafkaSinkMessage[bytes | None, bytes | None]


@dataclass(frozen=True)
class FlowIO:
    """Where the flow reads and writes: Kafka in production (`pipeline.io.kafka_io`), lists in tests."""

    meter_values: Source[RawMessage]
    station_status: Source[RawMessage]
    dead_letters: Sink[OutMessage]
    events: Sink[OutMessage]


def _parse_batch(messages: list[RawMessage]) -> Iterable[IncomingMessage | DeadLetter]:
    return [parse_meter_values(m.topic or "", m.partition or 0, m.offset or 0, m.key, m.value) for m in messages]


def _dead(item: Any) -> DeadLetter | None:
    return item if isinstance(item, DeadLetter) else None


def _valid(item: Any) -> IncomingMessage | None:
    return item if isinstance(item, IncomingMessage) else None


def build_flow(io: FlowIO, sessions: SessionDeps, stations: StationDeps) -> Dataflow:
    """Assemble the dataflow."""
    flow = Dataflow("evwatch")
    raw = op.input("meter_values_in", flow, io.meter_values)
    parsed = op.flat_map_batch("parse", raw, _parse_batch)
    valid = op.filter_map("valid", parsed, _valid)
    station = add_station_steps(op.input("station_status_in", flow, io.station_status), valid, stations)
    session_events = add_session_steps(valid, sessions)

    dead = op.merge("dead_letters", op.filter_map("meter_values_dead", parsed, _dead), station.dead_letters)
    op.output("dead_letter_out", op.map("dead_letter_message", dead, dead_letter_message), io.dead_letters)
    events = station.events if session_events is None else op.merge("all_events", session_events, station.events)
    op.output("events_out", events, io.events)
    return flow
