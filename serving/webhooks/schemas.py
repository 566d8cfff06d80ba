"""Bodies of `/v1/webhooks`, as the contract names them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from serving.pagination import Pagination

WebhookUrlField = Annotated[str, msgspec.Meta(min_length=1, max_length=2048)]
EventTypes = Annotated[list[Annotated[str, msgspec.Meta(max_length=64)]], msgspec.Meta(max_length=32)]
Description = Annotated[str, msgspec.Meta(max_length=1000)]


class Webhook(msgspec.Struct, rename="camel", kw_only=True):
    """A webhook, never with its secret; `enabled` is false once it was disabled automatically."""

    id: str
    url: str
    events: list[str]
    description: str | None = None
    enabled: bool
    failure_count: int
    disabled_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None


class WebhookWithSecret(Webhook, kw_only=True):
    """A webhook with its signing secret: Create Webhook and Rotate Secret only."""

    secret: str


class WebhookDelivery(msgspec.Struct, rename="camel", kw_only=True):
    """One event for the webhook: `status` is pending, delivered or failed (given up after the last retry)."""

    id: str
    event_type: str
    status: str
    http_status: int | None = None
    attempt_count: int
    created_at: datetime | None = None
    completed_at: datetime | None = None


class WebhookDetail(Webhook, kw_only=True):
    """Get Webhook: the webhook and its recent deliveries, newest first."""

    recent_deliveries: list[WebhookDelivery] | None = None


class ListWebhooksResponse(msgspec.Struct, rename="camel"):
    """Every webhook of the tenant in one page."""

    content: list[Webhook]
    pagination: Pagination


class CreateWebhookRequest(msgspec.Struct, rename="camel", kw_only=True):
    """Body of Create Webhook."""

    url: WebhookUrlField
    events: EventTypes
    description: Description | None = None


class UpdateWebhookRequest(msgspec.Struct, rename="camel", kw_only=True):
    """Body of Update Webhook: omitted fields keep their value; a `null` description clears it."""

    url: WebhookUrlField | msgspec.UnsetType = msgspec.UNSET
    events: EventTypes | msgspec.UnsetType = msgspec.UNSET
    description: Description | None | msgspec.UnsetType = msgspec.UNSET
    enabled: bool | msgspec.UnsetType = msgspec.UNSET


class TestWebhookResponse(msgspec.Struct):
    """Empty: the test event is queued, which says nothing yet about the receiver."""


class DeliveryAttempt(msgspec.Struct, rename="camel", kw_only=True):
    """One HTTP attempt: the receiver's status and the first KB of its answer, or why there was none."""

    attempt: int
    at: datetime
    http_status: int | None
    latency_ms: int
    response_body: str
    error: str | None


class DeliveryWithAttempts(WebhookDelivery, kw_only=True):
    """A delivery with every attempt made (extension)."""

    attempts: list[DeliveryAttempt]


class ListWebhookDeliveriesResponse(msgspec.Struct, rename="camel"):
    """A page of the webhook's deliveries, newest first, each with its attempts (extension)."""

    content: list[DeliveryWithAttempts]
    pagination: Pagination
