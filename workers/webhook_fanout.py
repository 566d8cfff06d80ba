"""The webhook fan-out: every event on `evwatch.events` becomes a queued delivery per matching webhook.

Its own consumer group reads the topic; a batch's deliveries are stored before the batch's offsets
are committed (outbox style), so a crash between the two reads the batch again. A delivery's id is
derived from the webhook and the event, and ids already queued are skipped, so the second read
queues nothing twice. An event older than a webhook is not delivered to it (the Kafka timestamp is
the event's time), so a new webhook does not receive the topic's history.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import msgspec
from confluent_kafka import Consumer, KafkaError, KafkaException, Message
from prometheus_client import Counter

from evwatch.config import KafkaSettings
from evwatch.domain.webhooks import PENDING, Delivery, WebhookRecord, delivery_id, subscribed
from evwatch.kafka import log_client_error
from evwatch.storage.webhooks import sequence_numbers

log = logging.getLogger("evwatch.workers.webhooks")

QUEUED = Counter("evwatch_webhook_deliveries_queued_total", "Webhook deliveries queued from events")


class _Envelope(msgspec.Struct, rename="camel"):
    """What the fan-out reads of any event: the rest is delivered as it is."""

    type: str
    event_id: str
    tenant_id: str


class FanoutStore(Protocol):
    """What the fan-out needs from storage (`evwatch.storage.webhooks.ClickHouseWebhookStore`)."""

    def webhooks_of(self, tenant_ids: Sequence[str]) -> dict[str, list[WebhookRecord]]: ...

    def known_deliveries(self, tenant_id: str, delivery_ids: Sequence[str]) -> set[str]: ...

    def save_deliveries(self, deliveries: Sequence[Delivery]) -> None: ...


@dataclass(frozen=True, slots=True)
class _Event:
    envelope: _Envelope
    payload: str
    at: datetime


def events_consumer(settings: KafkaSettings, group: str) -> Consumer:
    """A consumer of the events topic in the fan-out's group, committing only by hand."""
    consumer = Consumer(
        {
            "bootstrap.servers": settings.bootstrap_servers,
            "group.id": group,
            # a new group starts at the beginning; events older than a webhook are skipped anyway
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "enable.partition.eof": False,
            "error_cb": log_client_error,
            **settings.client_config,
        }
    )
    consumer.subscribe([settings.topics.events])
    return consumer


def _decoded(message: Message) -> _Event | None:
    value = message.value()
    if not value:
        return None
    try:
        envelope = msgspec.json.decode(value, type=_Envelope)
    except msgspec.DecodeError:  # not JSON, or without these fields: skipped, or it would block the topic
        log.warning("skipping an event without type, eventId or tenantId at offset %s", message.offset())
        return None
    _, millis = message.timestamp()
    at = datetime.fromtimestamp(millis / 1000, UTC) if millis > 0 else datetime.now(UTC)
    return _Event(envelope, value.decode("utf-8", errors="replace"), at)


class WebhookFanout:
    """One pass reads up to `batch` events, queues their deliveries, then commits the offsets."""

    def __init__(
        self,
        consumer: Consumer,
        store: FanoutStore,
        clock: Callable[[], datetime],
        on_queued: Callable[[], None] | None = None,
        batch: int = 500,
        wait_s: float = 0.1,
    ) -> None:
        self.consumer = consumer
        self.store = store
        self.clock = clock
        self.batch = batch
        self.wait_s = wait_s
        self.on_queued = on_queued

    def __call__(self) -> bool:
        """Fan out one batch; True when there may be more."""
        messages = self.consumer.consume(self.batch, self.wait_s)
        events: list[_Event] = []
        for message in messages:
            if message.error() is not None:
                log.warning("events topic: %s", message.error())
                continue
            if (event := _decoded(message)) is not None:
                events.append(event)
        if events:
            self._queue(events)
        if messages:
            try:
                self.consumer.commit(asynchronous=False)
            except KafkaException as exc:
                # only error messages in the batch: nothing to commit
                if exc.args[0].code() != KafkaError._NO_OFFSET:
                    raise
        return len(messages) >= self.batch

    def _queue(self, events: list[_Event]) -> None:
        webhooks = self.store.webhooks_of(sorted({e.envelope.tenant_id for e in events}))
        wanted: list[tuple[WebhookRecord, _Event]] = [
            (hook, event)
            for event in events
            for hook in webhooks.get(event.envelope.tenant_id, [])
            if subscribed(hook, event.envelope.type, event.at)
        ]
        if not wanted:
            return
        now = self.clock()
        by_tenant: dict[str, list[tuple[str, WebhookRecord, _Event]]] = {}
        for hook, event in wanted:
            did = delivery_id(hook.webhook_id, event.envelope.event_id, event.envelope.type)
            by_tenant.setdefault(hook.tenant_id, []).append((did, hook, event))
        new: list[tuple[str, WebhookRecord, _Event]] = []
        for tenant_id, items in by_tenant.items():
            known = self.store.known_deliveries(tenant_id, [did for did, _, _ in items])
            seen: set[str] = set()
            for did, hook, event in items:
                if did not in known and did not in seen:
                    seen.add(did)
                    new.append((did, hook, event))
        deliveries = [
            _delivery(did, hook, event, now, seq)
            for (did, hook, event), seq in zip(new, sequence_numbers(len(new)), strict=True)
        ]
        self.store.save_deliveries(deliveries)
        QUEUED.inc(len(deliveries))
        if deliveries and self.on_queued is not None:
            self.on_queued()


def _delivery(did: str, hook: WebhookRecord, event: _Event, now: datetime, seq: int) -> Delivery:
    return Delivery(
        tenant_id=hook.tenant_id,
        webhook_id=hook.webhook_id,
        delivery_id=did,
        event_id=event.envelope.event_id,
        event_type=event.envelope.type,
        payload=event.payload,
        status=PENDING,
        attempt_count=0,
        http_status=None,
        next_attempt_at=now,
        created_at=now,
        completed_at=None,
        seq=seq,
    )
