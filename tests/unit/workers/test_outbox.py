"""The relay over an in-memory store and a recording (or failing) publisher."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from evwatch.domain.errors import Unavailable
from evwatch.domain.ocpp import ENERGY
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import CREATE, STREAM, SessionWrite, api_slot
from evwatch.domain.sessions import SessionRecord
from tests.fakes.stores import InMemorySessionStore
from workers.follow import Follower
from workers.outbox import OutboxRelay

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def _api_write(session_id: str, readings: int, second: int = 0) -> SessionWrite:
    at = T0 + timedelta(seconds=second)
    session = SessionRecord("t", session_id, "ST", "1", None, "active", {}, at, at)
    values = tuple(StoredReading(at + timedelta(seconds=i), ENERGY, "kWh", i / 10) for i in range(readings))
    return SessionWrite(session, f"api:{session_id}", api_slot(1), 1, CREATE, at, values)


class Broker(list[tuple[bytes, bytes]]):
    down = False

    def __call__(self, messages: Sequence[tuple[bytes, bytes]]) -> None:
        if self.down:
            raise Unavailable("broker down")
        self.extend(messages)


def _relay(store: InMemorySessionStore, broker: Broker, batch: int = 200) -> OutboxRelay:
    clock = lambda: T0 + timedelta(minutes=1)  # noqa: E731
    return OutboxRelay(store, broker, 16_384, Follower(clock, timedelta(days=7)), clock, batch=batch)


def test_every_api_write_is_relayed_once_in_parts_and_stream_writes_are_not() -> None:
    store, broker = InMemorySessionStore(), Broker()
    store.insert_writes([_api_write("big", 2_000), _api_write("small", 3, second=1)])
    slot = "kafka:mv:0:1"
    stream = SessionWrite(_api_write("s", 0).session, slot, slot, 0, STREAM, T0, ())
    store.insert_writes([stream])
    relay = _relay(store, broker)
    assert relay() is False
    decoded = [msgspec.json.decode(value) for _, value in broker]
    assert {d["sessionId"] for d in decoded} == {"big", "small"}
    big = [d for d in decoded if d["sessionId"] == "big"]
    assert len(big) > 1 and sum(len(d["meterValues"]) for d in big) == 2_000
    assert all(len(value) <= 16_384 for _, value in broker)
    relayed = len(broker)
    relay()
    assert len(broker) == relayed  # recorded as published: not sent again


def test_a_broker_outage_delays_delivery_and_loses_nothing() -> None:
    store, broker = InMemorySessionStore(), Broker()
    store.insert_writes([_api_write("s1", 3)])
    relay = _relay(store, broker)
    broker.down = True
    with pytest.raises(Unavailable):
        relay()
    assert store.publications == {}
    broker.down = False
    relay()
    assert [msgspec.json.decode(v)["sessionId"] for _, v in broker] == ["s1"]


def test_a_backlog_is_relayed_in_batches_oldest_first() -> None:
    store, broker = InMemorySessionStore(), Broker()
    store.insert_writes([_api_write(f"s{i}", 1, second=i) for i in range(5)])
    relay = _relay(store, broker, batch=2)
    assert relay() is True and relay() is True and relay() is False
    assert [msgspec.json.decode(v)["sessionId"] for _, v in broker] == [f"s{i}" for i in range(5)]
