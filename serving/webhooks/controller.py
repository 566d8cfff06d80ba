"""`/v1/webhooks`: HTTP in, the webhook service, HTTP out (reads for every role, writes for admins)."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from serving.access import ADMINS, EVERY_ROLE, allow
from serving.auth import Caller
from serving.errors import ERROR_RESPONSES
from serving.json_body import JsonBody
from serving.pagination import Page
from serving.webhooks.schemas import (
    CreateWebhookRequest,
    ListWebhookDeliveriesResponse,
    ListWebhooksResponse,
    TestWebhookResponse,
    UpdateWebhookRequest,
    Webhook,
    WebhookDetail,
    WebhookWithSecret,
)
from serving.webhooks.service import WebhookService


class WebhookController(Controller):
    """List, create, read, change, delete, rotate and test the tenant's webhooks."""

    path = "/v1/webhooks"
    tags = ["Webhooks"]

    @get(
        "/",
        operation_id="list_webhooks",
        opt=allow(EVERY_ROLE),
        summary="List Webhooks",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_webhooks(
        self, caller: NamedDependency[Caller], webhooks: NamedDependency[WebhookService]
    ) -> ListWebhooksResponse:
        """Every webhook of the tenant in one page; signing secrets are never listed."""
        return webhooks.list_webhooks(caller.tenant_id)

    @post(
        "/",
        operation_id="create_webhook",
        opt=allow(ADMINS),
        summary="Create Webhook",
        status_code=200,
        dto=JsonBody[CreateWebhookRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def create_webhook(
        self,
        caller: NamedDependency[Caller],
        webhooks: NamedDependency[WebhookService],
        data: JSONBody[CreateWebhookRequest],
    ) -> WebhookWithSecret:
        """A new, enabled webhook; its `secret` is in this answer only. Internal or non-https URLs are 422."""
        return webhooks.create(caller.tenant_id, data)

    @get(
        "/{webhook_id:str}",
        operation_id="get_webhook",
        opt=allow(EVERY_ROLE),
        summary="Get Webhook",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_webhook(
        self, caller: NamedDependency[Caller], webhooks: NamedDependency[WebhookService], webhook_id: FromPath[str]
    ) -> WebhookDetail:
        """The webhook (without its secret) and its recent deliveries, newest first."""
        return webhooks.get(caller.tenant_id, webhook_id)

    @get(
        "/{webhook_id:str}/deliveries",
        operation_id="list_webhook_deliveries",
        opt=allow(EVERY_ROLE),
        summary="List Webhook Deliveries",
        # an extension beside the contract (docs/webhooks.md): every attempt, which recentDeliveries has no room for
        tags=["Webhook Deliveries"],
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_webhook_deliveries(
        self,
        caller: NamedDependency[Caller],
        webhooks: NamedDependency[WebhookService],
        paging: NamedDependency[Page],
        webhook_id: FromPath[str],
    ) -> ListWebhookDeliveriesResponse:
        """The webhook's deliveries, newest first, each with every attempt: status, latency, the first KB of the answer or the error."""
        return webhooks.deliveries(caller.tenant_id, webhook_id, paging)

    @patch(
        "/{webhook_id:str}",
        operation_id="update_webhook",
        opt=allow(ADMINS),
        summary="Update Webhook",
        dto=JsonBody[UpdateWebhookRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def update_webhook(
        self,
        caller: NamedDependency[Caller],
        webhooks: NamedDependency[WebhookService],
        webhook_id: FromPath[str],
        data: JSONBody[UpdateWebhookRequest],
    ) -> Webhook:
        """Change the URL, events, description or `enabled`; `enabled: true` resets `failureCount` and `disabledAt`."""
        return webhooks.update(caller.tenant_id, webhook_id, data)

    @delete(
        "/{webhook_id:str}",
        operation_id="delete_webhook",
        opt=allow(ADMINS),
        summary="Delete Webhook",
        status_code=200,
        sync_to_thread=True,
        # the contract's answer is an empty body, documented without content
        responses={**ERROR_RESPONSES, 200: ResponseSpec(data_container=None, description="Deleted (empty body).")},
    )
    def delete_webhook(
        self, caller: NamedDependency[Caller], webhooks: NamedDependency[WebhookService], webhook_id: FromPath[str]
    ) -> Response[bytes]:
        """The webhook and its delivery records are gone: 200 with an empty body."""
        webhooks.delete(caller.tenant_id, webhook_id)
        return Response(b"", status_code=200, media_type=MediaType.TEXT)

    @post(
        "/{webhook_id:str}/rotate-secret",
        operation_id="rotate_secret",
        opt=allow(ADMINS),
        summary="Rotate Secret",
        status_code=200,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def rotate_secret(
        self, caller: NamedDependency[Caller], webhooks: NamedDependency[WebhookService], webhook_id: FromPath[str]
    ) -> WebhookWithSecret:
        """A new secret, in this answer only; the old one keeps signing beside it for 24 hours."""
        return webhooks.rotate(caller.tenant_id, webhook_id)

    @post(
        "/{webhook_id:str}/test",
        operation_id="test_webhook",
        opt=allow(ADMINS),
        summary="Test Webhook",
        status_code=200,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def test_webhook(
        self, caller: NamedDependency[Caller], webhooks: NamedDependency[WebhookService], webhook_id: FromPath[str]
    ) -> TestWebhookResponse:
        """Queue a `webhook.test` delivery: `{}` once queued, whatever the receiver says later."""
        return webhooks.test(caller.tenant_id, webhook_id)
