"""Runs the dataflow on a background thread with Bytewax recovery, and stops it cleanly."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from bytewax.recovery import RecoveryConfig, init_db_dir
from bytewax.testing import run_main

from evwatch.config import Settings
from evwatch.session_service import SessionService
from pipeline.flow import PipelineDeps, build_flow

log = logging.getLogger("evwatch.pipeline")


class PipelineThread:
    """The Bytewax flow on its own thread; offsets and state are snapshotted under `var/`."""

    def __init__(self, settings: Settings, sessions: SessionService) -> None:
        self.settings = settings
        self.stop_event = threading.Event()
        self.deps = PipelineDeps(settings, sessions, self.stop_event)
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="evwatch-pipeline", daemon=True)

    def _recovery(self) -> RecoveryConfig:
        directory = self.settings.recovery_dir
        if not any(directory.glob("part-*.sqlite3")):
            directory.mkdir(parents=True, exist_ok=True)
            init_db_dir(directory, 1)
        return RecoveryConfig(directory)

    def _run(self) -> None:
        try:
            run_main(
                build_flow(self.deps),
                epoch_interval=timedelta(seconds=self.settings.pipeline.snapshot_interval_s),
                recovery_config=self._recovery(),
            )
        except BaseException as exc:  # noqa: BLE001 - surfaced through /ready and the log
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
