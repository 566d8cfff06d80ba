"""Runs a dataflow on a background thread with Bytewax recovery, and stops it cleanly."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bytewax.dataflow import Dataflow
from bytewax.recovery import RecoveryConfig, init_db_dir
from bytewax.testing import run_main

log = logging.getLogger("evwatch.pipeline")

# Builds the flow; the event tells its sources to end and its retries to give up.
FlowFactory = Callable[[threading.Event], Dataflow]


class PipelineThread:
    """The dataflow on its own thread; offsets and state are snapshotted into `recovery_dir`."""

    def __init__(self, build: FlowFactory, recovery_dir: Path, snapshot_interval: timedelta) -> None:
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self._build = build
        self._recovery_dir = recovery_dir
        self._snapshot_interval = snapshot_interval
        self._thread = threading.Thread(target=self._run, name="evwatch-pipeline", daemon=True)

    def _recovery(self) -> RecoveryConfig:
        if not any(self._recovery_dir.glob("part-*.sqlite3")):
            self._recovery_dir.mkdir(parents=True, exist_ok=True)
            init_db_dir(self._recovery_dir, 1)
        return RecoveryConfig(self._recovery_dir)

    def _run(self) -> None:
        try:
            run_main(
                self._build(self.stop_event),
                epoch_interval=self._snapshot_interval,
                recovery_config=self._recovery(),
            )
        except BaseException as exc:  # surfaced through /ready and the log
            self.error = exc
            log.exception("pipeline stopped with an error")

    def start(self) -> None:
        """Start consuming."""
        self._thread.start()

    @property
    def alive(self) -> bool:
        """True while the dataflow runs."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask every source partition to end, then wait for the flow to drain."""
        self.stop_event.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("pipeline did not stop within %.0f s", timeout)
