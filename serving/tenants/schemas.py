"""Bodies of `/v1/admin/tenants`; outside tools rely on these exact shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from serving.pagination import Pagination

TenantName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, description="Display name of the tenant.")]


class CreateTenantRequest(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """Body of `POST /v1/admin/tenants`."""

    name: TenantName


class CreatedTenant(msgspec.Struct, rename="camel"):
    """A new tenant and its first key (role `admin`), shown only in this answer."""

    tenant_id: str
    name: str
    api_key: str
    created_at: datetime


class TenantSummary(msgspec.Struct, rename="camel"):
    """One tenant in the list."""

    tenant_id: str
    name: str
    created_at: datetime


class ListTenantsResponse(msgspec.Struct, rename="camel"):
    """A page of tenants, oldest first."""

    content: list[TenantSummary]
    pagination: Pagination
