"""Kafka producer for what the API accepts (so the pipeline sees one stream)."""

from __future__ import annotations

import logging

import msgspec
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient

from evwatch.config import KafkaSettings
from evwatch.contracts.meter_values import MeterValuesMessage

log = logging.getLogger("evwatch.messaging")


class MeterValuesPublisher:
    """Publishes Create/Replace/Update bodies (plus tenantId) keyed by tenant/session."""

    def __init__(self, settings: KafkaSettings) -> None:
        self.topic = settings.topics.meter_values
        self._producer: Producer | None = Producer(
            {"bootstrap.servers": settings.bootstrap_servers, "linger.ms": 5, "acks": "all"}
        )
        self._encoder = msgspec.json.Encoder()

    def __call__(self, message: MeterValuesMessage) -> None:
        """Queue one message; delivery happens in the background."""
        if self._producer is None:
            msg = "publisher is closed"
            raise RuntimeError(msg)
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


def kafka_reachable(settings: KafkaSettings, timeout: float = 2.0) -> bool:
    """True when the brokers answer a metadata request."""
    try:
        AdminClient({"bootstrap.servers": settings.bootstrap_servers}).list_topics(timeout=timeout)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False
    return True
