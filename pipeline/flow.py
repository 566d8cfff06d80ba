"""The evwatch dataflow: three inputs, the edge, the session and the station steps, two outputs.

meter_values_in (public) → parse → check_tenants ─┐
api_writes_in (internal) → parse_api_writes ──────┴─ valid ─┬─ session steps ─┐
station_status_in ──────────────────────────────────────────┴─ station steps ─┴─ events → events_out
every refused message, whichever step refused it ──────────────────────────────→ dead_letter_out

Sources and sinks come in through `FlowIO`, so tests run the same flow on in-memory inputs.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import bytewax.operators as op
from bytewax.connectors.kafka import KafkaSinkMessage, KafkaSourceMessage
from bytewax.dataflow import Dataflow, Stream
from bytewax.inputs import Source as BytewaxSource
from bytewax.outputs import Sink

from pipeline.dead_letters import DeadLetter, Source, dead_letter_message
from pipeline.incoming import Edge, IncomingMessage, known_tenants_only, parse_internal, parse_public
from pipeline.sessions.steps import SessionDeps, add_session_steps
from pipeline.stations.steps import StationDeps, add_station_steps

RawMessage = KafkaSourceMessage[bytes | None, bytes | None]
OutMessage = KafkaSinkMessage[bytes | None, bytes | None]
Parsed = IncomingMessage | DeadLetter


@dataclass(frozen=True)
class FlowIO:
    """Where the flow reads and writes: Kafka in production (`pipeline.io.kafka_io`), lists in tests."""

    meter_values: BytewaxSource[RawMessage]
    api_writes: BytewaxSource[RawMessage]
    station_status: BytewaxSource[RawMessage]
    dead_letters: Sink[OutMessage]
    events: Sink[OutMessage]


def _sources(batch: Sequence[RawMessage]) -> list[Source]:
    return [Source.of(m) for m in batch]


def _public(edge: Edge, batch: list[RawMessage]) -> list[Parsed]:
    return parse_public(edge, _sources(batch))


def _internal(edge: Edge, batch: list[RawMessage]) -> list[Parsed]:
    return parse_internal(edge, _sources(batch))


def _dead(item: Parsed) -> DeadLetter | None:
    return item if isinstance(item, DeadLetter) else None


def _valid(item: Parsed) -> IncomingMessage | None:
    return item if isinstance(item, IncomingMessage) else None


def _edge(flow: Dataflow, io: FlowIO, edge: Edge) -> Stream[Parsed]:
    public = op.flat_map_batch(
        "parse", op.input("meter_values_in", flow, io.meter_values), functools.partial(_public, edge)
    )
    checked = op.flat_map_batch(
        "check_tenants",
        public,
        known_tenants_only(edge, lambda item: item.message.tenant_id, lambda item: item.source),
    )
    internal = op.flat_map_batch(
        "parse_api_writes", op.input("api_writes_in", flow, io.api_writes), functools.partial(_internal, edge)
    )
    return op.merge("meter_values", checked, internal)


def build_flow(io: FlowIO, edge: Edge, sessions: SessionDeps, stations: StationDeps) -> Dataflow:
    """Assemble the dataflow."""
    flow = Dataflow("evwatch")
    parsed = _edge(flow, io, edge)
    valid = op.filter_map("valid", parsed, _valid)
    station = add_station_steps(op.input("station_status_in", flow, io.station_status), valid, edge, stations)
    session = add_session_steps(valid, sessions)

    dead = op.merge(
        "dead_letters", op.filter_map("meter_values_dead", parsed, _dead), station.dead_letters, session.dead_letters
    )
    op.output("dead_letter_out", op.map("dead_letter_message", dead, dead_letter_message), io.dead_letters)
    events = station.events if session.events is None else op.merge("all_events", session.events, station.events)
    op.output("events_out", events, io.events)
    return flow
