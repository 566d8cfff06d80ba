"""The whole dataflow in-process (in-memory inputs, fake inference, in-memory stores): one worker
and two workers store the same rows and announce the same events; a replay stores nothing twice."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest
from bytewax.connectors.kafka import KafkaSinkMessage, KafkaSourceMessage
from bytewax.testing import TestingSink, TestingSource, cluster_main, run_main

from evwatch.analysis import SessionAnalyser
from evwatch.contracts.meter_values import ApiSessionWrite, MeterValue
from evwatch.domain.bounds import Bounds
from evwatch.domain.ocpp import ENERGY, POWER
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import CREATE, REPLACE, SessionWrite, api_slot
from evwatch.domain.sessions import SessionRecord
from pipeline.flow import FlowIO, build_flow
from pipeline.incoming import Edge
from pipeline.sessions.ingest import SessionIngest
from pipeline.sessions.steps import SessionDeps
from pipeline.stations.processor import StationWindowConfig
from pipeline.stations.steps import StationDeps
from pipeline.tenants import KnownTenants
from tests.fakes.inference import FakeCsar2, FakeShade
from tests.fakes.stores import InMemorySessionStore, InMemoryStationStore

T0 = datetime(2026, 3, 2, tzinfo=UTC)
Raw = KafkaSourceMessage[bytes | None, bytes | None]
Out = KafkaSinkMessage[bytes | None, bytes | None]


def _reading(minute: int, kwh: float, measurand: str = ENERGY) -> dict[str, Any]:
    value = msgspec.to_builtins(MeterValue(timestamp=T0 + timedelta(minutes=minute), value=kwh, measurand=measurand))
    assert isinstance(value, dict)
    return value


def _session_messages(tenant: str, session: str, station: str, start: int, kwh: list[float]) -> list[dict[str, Any]]:
    """One message per reading pair, as a backend streaming a session would send it."""
    readings = [_reading(start + 5 * i, v) for i, v in enumerate(kwh)]
    readings += [_reading(start + 5 * i, 11.0, POWER) for i in range(len(kwh))]
    return [
        {
            "tenantId": tenant,
            "sessionId": session,
            "chargingStationId": station,
            "connectorId": "1",
            "metadata": {"maxPowerKw": 22},
            "meterValues": chunk,
        }
        for chunk in (readings[i : i + 2] for i in range(0, len(readings), 2))
    ]


def _inputs() -> tuple[list[Raw], list[Raw], list[Raw]]:
    bodies: list[bytes] = []
    for message in [
        *_session_messages("t1", "s-a", "ST-1", 600, [0.0, 0.9, 1.8, 2.7, 3.6, 4.5]),
        # The register steps down: the fake CSAR-2 flags KWH_DECREASE.
        *_session_messages("t1", "s-b", "ST-2", 620, [10.0, 10.9, 9.0, 9.9, 10.8]),
        *_session_messages("t2", "s-a", "ST-1", 640, [5.0, 5.9, 6.8, 7.7]),
        # Day 1 of ST-1 (tenant t1): closes day 0 for SHADE.
        *_session_messages("t1", "s-c", "ST-1", 1440 + 120, [4.5, 5.4, 6.3]),
    ]:
        bodies.append(msgspec.json.encode(message))
    bodies.insert(3, b"{not json")
    bodies.insert(7, b'{"tenantId":"t1","sessionId":"batch","chargingStationId":"ST-1"}')
    bodies.insert(9, b'{"tenantId":"ghost","sessionId":"x","chargingStationId":"ST-1"}')
    # Storage refuses this one (see `_Refusing`): it alone is dead-lettered, the flow goes on.
    bodies.insert(11, msgspec.json.encode(_session_messages("t1", "s-poison", "ST-1", 660, [1.0])[0]))
    meter_values = [Raw(key=None, value=b, topic="mv", partition=0, offset=i) for i, b in enumerate(bodies)]
    relayed = ApiSessionWrite(
        tenant_id="t1", session_id="s-api", charging_station_id="ST-3", op="create", write_id="api:x", revision=1
    )
    api_writes = [Raw(key=None, value=msgspec.json.encode(relayed), topic="aw", partition=0, offset=0)]
    statuses = [
        b'{"tenantId":"t1","chargingStationId":"ST-1","connectorId":1,"status":"Faulted",'
        b'"timestamp":"2026-03-03T05:00:00Z"}',
        b'{"tenantId":"t1","chargingStationId":"ST-1","connectorId":1,"status":"Available",'
        b'"timestamp":"2026-03-03T06:00:00Z"}',
        b'{"tenantId":"t1","chargingStationId":"ST-1","connectorId":1,"status":"Broken"}',
    ]
    station_status = [Raw(key=None, value=b, topic="ss", partition=0, offset=i) for i, b in enumerate(statuses)]
    return meter_values, api_writes, station_status


class _Refusing(InMemorySessionStore):
    """Storage that refuses the readings of one session, as ClickHouse refuses a value it cannot take."""

    def insert_writes(self, writes: Sequence[SessionWrite], claim: str | None = None) -> None:
        if any(w.session.session_id == "s-poison" for w in writes):
            raise ValueError("cannot store s-poison")
        super().insert_writes(writes, claim)


def _api_stored_session(store: InMemorySessionStore) -> None:
    """The API stored `s-api` (and analysed it) before the relay handed the write to the stream."""
    session = SessionRecord("t1", "s-api", "ST-3", "1", None, "active", {}, T0, T0)
    readings = tuple(StoredReading(T0 + timedelta(minutes=m), ENERGY, "kWh", m / 10) for m in range(0, 30, 5))
    store.insert_writes([SessionWrite(session, "api:x", api_slot(1), 1, CREATE, T0, readings)])


@dataclass
class Outcome:
    sessions: InMemorySessionStore
    stations: InMemoryStationStore
    dead: list[tuple[str, int, str]]
    events: list[tuple[bytes | None, bytes | None]]


def _run(workers: int, sessions: InMemorySessionStore | None = None) -> Outcome:
    if sessions is None:
        sessions = _Refusing()
        _api_stored_session(sessions)
    stations = InMemoryStationStore()
    ticks = itertools.count()
    # Ingest stamps arrival with a clock that moves, so arrival order survives across micro-batches.
    ingest_clock = lambda: T0 + timedelta(milliseconds=next(ticks))  # noqa: E731
    stop = threading.Event()
    meter_values, api_writes, station_status = _inputs()
    dead: list[Out] = []
    events: list[Out] = []
    io = FlowIO(
        TestingSource(meter_values),
        TestingSource(api_writes),
        TestingSource(station_status),
        TestingSink(dead),
        TestingSink(events),
    )
    edge = Edge(
        Bounds(), lambda: (T0 + timedelta(days=2)).timestamp(), KnownTenants(lambda ids: ids & {"t1", "t2"}), stop
    )
    flow = build_flow(
        io,
        edge,
        SessionDeps(
            ingest=SessionIngest(sessions, Bounds(), stop, clock=ingest_clock),
            analyser=SessionAnalyser(sessions, FakeCsar2(), clock=lambda: T0),
            debounce=timedelta(hours=1),
            stop=stop,
        ),
        StationDeps(
            store=stations,
            infer=FakeShade(),
            threshold=0.5,
            windows=StationWindowConfig(settle_s=0, min_partial_minutes=10**9),
            clock=lambda: T0.timestamp(),
            stop=stop,
        ),
    )
    if workers == 1:
        run_main(flow)
    else:
        cluster_main(flow, [], 0, worker_count_per_proc=workers)
    return Outcome(
        sessions,
        stations,
        sorted(
            (
                dict(d.headers or [])["evwatch-source-topic"].decode(),
                int(dict(d.headers or [])["evwatch-source-offset"]),
                dict(d.headers or [])["evwatch-step"].decode(),
            )
            for d in dead
        ),
        sorted((e.key, e.value) for e in events),
    )


@pytest.fixture(scope="module")
def one_worker() -> Outcome:
    return _run(1)


def test_backend_sessions_are_stored_and_analysed(one_worker: Outcome) -> None:
    store = one_worker.sessions
    assert sorted(store.sessions) == [("t1", "s-a"), ("t1", "s-api"), ("t1", "s-b"), ("t1", "s-c"), ("t2", "s-a")]
    assert len(store.load_readings("t1", ["s-a"])["s-a"]) == 12
    latest = store.current_analyses("t1", ["s-a", "s-b", "s-api"])
    assert set(latest) == {"s-a", "s-b"}  # s-api is the API's to analyse, not the dataflow's
    assert [a.category for a in latest["s-b"].anomalies] == ["KWH_DECREASE"]
    assert not latest["s-a"].anomalies
    # Tenants never mix: t2's s-a has its own readings.
    assert len(store.load_readings("t2", ["s-a"])["s-a"]) == 8


def test_bad_messages_are_dead_lettered_by_the_step_that_refused_them(one_worker: Outcome) -> None:
    assert one_worker.dead == [
        ("mv", 3, "parse"),  # not JSON
        ("mv", 7, "parse"),  # the reserved session id
        ("mv", 9, "check_tenants"),  # no such tenant
        ("mv", 11, "store_readings"),  # storage refused it
        ("ss", 2, "station_status_parse"),  # not an OCPP status
    ]


def test_station_rows_and_the_closed_day(one_worker: Outcome) -> None:
    stations = one_worker.stations
    assert set(stations.stations) == {("t1", "ST-1"), ("t1", "ST-2"), ("t2", "ST-1"), ("t1", "ST-3")}
    assert [(r.connector_id, r.status) for r in stations.statuses.values()] == [("1", "Faulted"), ("1", "Available")]
    assert [(r.tenant_id, r.charging_station_id, r.day_start) for r in stations.inferences.values()] == [
        ("t1", "ST-1", T0)
    ]


def test_events_announce_each_analysis(one_worker: Outcome) -> None:
    analysed = [msgspec.json.decode(value or b"") for _, value in one_worker.events]
    assert sorted((e["tenantId"], e["sessionId"]) for e in analysed) == [
        ("t1", "s-a"),
        ("t1", "s-b"),
        ("t1", "s-c"),
        ("t2", "s-a"),
    ]


def _shown(store: InMemorySessionStore) -> dict[tuple[str, str], list[StoredReading]]:
    return {key: store.load_readings(*key[:1], [key[1]])[key[1]] for key in store.sessions}


def test_events_carry_the_inference_id_as_their_event_id(one_worker: Outcome) -> None:
    analysed = [msgspec.json.decode(value or b"") for _, value in one_worker.events]
    ids = {a.inference_id for a in one_worker.sessions.analyses.values()}
    assert {e["eventId"] for e in analysed} <= ids and len({e["eventId"] for e in analysed}) == len(analysed)


def test_two_workers_give_the_same_rows(one_worker: Outcome) -> None:
    two = _run(2)
    for name in ("sessions", "analyses"):
        assert getattr(two.sessions, name) == getattr(one_worker.sessions, name), name
    assert _shown(two.sessions) == _shown(one_worker.sessions)
    for name in ("stations", "minutes", "statuses", "inferences"):
        assert getattr(two.stations, name) == getattr(one_worker.stations, name), name
    assert two.dead == one_worker.dead
    assert two.events == one_worker.events


def test_a_replay_stores_nothing_twice_and_cannot_bring_back_replaced_readings() -> None:
    first = _run(1)
    store = first.sessions
    before = _shown(store)
    # The API replaces s-a of t1 (claiming the next revision), then the whole input is delivered again.
    head = store.heads("t1", ["s-a"])[0]["s-a"]
    replacement = tuple(StoredReading(T0 + timedelta(minutes=m), ENERGY, "kWh", m / 100) for m in (0, 5, 10))
    write = SessionWrite(
        head.session, "api:r", api_slot(head.revision + 1), head.revision + 1, REPLACE, T0, replacement
    )
    store.insert_writes([write])
    again = _run(1, store)
    after = _shown(store)
    assert after[("t1", "s-a")] == list(replacement)
    assert {k: v for k, v in after.items() if k != ("t1", "s-a")} == {
        k: v for k, v in before.items() if k != ("t1", "s-a")
    }
    # The replayed sessions are analysed again: the same readings give the same event ids.
    replayed = {msgspec.json.decode(v or b"")["eventId"] for _, v in again.events}
    original = {msgspec.json.decode(v or b"")["eventId"] for _, v in first.events}
    assert replayed - original == {store.current_analyses("t1", ["s-a"])["s-a"].inference_id}
