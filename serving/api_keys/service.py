"""A tenant's keys: listed without their values, created with the caller's role and a server-set expiry, revoked softly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from evwatch.clock import utc_now
from evwatch.domain.api_keys import ApiKeyInfo, NewKey, generate_key
from evwatch.domain.errors import NotFound
from serving.api_keys.schemas import ApiKey, CreateApiKeyRequest, CreateApiKeyResponse, ListApiKeysResponse


class KeyIssuer(Protocol):
    """Storing a new key, hashed (`evwatch.storage.tenants.ClickHouseTenantStore`)."""

    def insert_api_key(
        self,
        tenant_id: str,
        key: NewKey,
        role: str,
        description: str | None,
        created_at: datetime,
        expires_at: datetime | None,
        name: str = "",
    ) -> None: ...


class ApiKeyStore(KeyIssuer, Protocol):
    """What the key service needs from storage."""

    def list_api_keys(self, tenant_id: str) -> list[ApiKeyInfo]: ...

    def revoke_api_key(self, tenant_id: str, key_id: str, at: datetime) -> bool: ...


class ApiKeyService:
    """The key use cases of a tenant's admins."""

    def __init__(self, store: ApiKeyStore, lifetime: timedelta, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._lifetime = lifetime
        self._clock = clock

    def list_keys(self, tenant_id: str) -> ListApiKeysResponse:
        """Every key of the tenant, newest first; values are never stored, so never listed."""
        return ListApiKeysResponse(
            items=[
                ApiKey(
                    id=k.key_id,
                    name=k.name,
                    description=k.description,
                    tenant_id=k.tenant_id,
                    created_at=k.created_at,
                    expires_at=k.expires_at,
                    last_used_at=k.last_used_at,
                    revoked_at=k.revoked_at,
                )
                for k in self._store.list_api_keys(tenant_id)
            ]
        )

    def create(self, tenant_id: str, role: str, body: CreateApiKeyRequest) -> CreateApiKeyResponse:
        """A new key with the caller's own role (so no key can raise a role), expiring after the configured lifetime."""
        now = self._clock()
        expires_at = now + self._lifetime
        key = generate_key()
        self._store.insert_api_key(tenant_id, key, role, body.description, now, expires_at, name=body.name)
        return CreateApiKeyResponse(
            id=key.key_id, name=body.name, key=key.plain, tenant_id=tenant_id, expires_at=expires_at, created_at=now
        )

    def revoke(self, tenant_id: str, key_id: str) -> None:
        """Soft and idempotent: the key stays listed with its first `revokedAt`; another tenant's key is 404."""
        if not self._store.revoke_api_key(tenant_id, key_id, self._clock()):
            raise NotFound(f"API key {key_id!r} not found.")
