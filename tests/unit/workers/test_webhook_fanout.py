"""The fan-out queues one delivery per event and matching webhook, and none twice for an event read again."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from evwatch.domain.webhooks import Delivery, WebhookRecord
from workers.webhook_fanout import WebhookFanout

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


@dataclass
class _Message:
    body: bytes
    at: datetime

    def error(self) -> None:
        return None

    def value(self) -> bytes:
        return self.body

    def timestamp(self) -> tuple[int, int]:
        return (1, int(self.at.timestamp() * 1000))

    def offset(self) -> int:
        return 0


@dataclass
class _Consumer:
    batches: list[list[_Message]]
    commits: int = 0

    def consume(self, _n: int, _timeout: float) -> list[_Message]:
        return self.batches.pop(0) if self.batches else []

    def commit(self, asynchronous: bool) -> None:
        self.commits += 1


@dataclass
class _Store:
    hooks: dict[str, list[WebhookRecord]]
    saved: list[Delivery] = field(default_factory=list)

    def webhooks_of(self, tenant_ids: Any) -> dict[str, list[WebhookRecord]]:
        return {t: self.hooks.get(t, []) for t in tenant_ids}

    def known_deliveries(self, _tenant_id: str, ids: Any) -> set[str]:
        return {d.delivery_id for d in self.saved} & set(ids)

    def save_deliveries(self, deliveries: Any) -> None:
        self.saved.extend(deliveries)


def _hook(tenant: str, hook_id: str, events: list[str], created: datetime = T0) -> WebhookRecord:
    return WebhookRecord(
        tenant, hook_id, "https://r.example/", events, None, True, "whsec_x", "", None, created, created
    )


def _event(tenant: str, event_id: str, kind: str = "anomaly.detected") -> bytes:
    return msgspec.json.encode({"type": kind, "eventId": event_id, "tenantId": tenant, "riskScore": 0.9})


def test_each_event_goes_once_to_each_matching_webhook_of_its_tenant() -> None:
    store = _Store(
        {
            "a": [_hook("a", "w1", ["anomaly.detected"]), _hook("a", "w2", ["incident.created"])],
            "b": [_hook("b", "w3", ["anomaly.detected"])],
        }
    )
    at = T0 + timedelta(seconds=5)
    first = [_Message(_event("a", "e1"), at), _Message(_event("a", "e2"), at), _Message(b"not json", at)]
    # the same events read again (a crash before the commit), and an event older than the webhook
    again = [*first[:2], _Message(_event("a", "e0"), T0 - timedelta(seconds=1))]
    consumer = _Consumer([first, again])
    fanout = WebhookFanout(consumer, store, lambda: at)  # type: ignore[arg-type]
    woken: list[int] = []
    fanout.on_queued = lambda: woken.append(1)

    fanout()
    fanout()

    assert [(d.webhook_id, d.event_id) for d in store.saved] == [("w1", "e1"), ("w1", "e2")]
    assert store.saved[0].seq < store.saved[1].seq
    assert msgspec.json.decode(store.saved[0].payload)["riskScore"] == 0.9
    assert consumer.commits == 2 and woken == [1]
