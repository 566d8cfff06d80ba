"""A tenant's webhooks: created with a secret shown once, checked against the SSRF guard, rotated with a
grace period, tested through the delivery queue (docs/webhooks.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol, TypeVar

import msgspec

from evwatch.clock import utc_now
from evwatch.contracts.events import WebhookTest
from evwatch.domain.errors import FieldProblem, InvalidInput, NotFound
from evwatch.domain.webhook_urls import UrlRefused
from evwatch.domain.webhooks import (
    PENDING,
    ROTATION_GRACE,
    TEST_EVENT,
    Attempt,
    Delivery,
    WebhookRecord,
    delivery_id,
    event_problems,
    generate_secret,
)
from evwatch.storage.webhooks import sequence_numbers
from evwatch.webhook_targets import TargetGuard
from serving.pagination import Page, Pagination
from serving.webhooks.schemas import (
    CreateWebhookRequest,
    DeliveryAttempt,
    DeliveryWithAttempts,
    ListWebhookDeliveriesResponse,
    ListWebhooksResponse,
    TestWebhookResponse,
    UpdateWebhookRequest,
    Webhook,
    WebhookDelivery,
    WebhookDetail,
    WebhookWithSecret,
)

# How many deliveries Get Webhook shows.
RECENT_DELIVERIES = 20


class WebhookStore(Protocol):
    """What the webhook service needs from storage (`evwatch.storage.webhooks.ClickHouseWebhookStore`)."""

    def save_webhook(self, record: WebhookRecord) -> None: ...

    def set_health(self, tenant_id: str, webhook_id: str, failure_count: int, disabled_at: datetime | None) -> None: ...

    def get_webhook(self, tenant_id: str, webhook_id: str) -> WebhookRecord | None: ...

    def list_webhooks(self, tenant_id: str) -> list[WebhookRecord]: ...

    def delete_webhook(self, record: WebhookRecord, at: datetime) -> None: ...

    def save_deliveries(self, deliveries: list[Delivery]) -> None: ...

    def recent_deliveries(self, tenant_id: str, webhook_id: str, limit: int) -> list[Delivery]: ...

    def delivery_page(self, tenant_id: str, webhook_id: str, offset: int, limit: int) -> tuple[list[Delivery], int]: ...

    def attempts_of(self, tenant_id: str, webhook_id: str, delivery_ids: Sequence[str]) -> dict[str, list[Attempt]]: ...


W = TypeVar("W", bound=Webhook)


def _view(kind: type[W], record: WebhookRecord, **extra: Any) -> W:
    """The webhook as the API shows it: `enabled` is false while disabled automatically, too."""
    return kind(
        id=record.webhook_id,
        url=record.url,
        events=record.events,
        description=record.description,
        enabled=record.active,
        failure_count=record.failure_count,
        disabled_at=record.disabled_at,
        created_at=record.created_at,
        updated_at=record.updated_at,
        **extra,
    )


def _unique(events: list[str]) -> list[str]:
    return list(dict.fromkeys(events))


class WebhookService:
    """The webhook use cases of a tenant's admins (reads for every role)."""

    def __init__(self, store: WebhookStore, guard: TargetGuard, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._guard = guard
        self._clock = clock

    def _checked(self, url: str | None, events: list[str] | None) -> None:
        problems = event_problems("events", events) if events is not None else []
        if url is not None:
            try:
                self._guard.check(url)
            except UrlRefused as refused:
                problems.insert(0, FieldProblem("url", f"{url!r} {refused}"))
        if problems:
            raise InvalidInput(problems)

    def _found(self, tenant_id: str, webhook_id: str) -> WebhookRecord:
        record = self._store.get_webhook(tenant_id, webhook_id)
        if record is None:
            raise NotFound(f"Webhook {webhook_id!r} not found.")
        return record

    def list_webhooks(self, tenant_id: str) -> ListWebhooksResponse:
        """Every webhook of the tenant in one page, as the contract has it; secrets never."""
        records = self._store.list_webhooks(tenant_id)
        return ListWebhooksResponse(
            content=[_view(Webhook, r) for r in records],
            pagination=Pagination(len(records), 0, len(records)),
        )

    def create(self, tenant_id: str, body: CreateWebhookRequest) -> WebhookWithSecret:
        """A new, enabled webhook; its secret is in this answer only."""
        self._checked(body.url, body.events)
        now = self._clock()
        record = WebhookRecord(
            tenant_id=tenant_id,
            webhook_id=str(uuid.uuid4()),
            url=body.url,
            events=_unique(body.events),
            description=body.description,
            enabled=True,
            secret=generate_secret(),
            previous_secret="",
            previous_secret_until=None,
            created_at=now,
            updated_at=now,
        )
        self._store.save_webhook(record)
        return _view(WebhookWithSecret, record, secret=record.secret)

    def get(self, tenant_id: str, webhook_id: str) -> WebhookDetail:
        """The webhook and its latest deliveries, newest first."""
        record = self._found(tenant_id, webhook_id)
        deliveries = self._store.recent_deliveries(tenant_id, webhook_id, RECENT_DELIVERIES)
        return _view(
            WebhookDetail,
            record,
            recent_deliveries=[
                WebhookDelivery(
                    id=d.delivery_id,
                    event_type=d.event_type,
                    status=d.status,
                    http_status=d.http_status,
                    attempt_count=d.attempt_count,
                    created_at=d.created_at,
                    completed_at=d.completed_at,
                )
                for d in deliveries
            ],
        )

    def deliveries(self, tenant_id: str, webhook_id: str, page: Page) -> ListWebhookDeliveriesResponse:
        """A page of the webhook's deliveries, newest first, each with every attempt (extension)."""
        self._found(tenant_id, webhook_id)
        deliveries, total = self._store.delivery_page(tenant_id, webhook_id, page.number * page.size, page.size)
        attempts = self._store.attempts_of(tenant_id, webhook_id, [d.delivery_id for d in deliveries])
        return ListWebhookDeliveriesResponse(
            content=[
                DeliveryWithAttempts(
                    id=d.delivery_id,
                    event_type=d.event_type,
                    status=d.status,
                    http_status=d.http_status,
                    attempt_count=d.attempt_count,
                    created_at=d.created_at,
                    completed_at=d.completed_at,
                    attempts=[
                        DeliveryAttempt(
                            attempt=a.attempt,
                            at=a.at,
                            http_status=a.http_status,
                            latency_ms=a.latency_ms,
                            response_body=a.response_body,
                            error=a.error or None,
                        )
                        for a in attempts.get(d.delivery_id, [])
                    ],
                )
                for d in deliveries
            ],
            pagination=Pagination.of(page, total),
        )

    def update(self, tenant_id: str, webhook_id: str, body: UpdateWebhookRequest) -> Webhook:
        """Change what the body names; `enabled: true` also clears the failures and an automatic disabling."""
        url = body.url if isinstance(body.url, str) else None
        events = body.events if isinstance(body.events, list) else None
        self._checked(url, events)
        record = self._found(tenant_id, webhook_id)
        now = self._clock()
        changed = replace(
            record,
            url=record.url if url is None else url,
            events=record.events if events is None else _unique(events),
            description=record.description if body.description is msgspec.UNSET else body.description,
            enabled=record.enabled if isinstance(body.enabled, msgspec.UnsetType) else body.enabled,
            updated_at=now,
        )
        self._store.save_webhook(changed)
        if body.enabled is True and (record.failure_count or record.disabled_at is not None):
            self._store.set_health(tenant_id, webhook_id, 0, None)
            changed = replace(changed, failure_count=0, disabled_at=None)
        return _view(Webhook, changed)

    def delete(self, tenant_id: str, webhook_id: str) -> None:
        """Remove the webhook and its delivery records; nothing more is delivered to it."""
        self._store.delete_webhook(self._found(tenant_id, webhook_id), self._clock())

    def rotate(self, tenant_id: str, webhook_id: str) -> WebhookWithSecret:
        """A new secret, shown in this answer only; the replaced one keeps signing beside it for 24 h."""
        record = self._found(tenant_id, webhook_id)
        now = self._clock()
        rotated = replace(
            record,
            secret=generate_secret(),
            previous_secret=record.secret,
            previous_secret_until=now + ROTATION_GRACE,
            updated_at=now,
        )
        self._store.save_webhook(rotated)
        return _view(WebhookWithSecret, rotated, secret=rotated.secret)

    def test(self, tenant_id: str, webhook_id: str) -> TestWebhookResponse:
        """Queue a `webhook.test` delivery; the answer comes once it is queued, before any attempt."""
        record = self._found(tenant_id, webhook_id)
        now = self._clock()
        event = WebhookTest(event_id=str(uuid.uuid4()), tenant_id=tenant_id, webhook_id=webhook_id, requested_at=now)
        (seq,) = sequence_numbers(1)
        self._store.save_deliveries(
            [
                Delivery(
                    tenant_id=tenant_id,
                    webhook_id=record.webhook_id,
                    delivery_id=delivery_id(record.webhook_id, event.event_id, TEST_EVENT),
                    event_id=event.event_id,
                    event_type=TEST_EVENT,
                    payload=msgspec.json.encode(event).decode(),
                    status=PENDING,
                    attempt_count=0,
                    http_status=None,
                    next_attempt_at=now,
                    created_at=now,
                    completed_at=None,
                    seq=seq,
                )
            ]
        )
        return TestWebhookResponse()
