"""Bearer API-key authentication, per-key rate limits and role checks: every /v1 handler receives the caller.

The token is checked before the body is read (a dependency of every /v1 route). Lookups are
cached briefly, hits and misses alike, in a bounded cache, so random tokens cannot grow memory,
and a miss costs one indexed point query.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cachetools import TTLCache
from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, TooManyRequestsException

from evwatch.clock import utc_now
from evwatch.domain.api_keys import ApiKeyRecord, hash_key, is_usable
from serving.access import enforce
from serving.rate_limit import RateLimiter

# Revocation and expiry take effect within this many seconds on every worker.
_CACHE_TTL_S = 1.0
_CACHE_SIZE = 20_000
_UNAUTHORIZED = "Missing or invalid bearer token."


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: tenant and role."""

    tenant_id: str
    role: str
    key_id: str


class KeyCache:
    """A short-lived, bounded cache of key lookups so each request does not query ClickHouse."""

    def __init__(self, find: Callable[[str], ApiKeyRecord | None], clock: Callable[[], float] = time.monotonic) -> None:
        self._find = find
        self._lock = threading.Lock()
        self._entries: TTLCache[str, ApiKeyRecord | None] = TTLCache(maxsize=_CACHE_SIZE, ttl=_CACHE_TTL_S, timer=clock)

    def lookup(self, key_hash: str) -> ApiKeyRecord | None:
        """The stored key for this hash, or None (both cached briefly)."""
        with self._lock:
            if key_hash in self._entries:
                return self._entries[key_hash]
        record = self._find(key_hash)
        with self._lock:
            self._entries[key_hash] = record
        return record

    def __len__(self) -> int:
        return len(self._entries)


def provide_caller(
    request: Request[Any, Any, Any], keys: NamedDependency[KeyCache], limiter: NamedDependency[RateLimiter]
) -> Caller:
    """Resolve `Authorization: Bearer <key>` to a Caller, or answer 401; 429 past the key's rate."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException(_UNAUTHORIZED)
    record = keys.lookup(hash_key(token.strip()))
    if record is None or not is_usable(record, utc_now()):
        raise NotAuthorizedException(_UNAUTHORIZED)
    wait = limiter.retry_after(record.key_id)
    if wait > 0:
        raise TooManyRequestsException(
            f"Rate limit of this API key reached; retry in {math.ceil(wait)} s.",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    # the route's declared roles, checked here so a refused caller never reaches the body
    enforce(record.role, request.route_handler.opt)
    return Caller(record.tenant_id, record.role, record.key_id)
