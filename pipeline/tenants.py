"""Which tenants exist, as the dataflow sees them: a short-lived cache over the tenants table.

Producers on the public topics are charging backends, trusted to name the tenant they belong to
but not to invent one: a message for a tenant that does not exist is a dead letter.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

# Tenants are created while the service runs; an unknown one is asked about again this soon.
_UNKNOWN_TTL_S = 2.0
_KNOWN_TTL_S = 300.0


class KnownTenants:
    """`known(ids)` answers from the cache and asks storage only about ids it has not seen lately."""

    def __init__(self, lookup: Callable[[set[str]], set[str]], clock: Callable[[], float] = time.monotonic) -> None:
        self._lookup = lookup
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[bool, float]] = {}

    def known(self, tenant_ids: Iterable[str]) -> set[str]:
        """The ids among `tenant_ids` that name an existing tenant."""
        now = self._clock()
        wanted = set(tenant_ids)
        answers: dict[str, bool] = {}
        with self._lock:
            for tenant_id in wanted:
                hit = self._seen.get(tenant_id)
                if hit is not None and hit[1] > now:
                    answers[tenant_id] = hit[0]
        missing = wanted - set(answers)
        if missing:
            found = self._lookup(missing)
            with self._lock:
                for tenant_id in missing:
                    exists = tenant_id in found
                    answers[tenant_id] = exists
                    self._seen[tenant_id] = (exists, now + (_KNOWN_TTL_S if exists else _UNKNOWN_TTL_S))
                if len(self._seen) > 100_000:  # unknown ids from a misbehaving producer must not pile up
                    self._seen = {k: v for k, v in self._seen.items() if v[0] and v[1] > now}
        return {tenant_id for tenant_id, exists in answers.items() if exists}
