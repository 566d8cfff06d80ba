"""Kafka clients created from settings: topic setup, reachability, and the API's publisher.

Every Kafka client evwatch opens itself is made here, so one place decides its configuration
(and tests can tell which ones were opened).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from evwatch.config import KafkaSettings
from evwatch.contracts.meter_values import ApiSessionWrite

log = logging.getLogger("evwatch.kafka")
# librdkafka writes connect failures straight to stderr unless given a logger; route them here instead.
_rdkafka_log = logging.getLogger("evwatch.kafka.rdkafka")


class TopicSetupError(RuntimeError):
    """The topics evwatch needs could not be created."""


def admin_client(bootstrap: str, config: Mapping[str, Any] | None = None) -> AdminClient:
    """An admin client whose librdkafka logs go to Python logging; `config` adds librdkafka settings."""
    settings: dict[str, Any] = {"bootstrap.servers": bootstrap, "logger": _rdkafka_log, **(config or {})}
    return AdminClient(settings)


def producer(bootstrap: str, config: Mapping[str, Any] | None = None) -> Producer:
    """A producer with evwatch's logging; `config` adds librdkafka settings."""
    return Producer({"bootstrap.servers": bootstrap, "logger": _rdkafka_log, **(config or {})})


def is_reachable(bootstrap: str, timeout_s: float = 2.0, config: Mapping[str, Any] | None = None) -> bool:
    """True when a broker at `bootstrap` answers a metadata request within `timeout_s`."""
    try:
        return bool(admin_client(bootstrap, config).list_topics(timeout=timeout_s).brokers)
    except KafkaException:
        return False


def _retriable(err: KafkaError) -> bool:
    # Right after a broker starts its controller may not accept creates yet.
    return bool(err.retriable()) or err.code() in (KafkaError._TIMED_OUT, KafkaError.NOT_CONTROLLER)


def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    partitions: int,
    *,
    replication_factor: int = -1,
    timeout_s: float = 30.0,
    config: Mapping[str, Any] | None = None,
) -> None:
    """Create `topics` with `partitions` each unless they exist; RF -1 means the broker's default."""
    wanted = list(topics)
    admin = admin_client(bootstrap, config)
    deadline = time.monotonic() + timeout_s
    while wanted:
        pending: list[str] = []
        errors: list[str] = []
        futures = admin.create_topics(
            [NewTopic(t, partitions, replication_factor) for t in wanted], operation_timeout=timeout_s
        )
        for topic, future in futures.items():
            try:
                future.result()
                log.info("created topic %s (%d partitions)", topic, partitions)
            except KafkaException as exc:
                err: KafkaError = exc.args[0]
                if err.code() == KafkaError.TOPIC_ALREADY_EXISTS:
                    continue
                if _retriable(err):
                    pending.append(topic)
                else:
                    errors.append(f"{topic}: {err.str()}")
        if errors:
            raise TopicSetupError(f"could not create Kafka topics on {bootstrap}: " + "; ".join(errors))
        if pending and time.monotonic() > deadline:
            raise TopicSetupError(f"timed out creating Kafka topics {pending} on {bootstrap}")
        wanted = pending
        if wanted:
            time.sleep(0.5)


class MeterValuesPublisher:
    """Publishes what the API accepted, keyed by tenant/session so one session stays in order."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.topic = settings.topics.api_writes
        config = {"linger.ms": 5, "acks": "all", **settings.client_config}
        self._producer: Producer | None = producer(settings.bootstrap_servers, config)
        self._encoder = msgspec.json.Encoder()

    def __call__(self, message: ApiSessionWrite) -> None:
        """Queue one message; delivery happens in the background."""
        if self._producer is None:
            raise RuntimeError("publisher is closed")
        key = f"{message.tenant_id}/{message.session_id}".encode()
        self._producer.produce(self.topic, self._encoder.encode(message), key=key)
        self._producer.poll(0)

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what is queued, then release the producer (its threads stop reconnecting)."""
        if self._producer is None:
            return
        remaining = self._producer.flush(timeout)
        if remaining:
            log.warning("%d messages were not delivered to %s", remaining, self.topic)
        self._producer = None
