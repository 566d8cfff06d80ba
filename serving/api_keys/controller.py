"""`/v1/api-keys`: HTTP in, the key service, HTTP out (admins only)."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody

from serving.access import ADMINS, allow
from serving.api_keys.schemas import CreateApiKeyRequest, CreateApiKeyResponse, ListApiKeysResponse
from serving.api_keys.service import ApiKeyService
from serving.auth import Caller
from serving.errors import ERROR_RESPONSES
from serving.json_body import JsonBody


class ApiKeyController(Controller):
    """List, create and revoke the tenant's API keys."""

    path = "/v1/api-keys"
    tags = ["API Keys"]

    @get(
        "/",
        operation_id="list_api_keys",
        opt=allow(ADMINS),
        summary="List Api Keys",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_api_keys(
        self, caller: NamedDependency[Caller], keys_admin: NamedDependency[ApiKeyService]
    ) -> ListApiKeysResponse:
        """Every key of the tenant, revoked ones with `revokedAt`; key values are never listed."""
        return keys_admin.list_keys(caller.tenant_id)

    @post(
        "/",
        operation_id="create_api_key",
        opt=allow(ADMINS),
        summary="Create Api Key",
        status_code=200,
        dto=JsonBody[CreateApiKeyRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def create_api_key(
        self,
        caller: NamedDependency[Caller],
        keys_admin: NamedDependency[ApiKeyService],
        data: JSONBody[CreateApiKeyRequest],
    ) -> CreateApiKeyResponse:
        """A new key with the caller's role; the full key is in this answer only, `expiresAt` is set by the server."""
        return keys_admin.create(caller.tenant_id, caller.role, data)

    @delete(
        "/{key_id:str}",
        operation_id="revoke_api_key",
        opt=allow(ADMINS),
        summary="Revoke Api Key",
        status_code=200,
        sync_to_thread=True,
        # the contract's answer is an empty body, documented without content
        responses={**ERROR_RESPONSES, 200: ResponseSpec(data_container=None, description="Revoked (empty body).")},
    )
    def revoke_api_key(
        self, caller: NamedDependency[Caller], keys_admin: NamedDependency[ApiKeyService], key_id: FromPath[str]
    ) -> Response[bytes]:
        """Soft and idempotent: 200 with an empty body; the key is refused within a second on every worker."""
        keys_admin.revoke(caller.tenant_id, key_id)
        return Response(b"", status_code=200, media_type=MediaType.TEXT)
