"""Small helpers for tests that talk to the real broker."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
from confluent_kafka import Consumer, Message

from evwatch.kafka import producer as kafka_producer

T = TypeVar("T")


def produce(bootstrap: str, topic: str, values: list[bytes | dict[str, Any]], key: bytes | None = None) -> None:
    """Produce raw bytes or JSON-encoded dicts and wait for delivery."""
    producer = kafka_producer(bootstrap)
    for value in values:
        payload = value if isinstance(value, bytes) else msgspec.json.encode(value)
        producer.produce(topic, payload, key=key)
    assert producer.flush(30) == 0


def consume_all(bootstrap: str, topic: str, min_count: int, timeout_s: float = 60.0) -> list[Message]:
    """Read the topic from the beginning until at least `min_count` messages (or time out)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"test-{uuid.uuid4().hex}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([topic])
    out: list[Message] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and len(out) < min_count:
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                out.append(msg)
        # Drain briefly so a test asserting "exactly N" sees extras.
        end = time.monotonic() + 2.0
        while time.monotonic() < end:
            msg = consumer.poll(0.3)
            if msg is not None and msg.error() is None:
                out.append(msg)
    finally:
        consumer.close()
    return out


def wait_for(check: Callable[[], T | None], timeout_s: float = 60.0, interval_s: float = 0.3) -> T:
    """Poll `check` until it returns something truthy; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"condition not met within {timeout_s}s (last value: {last!r})")
