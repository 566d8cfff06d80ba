"""Bodies of `/v1/api-keys`, as the contract names them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

KeyName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
KeyDescription = Annotated[str, msgspec.Meta(max_length=1000)]


class CreateApiKeyRequest(msgspec.Struct, rename="camel"):
    """Body of `POST /v1/api-keys`; the key gets the caller's own role."""

    name: KeyName
    description: KeyDescription | None = None


class CreateApiKeyResponse(msgspec.Struct, rename="camel"):
    """A new key; `key` is shown only in this answer."""

    id: str
    name: str
    key: str
    tenant_id: str
    expires_at: datetime | None
    created_at: datetime


class ApiKey(msgspec.Struct, rename="camel"):
    """A key as listed: never its value."""

    id: str
    name: str
    description: str | None
    tenant_id: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ListApiKeysResponse(msgspec.Struct, rename="camel"):
    """Every key of the tenant, revoked ones included."""

    items: list[ApiKey]
