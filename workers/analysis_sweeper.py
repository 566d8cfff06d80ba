"""Completes the analyses the API could not run (the inference service was unavailable).

The API stores such a write with `analysis_pending` and answers; this worker finds sessions written
through the API whose readings are not all analysed yet, and analyses them once the inference
service answers again. It reads what is stored, so a restart loses nothing.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from evwatch.analysis import SessionAnalyser
from evwatch.domain.sessions import MIN_READINGS, AnalysisRecord
from evwatch.failures import isolate
from evwatch.storage.sessions import SessionStore
from workers.follow import Follower

log = logging.getLogger("evwatch.workers.sweeper")

STEP = "sweep_analyses"


class AnalysisSweeper:
    """One pass analyses every session written through the API whose readings are not all analysed.

    Sessions written in the last `grace` are left to the request (or the dataflow) that wrote them.
    """

    def __init__(
        self,
        store: SessionStore,
        analyser: SessionAnalyser,
        follower: Follower,
        clock: Callable[[], datetime],
        stop: threading.Event,
        grace: timedelta = timedelta(seconds=10),
    ) -> None:
        self.store = store
        self.analyser = analyser
        self.follower = follower
        self.clock = clock
        self.stop = stop
        self.grace = grace

    def __call__(self) -> bool:
        """Sweep once; never reports more work (the next pass comes after the interval)."""
        by_tenant: dict[str, list[str]] = {}
        for tenant_id, session_id in self.store.sessions_written_by_api(self.follower.since()):
            by_tenant.setdefault(tenant_id, []).append(session_id)
        settled = self.clock() - self.grace
        for tenant_id, session_ids in by_tenant.items():
            heads, _ = self.store.heads(tenant_id, session_ids)
            analysed = self.store.analysed_counts(tenant_id, heads)
            pending = [
                sid
                for sid, head in heads.items()
                if head.reading_count >= MIN_READINGS
                and analysed.get(sid, 0) < head.reading_count
                and head.session.updated_at <= settled
            ]
            if pending:
                log.info("completing %d pending analyses of tenant %s", len(pending), tenant_id)
                isolate(
                    STEP,
                    pending,
                    functools.partial(self.analyser.analyse, tenant_id),
                    functools.partial(self._failed, tenant_id),
                    self.stop,
                )
        self.follower.caught_up()
        return False

    def _failed(self, tenant_id: str, session_id: str, exc: Exception) -> list[AnalysisRecord]:
        self.analyser.record_failure(tenant_id, session_id, exc)
        return []
