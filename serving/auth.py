"""Bearer authentication (API keys and member JWTs), per-caller rate limits and role checks.

Every /v1 route is guarded (`auth_guard`), and Litestar runs guards before it reads a body: the token is an API key (looked up
by hash) or a member token (verified, then resolved to a membership). Key lookups are cached
briefly, hits and misses alike, in a bounded cache, so random tokens cannot grow memory, and a miss
costs one indexed point query.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from anyio import to_thread
from cachetools import TTLCache
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, TooManyRequestsException
from litestar.handlers import BaseRouteHandler
from litestar.types import Guard

from evwatch.clock import utc_now
from evwatch.domain.api_keys import ApiKeyRecord, hash_key, is_usable
from evwatch.tokens import InvalidToken, TokenVerifier, looks_like_jwt
from serving.access import NO_TENANT, enforce
from serving.key_usage import KeyUsage
from serving.members.directory import MemberDirectory, NotAMember
from serving.rate_limit import RateLimiter

log = logging.getLogger("evwatch.auth")

# Revocation and expiry take effect within this many seconds on every worker.
_CACHE_TTL_S = 1.0
_ABSENT = object()
_CACHE_SIZE = 20_000
_UNAUTHORIZED = "Missing or invalid bearer token."
_PRINCIPAL = "evwatch_principal"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who presented the token. `tenant_id` and `role` are None only for a signed-up user without a tenant."""

    tenant_id: str | None
    role: str | None
    # what the rate limit counts: one bucket per key or per user
    subject: str
    user_id: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling, within a tenant: what every tenant-scoped handler receives."""

    tenant_id: str
    role: str
    subject: str
    # set for a member's token, None for an API key
    user_id: str | None = None


class KeyCache:
    """A short-lived, bounded cache of key lookups so each request does not query ClickHouse."""

    def __init__(self, find: Callable[[str], ApiKeyRecord | None], clock: Callable[[], float] = time.monotonic) -> None:
        self._find = find
        self._lock = threading.Lock()
        self._entries: TTLCache[str, ApiKeyRecord | None] = TTLCache(maxsize=_CACHE_SIZE, ttl=_CACHE_TTL_S, timer=clock)

    def lookup(self, key_hash: str) -> ApiKeyRecord | None:
        """The stored key for this hash, or None (both cached briefly)."""
        with self._lock:
            # One read: the TTL clock moves between a membership test and a read, so an entry may
            # expire between the two.
            cached = self._entries.get(key_hash, _ABSENT)
        if cached is not _ABSENT:
            return cast("ApiKeyRecord | None", cached)
        record = self._find(key_hash)
        with self._lock:
            self._entries[key_hash] = record
        return record

    def __len__(self) -> int:
        return len(self._entries)


class Authenticator:
    """Turns a bearer token into a Principal, or refuses it (None)."""

    def __init__(
        self,
        keys: KeyCache,
        usage: KeyUsage,
        tokens: TokenVerifier | None = None,
        members: MemberDirectory | None = None,
    ) -> None:
        self._keys = keys
        self._usage = usage
        self._tokens = tokens
        self._members = members

    def authenticate(self, token: str) -> Principal | None:
        """The principal of a usable API key or a verified member token; None for anything else."""
        if self._tokens is not None and self._members is not None and looks_like_jwt(token):
            return self._member(token, self._tokens, self._members)
        now = utc_now()
        record = self._keys.lookup(hash_key(token))
        if record is None or not is_usable(record, now):
            return None
        self._usage.note(record.tenant_id, record.key_id, now)
        return Principal(record.tenant_id, record.role, f"key:{record.key_id}")

    @staticmethod
    def _member(token: str, tokens: TokenVerifier, members: MemberDirectory) -> Principal | None:
        try:
            membership = members.resolve(tokens.verify(token))
        except (InvalidToken, NotAMember) as exc:
            # why, for the operator; the token itself is never logged
            log.info("member token refused: %s", exc)
            return None
        return Principal(
            membership.tenant_id, membership.role, f"user:{membership.user_id}", membership.user_id, membership.email
        )


def admit(authorization: str, opt: Mapping[str, Any], authenticator: Authenticator, limiter: RateLimiter) -> Principal:
    """The principal of `Authorization: Bearer <token>`, or 401; 429 past the caller's rate; 403 outside the route's roles."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException(_UNAUTHORIZED)
    principal = authenticator.authenticate(token.strip())
    if principal is None:
        raise NotAuthorizedException(_UNAUTHORIZED)
    wait = limiter.retry_after(principal.subject)
    if wait > 0:
        raise TooManyRequestsException(
            f"Rate limit of this caller reached; retry in {math.ceil(wait)} s.",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    enforce(principal.role, principal.tenant_id is not None, opt)
    return principal


def auth_guard(authenticator: Callable[[], Authenticator], limiter: RateLimiter) -> Guard:
    """The /v1 guard: Litestar runs guards before it reads the body, dependencies only after.

    So an unauthenticated or refused caller gets its 401/403 without the server buffering or
    decoding a byte of the body (up to the 16 MiB limit); the principal waits in the request state.
    """

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # Litestar's own preflight answer: no data, no caller
        authorization = connection.headers.get("authorization", "")
        # a key lookup or a JWKS fetch may block: off the event loop
        principal = await to_thread.run_sync(admit, authorization, handler.opt, authenticator(), limiter)
        connection.state[_PRINCIPAL] = principal

    return guard


def provide_principal(request: Request[Any, Any, Any]) -> Principal:
    """The principal the guard admitted."""
    principal = request.state.get(_PRINCIPAL)
    if not isinstance(principal, Principal):
        raise NotAuthorizedException(_UNAUTHORIZED)  # a route outside the guarded router
    return principal


def provide_caller(principal: NamedDependency[Principal]) -> Caller:
    """The principal within its tenant; a token without a tenant only reaches routes that admit it."""
    if principal.tenant_id is None or principal.role is None:
        raise PermissionDeniedException(NO_TENANT)
    return Caller(principal.tenant_id, principal.role, principal.subject, principal.user_id)
