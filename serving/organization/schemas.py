"""Bodies of `/v1/organization`, as the contract names them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

OrganizationName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Detail = Annotated[str, msgspec.Meta(max_length=500)]


class UpdateOrganizationRequest(msgspec.Struct, rename="camel"):
    """The full organization record: an omitted or `null` optional field is cleared."""

    name: OrganizationName
    phone: Detail | None = None
    address: Detail | None = None
    tax_id_type: Detail | None = None
    tax_id_value: Detail | None = None


class Organization(msgspec.Struct, rename="camel"):
    """The tenant's organization. After open signup, `tenantId` is the new tenant the caller now acts in."""

    id: str
    tenant_id: str
    name: str
    created_at: datetime
    phone: str | None = None
    address: str | None = None
    tax_id_type: str | None = None
    tax_id_value: str | None = None
    updated_at: datetime | None = None
