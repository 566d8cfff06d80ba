"""Property: one pass of the whole dataflow over any mix of good, hostile and random messages ends
normally, stores every good message and dead-letters every other one, once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from bytewax.connectors.kafka import KafkaSinkMessage, KafkaSourceMessage
from bytewax.testing import TestingSink, TestingSource, run_main
from hypothesis import given, settings
from hypothesis import strategies as st

from evwatch.analysis import SessionAnalyser
from evwatch.contracts.decoding import decode
from evwatch.contracts.meter_values import BackendReadings, validated_readings
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import InvalidInput, MalformedInput
from evwatch.domain.sessions import check_session_id
from pipeline.flow import FlowIO, build_flow
from pipeline.incoming import Edge
from pipeline.sessions.ingest import SessionIngest
from pipeline.sessions.steps import SessionDeps
from pipeline.stations.processor import StationWindowConfig
from pipeline.stations.steps import StationDeps
from pipeline.tenants import KnownTenants
from tests.fakes.inference import FakeCsar2, FakeShade
from tests.fakes.stores import InMemorySessionStore, InMemoryStationStore
from tests.support.fuzz import EXAMPLES, fuzz
from tests.support.hostile import CASES, with_tenant
from tests.support.sessions import readings

T0 = datetime(2026, 2, 27, tzinfo=UTC)
NOW = T0 + timedelta(days=1)
Raw = KafkaSourceMessage[bytes | None, bytes | None]


def _good(session: str, tenant: str, n: int) -> bytes:
    doc = {"tenantId": tenant, "sessionId": session, "chargingStationId": "CP-F", "meterValues": readings(n)}
    return msgspec.json.encode(doc)


MESSAGES = st.one_of(
    st.builds(_good, st.sampled_from(["s1", "s2", "s3"]), st.sampled_from(["t1", "t2", "ghost"]), st.integers(0, 6)),
    st.builds(lambda case, tenant: with_tenant(case.raw, tenant), st.sampled_from(CASES), st.sampled_from(["t1"])),
    st.binary(max_size=200),
)


def _is_good(raw: bytes) -> bool:
    try:
        message = decode(raw, BackendReadings)
        check_session_id(message.session_id)
        validated_readings(message, Bounds(), NOW)
    except (MalformedInput, InvalidInput):
        return False
    return raw != b"" and message.tenant_id in {"t1", "t2"}


def _run(messages: list[bytes]) -> tuple[InMemorySessionStore, list[KafkaSinkMessage[Any, Any]]]:
    stop = threading.Event()
    store = InMemorySessionStore()
    dead: list[KafkaSinkMessage[Any, Any]] = []
    io = FlowIO(
        TestingSource([Raw(key=None, value=m, topic="mv", partition=0, offset=i) for i, m in enumerate(messages)]),
        TestingSource([]),
        TestingSource([]),
        TestingSink(dead),
        TestingSink([]),
    )
    edge = Edge(Bounds(), NOW.timestamp, KnownTenants(lambda ids: ids & {"t1", "t2"}), stop)
    flow = build_flow(
        io,
        edge,
        SessionDeps(
            SessionIngest(store, Bounds(), stop), SessionAnalyser(store, FakeCsar2()), timedelta(hours=1), stop
        ),
        StationDeps(InMemoryStationStore(), FakeShade(), 0.5, StationWindowConfig(settle_s=0), NOW.timestamp, stop),
    )
    run_main(flow)
    return store, dead


@settings(fuzz, max_examples=max(10, EXAMPLES // 10))
@given(st.lists(MESSAGES, min_size=1, max_size=12))
def test_a_pass_of_the_flow_keeps_the_good_and_dead_letters_the_rest(messages: list[bytes]) -> None:
    store, dead = _run(messages)
    offsets = sorted(int(dict(d.headers or [])["evwatch-source-offset"]) for d in dead)
    assert offsets == [i for i, m in enumerate(messages) if not _is_good(m)]
    stored = {key for key in store.sessions if store.load_readings(key[0], [key[1]])[key[1]]}
    expected = {
        (decode(m, BackendReadings).tenant_id, decode(m, BackendReadings).session_id)
        for m in messages
        if _is_good(m) and decode(m, BackendReadings).meter_values
    }
    assert stored == expected
