"""The triage worker: every stored analysis becomes anomaly rows, issues and events, at least once.

Analyses are stored by the dataflow, the API and the sweeper; this worker follows them in the store
rather than hooking each path, so none is missed and a crash anywhere only delays triage. It reads
analyses it has not handled, stores what `evwatch.domain.triage.triage` makes of each, announces
`anomaly.detected` and `incident.created` (ids derived from what they name, so a repeat carries the
same id), and only then marks them handled. A crash in between handles them again: same rows, same ids.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import msgspec
from prometheus_client import Counter

from evwatch.contracts.events import AnomalyDetected, IncidentCreated
from evwatch.domain.sessions import AnalysisRecord
from evwatch.domain.triage import TriageState, category_id, derived_id, triage
from evwatch.storage.anomalies import ClickHouseTriageStore
from workers.follow import Follower
from workers.outbox import Publish

log = logging.getLogger("evwatch.workers.triage")

TRIAGED = Counter("evwatch_triaged_analyses_total", "Analyses turned into anomalies and issues")
ISSUES_OPENED = Counter("evwatch_issues_opened_total", "Issues opened by incidents")


def _state(store: ClickHouseTriageStore, record: AnalysisRecord) -> TriageState:
    return TriageState(
        anomalies=store.session_anomalies(record.tenant_id, record.session_id),
        open_on_connector=store.open_issues_on(record.tenant_id, record.charging_station_id, record.connector_id or "")
        if record.is_incident
        else {},
        covering_session=[issue for _, issue in store.issues_covering(record.tenant_id, [record.session_id])],
    )


class TriageWorker:
    """One pass handles up to `batch` analyses, oldest first."""

    def __init__(
        self,
        store: ClickHouseTriageStore,
        publish: Publish,
        follower: Follower,
        clock: Callable[[], datetime],
        batch: int = 200,
    ) -> None:
        self.store = store
        self.publish = publish
        self.follower = follower
        self.clock = clock
        self.batch = batch

    def __call__(self) -> bool:
        """Triage one batch; True when there may be more."""
        analyses = self.store.untriaged(self.follower.since(), self.batch)
        # one at a time: an incident's issue must exist before the next session on the connector looks
        for record in analyses:
            self._handle(record)
        self.store.mark_triaged(analyses, self.clock())
        TRIAGED.inc(len(analyses))
        if len(analyses) < self.batch:
            self.follower.caught_up()
            return False
        return True

    def _handle(self, record: AnalysisRecord) -> None:
        result = triage(record, _state(self.store, record))
        self.store.write_triage(result.anomalies, result.opened, result.links, result.history)
        messages: list[tuple[bytes, bytes]] = []
        key = f"{record.tenant_id}/{record.session_id}".encode()
        for row in result.detected:
            event = AnomalyDetected(
                event_id=derived_id(row.anomaly_id, row.inference_id),
                tenant_id=row.tenant_id,
                session_id=row.session_id,
                anomaly_id=row.anomaly_id,
                anomaly_type=row.category,
                anomaly_type_id=category_id(row.category),
                charging_station_id=row.charging_station_id,
                connector_id=row.connector_id,
                risk_score=row.risk_score,
                period_start=row.period_start,
                period_end=row.period_end,
                detected_at=row.updated_at,
            )
            messages.append((key, msgspec.json.encode(event)))
        for issue in result.opened:
            incident = IncidentCreated(
                event_id=issue.issue_id,
                tenant_id=issue.tenant_id,
                issue_id=issue.issue_id,
                session_id=record.session_id,
                anomaly_type=issue.category,
                anomaly_type_id=category_id(issue.category),
                charging_station_id=issue.charging_station_id,
                connector_id=issue.connector_id,
                status=issue.status,
                opened_at=issue.opened_at,
            )
            messages.append((key, msgspec.json.encode(incident)))
        if messages:
            self.publish(messages)
        ISSUES_OPENED.inc(len(result.opened))
