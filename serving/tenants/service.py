"""Creating a tenant gives it an id chosen here and an `admin` key shown once; listing pages through them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from evwatch.clock import utc_now
from evwatch.domain.api_keys import generate_key
from evwatch.domain.roles import ADMIN
from evwatch.domain.tenants import new_tenant_id
from serving.api_keys.service import KeyIssuer
from serving.pagination import Page, Pagination
from serving.tenants.schemas import CreatedTenant, ListTenantsResponse, TenantSummary


class TenantStore(KeyIssuer, Protocol):
    """What the service needs from storage (`evwatch.storage.tenants.ClickHouseTenantStore`)."""

    def upsert_tenant(self, tenant_id: str, name: str, created_at: datetime) -> None: ...

    def list_tenants(self, offset: int, limit: int) -> tuple[list[tuple[str, str, datetime]], int]: ...


class TenantService:
    """The tenant use cases of evwatch's operators."""

    def __init__(self, store: TenantStore, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._clock = clock

    def create(self, name: str) -> CreatedTenant:
        """A new tenant with an `admin` key; the key is stored hashed and shown only in the answer."""
        now = self._clock()
        tenant_id = new_tenant_id(name)
        key = generate_key()
        # the tenant first: a crash before the key leaves an unreachable tenant (the caller retries and
        # gets a new id), never a working key of a tenant the pipeline does not know
        self._store.upsert_tenant(tenant_id, name, now)
        self._store.insert_api_key(
            tenant_id, key, ADMIN, f"first admin key of {name}"[:200], now, None, name="first admin key"
        )
        return CreatedTenant(tenant_id=tenant_id, name=name, api_key=key.plain, created_at=now)

    def list_tenants(self, page: Page) -> ListTenantsResponse:
        """One page of tenants, oldest first."""
        rows, total = self._store.list_tenants(page.number * page.size, page.size)
        return ListTenantsResponse(
            content=[TenantSummary(tenant_id=t, name=n, created_at=c) for t, n, c in rows],
            pagination=Pagination.of(page, total),
        )
