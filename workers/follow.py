"""How far back a worker that follows committed API writes looks.

A write's commit time is taken before its insert, so a slow insert can land behind a worker that
already moved on. Workers therefore stay `lag` behind the clock, and look at the whole horizon when
they start and every `rescan`: what a crash or a long outage left behind is found again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta


class Follower:
    """The lower bound of the commit times a worker reads next."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        horizon: timedelta,
        lag: timedelta = timedelta(seconds=60),
        rescan: timedelta = timedelta(minutes=10),
    ) -> None:
        self._clock = clock
        self._horizon = horizon
        self._lag = lag
        self._rescan = rescan
        self._since: datetime | None = None
        self._scanned_at: datetime | None = None

    def since(self) -> datetime:
        """Where the next read starts: the horizon after a start and every `rescan`, else the watermark."""
        now = self._clock()
        if self._since is None or self._scanned_at is None or now - self._scanned_at >= self._rescan:
            self._since = now - self._horizon
            self._scanned_at = now
        return self._since

    def caught_up(self) -> None:
        """Everything committed until `lag` ago is handled: later reads start there."""
        watermark = self._clock() - self._lag
        if self._since is None or watermark > self._since:
            self._since = watermark
