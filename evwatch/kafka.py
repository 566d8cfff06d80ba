"""Kafka clients created from settings: topic setup, reachability, and the outbox relay's publisher.

Every Kafka client evwatch opens itself is made here, so one place decides its configuration
(and tests can tell which ones were opened).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from evwatch.config import KafkaSettings
from evwatch.domain.errors import Unavailable

log = logging.getLogger("evwatch.kafka")
# librdkafka writes connect failures straight to stderr unless given a logger; route them here instead.
_rdkafka_log = logging.getLogger("evwatch.kafka.rdkafka")


class TopicSetupError(RuntimeError):
    """The topics evwatch needs could not be created."""


def log_client_error(err: KafkaError) -> None:
    """`error_cb` for long-lived clients: a broker restarting is logged and waited out, not raised.

    Without it librdkafka hands such errors to the consumer as messages, which the dataflow's Kafka
    source turns into an exception that stops the flow.
    """
    if err.fatal():
        log.error("Kafka client error: %s", err.str())
    else:
        log.warning("Kafka unavailable for now: %s", err.str())


# The dataflow's sinks (events, dead letters): no duplicates from internal retries, and a message is
# retried until the brokers take it; the sink's flush waits out an outage instead of dropping it.
SINK_CONFIG: dict[str, Any] = {"enable.idempotence": True, "acks": "all", "message.timeout.ms": 0}


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
    topic_config: Mapping[str, str] | None = None,
) -> None:
    """Create `topics` with `partitions` each unless they exist; RF -1 means the broker's default.

    `topic_config` sets topic configs of the topics it creates (existing topics keep theirs)."""
    wanted = list(topics)
    admin = admin_client(bootstrap, config)
    deadline = time.monotonic() + timeout_s
    while wanted:
        pending: list[str] = []
        errors: list[str] = []
        futures = admin.create_topics(
            [NewTopic(t, partitions, replication_factor, config=dict(topic_config or {})) for t in wanted],
            operation_timeout=timeout_s,
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


class ConfirmedPublisher:
    """Produces to one topic and returns only once the brokers acknowledged every message.

    Idempotent producer with acks=all: a retry inside librdkafka never duplicates or reorders. A
    message the brokers did not acknowledge in time raises `Unavailable`; the caller keeps it and
    tries again later, so the topic sees it at least once.
    """

    def __init__(self, settings: KafkaSettings, topic: str, timeout_s: float = 30.0) -> None:
        self.topic = topic
        self.timeout_s = timeout_s
        config = {
            "acks": "all",
            "enable.idempotence": True,
            "linger.ms": 5,
            "message.max.bytes": settings.max_message_bytes,
            "message.timeout.ms": int(timeout_s * 1000),
            **settings.client_config,
        }
        self._producer: Producer | None = producer(settings.bootstrap_servers, config)

    def publish(self, messages: Sequence[tuple[bytes, bytes]]) -> None:
        """Deliver (key, value) messages, in order per key; raises `Unavailable` unless all were acknowledged."""
        if self._producer is None:
            raise RuntimeError("publisher is closed")
        failures: list[str] = []

        def delivered(err: KafkaError | None, _msg: object) -> None:
            if err is not None:
                failures.append(err.str())

        for key, value in messages:
            while True:
                try:
                    self._producer.produce(self.topic, value, key=key, on_delivery=delivered)
                    break
                except BufferError:  # the local queue is full: let deliveries drain it
                    self._producer.poll(0.1)
        remaining = self._producer.flush(self.timeout_s)
        if remaining or failures:
            reason = failures[0] if failures else f"{remaining} not acknowledged within {self.timeout_s:.0f} s"
            raise Unavailable(f"Kafka did not take {len(messages)} message(s) for {self.topic}: {reason}")

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what is queued, then release the producer (its threads stop reconnecting)."""
        if self._producer is None:
            return
        remaining = self._producer.flush(timeout)
        if remaining:
            log.warning("%d messages were not delivered to %s", remaining, self.topic)
        self._producer = None
