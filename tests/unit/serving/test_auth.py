"""Key lookups are cached in bounded memory; each key has a token-bucket rate limit."""

from __future__ import annotations

import secrets
import tracemalloc
from datetime import UTC, datetime

from evwatch.domain.api_keys import ApiKeyRecord
from serving.auth import KeyCache
from serving.rate_limit import RateLimiter

KNOWN = ApiKeyRecord("t", "k1", "admin", None, None)


def test_hits_and_misses_are_cached_until_they_expire() -> None:
    asked: list[str] = []
    now = [0.0]

    def find(key_hash: str) -> ApiKeyRecord | None:
        asked.append(key_hash)
        return KNOWN if key_hash == "known" else None

    keys = KeyCache(find, clock=lambda: now[0])
    assert keys.lookup("known") == KNOWN and keys.lookup("random") is None
    assert keys.lookup("known") == KNOWN and keys.lookup("random") is None
    assert asked == ["known", "random"]
    now[0] = 1.5  # revocation shows within a second
    keys.lookup("known")
    assert asked[-1] == "known"


def test_an_entry_expiring_during_the_lookup_is_looked_up_again() -> None:
    # The clock moves between any two readings: an entry alive when its presence is checked may be
    # gone when it is read. That must be a miss, never a KeyError (a 500 for the request).
    ticks = iter(i * 0.6 for i in range(1000))
    found: list[str] = []

    def find(key_hash: str) -> None:
        found.append(key_hash)

    keys = KeyCache(find, clock=lambda: next(ticks))
    for _ in range(20):
        assert keys.lookup("h") is None
    assert found


def test_a_hundred_thousand_random_tokens_leave_memory_flat() -> None:
    keys = KeyCache(lambda _: None)
    # only the cache's own allocations count: the session's services run threads of their own
    tracemalloc.start()
    try:
        for _ in range(100_000):  # fill the cache to its bound (and its dict to its final size)
            keys.lookup(secrets.token_hex(32))
        baseline = tracemalloc.take_snapshot()
        for _ in range(100_000):
            keys.lookup(secrets.token_hex(32))
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    cache_files = [tracemalloc.Filter(True, "*cachetools*"), tracemalloc.Filter(True, "*serving/auth.py")]
    grown = sum(
        stat.size_diff
        for stat in after.filter_traces(cache_files).compare_to(baseline.filter_traces(cache_files), "filename")
    )
    assert len(keys) <= 20_000
    assert grown < 64 * 1024, f"grew by {grown} bytes"


def test_a_key_gets_its_burst_then_its_steady_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_s=2.0, burst=3.0, clock=lambda: now[0])
    assert [limiter.retry_after("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.retry_after("k") == 0.5
    assert limiter.retry_after("other") == 0.0  # buckets are per key
    now[0] = 0.5
    assert limiter.retry_after("k") == 0.0


def test_a_usable_key_is_neither_revoked_nor_expired() -> None:
    from evwatch.domain.api_keys import is_usable

    now = datetime(2026, 3, 1, tzinfo=UTC)
    assert is_usable(KNOWN, now)
    assert not is_usable(ApiKeyRecord("t", "k", "admin", now, None), now)
    assert not is_usable(ApiKeyRecord("t", "k", "admin", None, now), now)
