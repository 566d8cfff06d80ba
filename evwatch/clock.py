"""The one place evwatch reads the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

# Epoch seconds; injected where logic depends on wall time (station windows), so tests can fix it.
Clock = Callable[[], float]


def wall_clock() -> float:
    """Seconds since the epoch."""
    return time.time()


def utc_now() -> datetime:
    """Current time, tz-aware UTC, at the millisecond precision ClickHouse stores."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
