"""A worker on a background thread that never dies of an error: it logs, waits and tries again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from prometheus_client import Counter

from evwatch.outages import is_outage

log = logging.getLogger("evwatch.workers")

WORKER_ERRORS = Counter("evwatch_worker_errors_total", "Passes of a background worker that failed", ["worker", "cause"])
_MAX_DELAY_S = 60.0


class WorkerThread:
    """Runs `step` every `interval_s` (at once again while it reports more work) until stopped."""

    def __init__(
        self,
        name: str,
        step: Callable[[], bool],
        interval_s: float,
        *,
        stop: threading.Event | None = None,
        on_stop: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.error: BaseException | None = None
        self._on_stop = on_stop
        self._step = step
        self._interval_s = interval_s
        # Shared with the step when it waits for a dependency itself, so stopping interrupts that wait.
        self._stop = stop or threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"evwatch-{name}", daemon=True)

    def _run(self) -> None:
        delay = self._interval_s
        while not self._stop.is_set():
            try:
                more = self._step()
            except Exception as exc:  # the work stays where it is (stored); the next pass finds it again
                self.error = exc
                WORKER_ERRORS.labels(worker=self.name, cause=type(exc).__name__).inc()
                if is_outage(exc):
                    log.warning("%s: dependency unavailable (%s); retrying in %.0f s", self.name, exc, delay)
                else:
                    log.exception("%s: pass failed; retrying in %.0f s", self.name, delay)
                self._stop.wait(delay)
                delay = min(max(delay, 1.0) * 2, _MAX_DELAY_S)
                continue
            self.error = None
            delay = self._interval_s
            if not more:
                self._stop.wait(self._interval_s)

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    @property
    def alive(self) -> bool:
        """True while the thread runs."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the current pass and stop; then `on_stop` releases what the step held."""
        self._stop.set()
        self._thread.join(timeout)
        if self._on_stop is not None:
            self._on_stop()
