"""`lastUsedAt` of API keys: noted in memory on every request, written in one batch now and then.

A write per request would double the cost of every call and hammer one row per key; instead each
worker keeps the latest use per key and a background thread flushes it (at most once per flush
interval per key and worker). A crash loses at most one interval of "last used" times, never a key.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

log = logging.getLogger("evwatch.auth")


class KeyUsage:
    """The latest use of each key since the last flush."""

    def __init__(self, write: Callable[[list[tuple[str, str, datetime]]], None]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, str], datetime] = {}

    def note(self, tenant_id: str, key_id: str, at: datetime) -> None:
        """Remember that the key was used at `at` (no I/O)."""
        with self._lock:
            self._pending[(tenant_id, key_id)] = at

    def flush(self) -> bool:
        """Write what was noted; on failure it is kept for the next flush. Never more work to do at once."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return False
        try:
            self._write([(tenant, key, at) for (tenant, key), at in pending.items()])
        except BaseException:
            with self._lock:
                for entry, at in pending.items():  # a newer use noted meanwhile wins
                    self._pending[entry] = max(at, self._pending.get(entry, at))
            raise
        return False

    def close(self) -> None:
        """A last flush when the process stops; losing it costs only "last used" times."""
        try:
            self.flush()
        except Exception as exc:  # the store may already be gone on the way down
            log.warning("lastUsedAt of %d keys not written: %s", len(self._pending), exc)
