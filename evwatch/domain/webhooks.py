"""Webhooks: what they subscribe to, their secrets and rotation, and how deliveries are retried.

The rules are here, pure; storage is `evwatch.storage.webhooks`, the HTTP call `evwatch.webhook_http`,
and the workers in `workers/webhook_*` apply them (docs/webhooks.md).
"""

from __future__ import annotations

import base64
import random
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from evwatch.domain.errors import FieldProblem

EVENT_TYPES = (
    "session.analyzed",
    "anomaly.detected",
    "incident.created",
    "station.anomaly_detected",
    "batch.completed",
    "fine_tune.completed",
    "webhook.test",
)
TEST_EVENT = "webhook.test"
DISABLED_EVENT = "webhook.disabled"
SECRET_PREFIX = "whsec_"
# How long the secret a rotation replaced keeps signing beside the new one.
ROTATION_GRACE = timedelta(hours=24)
# What an attempt keeps of the receiver's answer.
MAX_RESPONSE_BYTES = 1024
# A namespace for delivery ids: the same event to the same webhook is always the same delivery.
_DELIVERIES = uuid.UUID("6f1d7c1e-52a4-4f0e-9a57-2f6d3c7b8e10")

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"


@dataclass(frozen=True, slots=True)
class WebhookRecord:
    """A stored webhook. `enabled` is the admin's switch; `disabled_at` is set by automatic disabling."""

    tenant_id: str
    webhook_id: str
    url: str
    events: list[str]
    description: str | None
    enabled: bool
    secret: str
    previous_secret: str
    previous_secret_until: datetime | None
    created_at: datetime
    updated_at: datetime
    failure_count: int = 0
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Whether events are delivered to it."""
        return self.enabled and self.disabled_at is None


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event for one webhook, with the body every attempt sends."""

    tenant_id: str
    webhook_id: str
    delivery_id: str
    event_id: str
    event_type: str
    payload: str
    status: str
    attempt_count: int
    http_status: int | None
    next_attempt_at: datetime
    created_at: datetime
    completed_at: datetime | None
    # order of deliveries to one webhook: the order they were queued in
    seq: int


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP attempt of a delivery: what the receiver answered, or why there was no answer."""

    tenant_id: str
    webhook_id: str
    delivery_id: str
    attempt: int
    at: datetime
    http_status: int | None
    latency_ms: int
    response_body: str
    error: str

    @property
    def succeeded(self) -> bool:
        """A 2xx answer; anything else (redirects included: they are not followed) is a failure."""
        return self.http_status is not None and 200 <= self.http_status < 300


def event_problems(field: str, events: Iterable[str]) -> list[FieldProblem]:
    """Each subscribed type that is not one evwatch announces, named."""
    listed = list(events)
    problems = [
        FieldProblem(f"{field}[{i}]", f"unknown event type {e!r}; known types: {', '.join(EVENT_TYPES)}")
        for i, e in enumerate(listed)
        if e not in EVENT_TYPES
    ]
    if not listed:
        problems.append(FieldProblem(field, "must name at least one event type"))
    return problems


def generate_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signing_secrets(record: WebhookRecord, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the replaced one during its grace period."""
    if record.previous_secret and record.previous_secret_until is not None and now < record.previous_secret_until:
        return [record.secret, record.previous_secret]
    return [record.secret]


def delivery_id(webhook_id: str, event_id: str, event_type: str) -> str:
    """Deterministic: an event consumed twice is the same delivery, never a second one."""
    return str(uuid.uuid5(_DELIVERIES, f"{webhook_id}/{event_type}/{event_id}"))


def retry_delay(attempts_made: int, schedule: tuple[float, ...], jitter: float, rng: random.Random) -> float | None:
    """Seconds to wait before the next attempt after `attempts_made` failed ones; None once the schedule is spent."""
    if attempts_made > len(schedule):
        return None
    base = schedule[attempts_made - 1]
    return max(0.0, base * (1 + rng.uniform(-jitter, jitter)))


def subscribed(record: WebhookRecord, event_type: str, event_at: datetime) -> bool:
    """Whether this event goes to this webhook: active, subscribed, and not older than the webhook."""
    return record.active and event_type in record.events and event_at >= record.created_at
