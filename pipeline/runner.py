"""Runs the dataflow on a background thread with Bytewax recovery, restarts it when it dies, stops it cleanly.

Steps turn bad messages into dead letters and wait out outages, so the flow should not die; if it
does anyway (a bug), the supervisor restarts it from its last snapshot with backoff, and `/ready`
reports the restarts.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bytewax.dataflow import Dataflow
from bytewax.recovery import RecoveryConfig, init_db_dir
from bytewax.testing import run_main
from prometheus_client import Counter

log = logging.getLogger("evwatch.pipeline")

# Builds the flow; the event tells its sources to end and its retries to give up.
FlowFactory = Callable[[threading.Event], Dataflow]

RESTARTS = Counter("evwatch_pipeline_restarts_total", "Times the dataflow died and was restarted")
_FIRST_DELAY_S = 1.0
_MAX_DELAY_S = 60.0
# A flow that ran this long before dying starts the backoff again from the first delay.
_HEALTHY_RUN_S = 300.0


class PipelineThread:
    """The dataflow on its own thread; offsets and state are snapshotted into `recovery_dir`."""

    def __init__(self, build: FlowFactory, recovery_dir: Path, snapshot_interval: timedelta) -> None:
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self.restarts = 0
        self._running = threading.Event()
        self._build = build
        self._recovery_dir = recovery_dir
        self._snapshot_interval = snapshot_interval
        self._thread = threading.Thread(target=self._supervise, name="evwatch-pipeline", daemon=True)

    def _recovery(self) -> RecoveryConfig:
        if not any(self._recovery_dir.glob("part-*.sqlite3")):
            self._recovery_dir.mkdir(parents=True, exist_ok=True)
            init_db_dir(self._recovery_dir, 1)
        return RecoveryConfig(self._recovery_dir)

    def _run_once(self) -> None:
        self._running.set()
        try:
            run_main(
                self._build(self.stop_event),
                epoch_interval=self._snapshot_interval,
                recovery_config=self._recovery(),
            )
        finally:
            self._running.clear()

    def _supervise(self) -> None:
        delay = _FIRST_DELAY_S
        while not self.stop_event.is_set():
            started = time.monotonic()
            try:
                self._run_once()
                return  # sources ended: asked to stop
            except BaseException as exc:  # surfaced through /ready, the log and a metric
                self.error = exc
                if self.stop_event.is_set():
                    return
                if time.monotonic() - started > _HEALTHY_RUN_S:
                    delay = _FIRST_DELAY_S
                self.restarts += 1
                RESTARTS.inc()
                log.exception("pipeline stopped with an error; restart %d in %.0f s", self.restarts, delay)
                self.stop_event.wait(delay)
                delay = min(delay * 2, _MAX_DELAY_S)

    def start(self) -> None:
        """Start consuming."""
        self._thread.start()

    @property
    def alive(self) -> bool:
        """True while the dataflow runs (not while it waits to be restarted)."""
        return self._thread.is_alive() and self._running.is_set()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask every source partition to end, then wait for the flow to drain."""
        self.stop_event.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("pipeline did not stop within %.0f s", timeout)
