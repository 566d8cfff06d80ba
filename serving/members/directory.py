"""Who a verified member token belongs to: its tenant and role, recorded on first use, refused once removed."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from cachetools import TTLCache

from evwatch.clock import utc_now
from evwatch.domain.members import MemberRecord
from evwatch.domain.roles import MEMBER
from evwatch.tokens import Claims

# Like API keys: a removal takes effect within this many seconds on every worker.
_CACHE_TTL_S = 1.0
_CACHE_SIZE = 20_000


class MemberStore(Protocol):
    """`evwatch.storage.members.ClickHouseMemberStore`."""

    def find(self, tenant_id: str, user_id: str) -> MemberRecord | None: ...

    def home_of(self, user_id: str) -> MemberRecord | None: ...

    def record(self, member: MemberRecord) -> None: ...


class NotAMember(Exception):
    """The token is valid, but its holder may not act in the tenant it names (removed, or no such tenant)."""


@dataclass(frozen=True, slots=True)
class Membership:
    """Where a token holder acts: `tenant_id` None for a signed-up user without a tenant yet."""

    user_id: str
    email: str
    tenant_id: str | None
    role: str | None


class MemberDirectory:
    """Resolves claims to a membership, caching lookups briefly (hits and misses) in bounded memory."""

    def __init__(
        self,
        store: MemberStore,
        tenant_exists: Callable[[str], bool],
        clock: Callable[[], datetime] = utc_now,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._tenant_exists = tenant_exists
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: TTLCache[tuple[str, str], MemberRecord | None] = TTLCache(
            maxsize=_CACHE_SIZE, ttl=_CACHE_TTL_S, timer=timer
        )

    def resolve(self, claims: Claims) -> Membership:
        """The token holder's membership; NotAMember if removed or if the named tenant does not exist."""
        if claims.tenant_id is None:
            return self._home(claims)
        member = self._lookup(claims.tenant_id, claims.subject)
        if member is None:
            if not self._tenant_exists(claims.tenant_id):
                raise NotAMember(f"tenant {claims.tenant_id!r} does not exist")
            member = MemberRecord(claims.tenant_id, claims.subject, claims.email, claims.role or MEMBER, self._clock())
            self.remember(member)
        elif not member.active:
            raise NotAMember(f"user {claims.subject!r} was removed from tenant {claims.tenant_id!r}")
        elif (claims.role is not None and claims.role != member.role) or claims.email != member.email:
            # the issuer's word is current: a promotion or a new address shows in the member list
            member = replace(member, role=claims.role or member.role, email=claims.email)
            self.remember(member)
        return Membership(member.user_id, member.email, member.tenant_id, member.role)

    def _home(self, claims: Claims) -> Membership:
        # A token without a tenant (open signup): the tenant this user created, if any.
        home = self._store.home_of(claims.subject)
        if home is None:
            return Membership(claims.subject, claims.email, None, None)
        return Membership(home.user_id, home.email, home.tenant_id, home.role)

    def _lookup(self, tenant_id: str, user_id: str) -> MemberRecord | None:
        entry = (tenant_id, user_id)
        with self._lock:
            if entry in self._cache:
                return self._cache[entry]
        member = self._store.find(tenant_id, user_id)
        with self._lock:
            self._cache[entry] = member
        return member

    def remember(self, member: MemberRecord) -> None:
        """Store a new or changed member and cache it."""
        self._store.record(member)
        with self._lock:
            self._cache[(member.tenant_id, member.user_id)] = member

    def forget(self, tenant_id: str, user_id: str) -> None:
        """Drop a cached lookup (after a removal, so this worker refuses at once)."""
        with self._lock:
            self._cache.pop((tenant_id, user_id), None)
