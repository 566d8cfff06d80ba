"""Per-key token buckets: a generous steady rate with room for bursts, answered with 429 beyond it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache

# Buckets of keys idle this long are forgotten (a forgotten bucket starts full again).
_IDLE_S = 600.0
_MAX_BUCKETS = 100_000


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """`retry_after(key)`: 0 when a request may go ahead, else the seconds until it may."""

    def __init__(self, rate_per_s: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: TTLCache[str, _Bucket] = TTLCache(maxsize=_MAX_BUCKETS, ttl=_IDLE_S, timer=clock)

    def retry_after(self, key: str) -> float:
        """Take one token for `key` if there is one; otherwise how long until there is."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(key) or _Bucket(self.burst, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            self._buckets[key] = bucket
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate
