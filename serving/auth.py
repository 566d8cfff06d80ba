"""Bearer API-key authentication: every /v1 handler receives the calling tenant as `caller`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException

from evwatch.clock import utc_now
from evwatch.domain.api_keys import ApiKeyRecord, hash_key, is_usable
from evwatch.storage.tenants import ClickHouseTenantStore

# Revocation takes effect within this many seconds.
_CACHE_TTL_S = 5.0
_UNAUTHORIZED = "Missing or invalid bearer token."


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: tenant and role."""

    tenant_id: str
    role: str
    key_id: str


class KeyCache:
    """A short-lived cache of key lookups so each request does not query ClickHouse."""

    def __init__(self, tenants: ClickHouseTenantStore) -> None:
        self.tenants = tenants
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, ApiKeyRecord | None]] = {}

    def lookup(self, key_hash: str) -> ApiKeyRecord | None:
        """The stored key for this hash (cached briefly)."""
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key_hash)
        if hit and now - hit[0] < _CACHE_TTL_S:
            return hit[1]
        record = self.tenants.find_api_key(key_hash)
        with self._lock:
            self._entries[key_hash] = (now, record)
        return record


def provide_caller(request: Request[Any, Any, Any], keys: NamedDependency[KeyCache]) -> Caller:
    """Resolve `Authorization: Bearer <key>` to a Caller or answer 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException(_UNAUTHORIZED)
    record = keys.lookup(hash_key(token.strip()))
    if record is None or not is_usable(record, utc_now()):
        raise NotAuthorizedException(_UNAUTHORIZED)
    return Caller(record.tenant_id, record.role, record.key_id)
