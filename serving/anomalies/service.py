"""The anomaly lists, an anomaly's detail, and people moving issues through their lifecycle.

Field readings (docs/triage.md): `chargingPointId` and `ocppChargingStationId` are the session's
`chargingStationId`; `evseId` and `connectorId` are its connector (OCPP 1.6 has one EVSE per
connector); `detectionLevel` is `session` (CSAR-2 findings).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

import msgspec

from evwatch.clock import utc_now
from evwatch.domain import ocpp
from evwatch.domain.categories import CATEGORIES
from evwatch.domain.errors import Conflict, FieldProblem, InvalidInput, NotFound
from evwatch.domain.explain.phrases import EN
from evwatch.domain.readings import StoredReading
from evwatch.domain.triage import (
    KEEP,
    LABELS,
    STATUSES,
    AnomalyRow,
    HistoryEntry,
    InvalidTransition,
    Issue,
    category_id,
    category_of,
    change_issue,
)
from evwatch.storage.anomalies import AnomalyFilters
from serving.anomalies.schemas import (
    Anomaly,
    AnomalyCategoryInfo,
    AnomalyConnectorSummary,
    AnomalyDetail,
    AnomalyIssue,
    AnomalyMeterPoint,
    AnomalyPeriod,
    AnomalySessionSummary,
    AnomalyTypeCount,
    ConnectorSort,
    IssueChangeView,
    IssueDetail,
    ListAnomaliesResponse,
    ListAnomalyConnectorsResponse,
    ListAnomalySessionsResponse,
    RiskScorePoint,
    SessionSort,
    SortDirection,
    UpdateIssueRequest,
)
from serving.pagination import Page, Pagination

DETECTION_LEVEL = "session"
# Readings shown around an anomaly's period, on each side.
_CONTEXT = timedelta(minutes=15)
_CONNECTOR_ORDER = {
    ConnectorSort.ANOMALY_COUNT: "anomaly_count DESC",
    ConnectorSort.DETECTION_DATE: "detection_date DESC",
    ConnectorSort.LAST_UPDATE: "last_update DESC",
}
_SESSION_ORDER = {
    SessionSort.ANOMALY_COUNT: "anomaly_count DESC",
    SessionSort.DETECTION_DATE: "detection_date DESC",
    SessionSort.LAST_UPDATE: "last_update DESC",
    SessionSort.AI_RISK_SCORE: "risk_score DESC",
}


class TriageStore(Protocol):
    """`evwatch.storage.anomalies.ClickHouseTriageStore`."""

    def list_anomalies(
        self, tenant_id: str, filters: AnomalyFilters, order: str, offset: int, limit: int
    ) -> tuple[list[AnomalyRow], int]: ...

    def aggregate(
        self, tenant_id: str, filters: AnomalyFilters, group: Sequence[str], order: str, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]: ...

    def anomaly(self, tenant_id: str, session_id: str, category: str) -> AnomalyRow | None: ...

    def issues_of(self, tenant_id: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Issue]]: ...

    def issue_sessions(self, tenant_id: str, issue_id: str) -> list[str]: ...

    def history(self, tenant_id: str, issue_ids: Iterable[str]) -> list[HistoryEntry]: ...

    def risk_timeline(self, tenant_id: str, session_id: str, category: str) -> list[tuple[datetime, float]]: ...

    def issue(self, tenant_id: str, issue_id: str) -> Issue | None: ...

    def save_issues(self, issues: Sequence[Issue]) -> None: ...

    def add_history(self, entries: Sequence[HistoryEntry]) -> None: ...

    def label(self, issue: Issue, label: str, at: datetime, by: str) -> None: ...


class SessionReadings(Protocol):
    """`evwatch.storage.sessions.ClickHouseSessionStore.load_readings`."""

    def load_readings(self, tenant_id: str, session_ids: Iterable[str]) -> dict[str, list[StoredReading]]: ...


def _issue_view(issue: Issue) -> AnomalyIssue:
    return AnomalyIssue(id=issue.issue_id, status_name=issue.status, assigned_to=issue.assigned_to)


def _type_counts(categories: Iterable[str]) -> list[AnomalyTypeCount]:
    return [AnomalyTypeCount(type=c, type_id=category_id(c), count=n) for c, n in sorted(Counter(categories).items())]


def meter_points(readings: Sequence[StoredReading], start: datetime, end: datetime) -> list[AnomalyMeterPoint]:
    """The session's energy, power and SoC side by side at each instant around the period.

    The contract requires every number: a measurand without a reading at an instant carries its last
    value forward (a register and a SoC hold between readings), and one the session never sent is 0.
    """
    last = {ocpp.ENERGY: 0.0, ocpp.POWER: 0.0, ocpp.SOC: 0.0}
    points: dict[datetime, dict[str, float]] = {}
    for r in sorted(readings, key=lambda r: r.timestamp):
        if r.measurand not in last or r.reconstructed:
            continue
        last[r.measurand] = r.value
        if start - _CONTEXT <= r.timestamp <= end + _CONTEXT:
            points[r.timestamp] = dict(last)
    return [
        AnomalyMeterPoint(
            timestamp=ts,
            energy=v[ocpp.ENERGY],
            state_of_charge=v[ocpp.SOC],
            power=v[ocpp.POWER],
            soc=v[ocpp.SOC],
        )
        for ts, v in sorted(points.items())
    ]


class AnomalyService:
    """The anomaly use cases of a tenant."""

    def __init__(self, store: TriageStore, sessions: SessionReadings, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._sessions = sessions
        self._clock = clock
        # one update of an issue at a time in this process (read, check, write)
        self._lock = threading.Lock()

    def list_anomalies(
        self, tenant_id: str, filters: AnomalyFilters, sort_by_score: SortDirection | None, page: Page
    ) -> ListAnomaliesResponse:
        """One page of current anomalies, newest occurrence first unless sorted by score."""
        order = (
            f"risk_score {sort_by_score.value.upper()}, period_start DESC"
            if sort_by_score is not None
            else "period_start DESC"
        )
        rows, total = self._store.list_anomalies(
            tenant_id, filters, f"{order}, session_id, category", page.number * page.size, page.size
        )
        issues = self._store.issues_of(tenant_id, [(r.session_id, r.category) for r in rows])
        return ListAnomaliesResponse(
            content=[
                Anomaly(
                    id=r.anomaly_id,
                    anomaly_type=r.category,
                    anomaly_type_id=category_id(r.category),
                    ai_risk_score=r.risk_score,
                    connector_id=r.connector_id,
                    charging_point_id=r.charging_station_id,
                    ocpp_charging_station_id=r.charging_station_id,
                    evse_id=r.connector_id,
                    charging_session_id=r.session_id,
                    date_of_anomaly_occurrence=r.period_start,
                    date_of_last_update=r.updated_at,
                    issues=[_issue_view(i) for i in issues.get((r.session_id, r.category), [])],
                )
                for r in rows
            ],
            pagination=Pagination.of(page, total),
        )

    def list_connectors(
        self, tenant_id: str, filters: AnomalyFilters, sort_by: ConnectorSort, page: Page
    ) -> ListAnomalyConnectorsResponse:
        """One page of connectors with current anomalies, aggregated."""
        rows, total = self._store.aggregate(
            tenant_id,
            filters,
            ["charging_station_id", "connector_id"],
            _CONNECTOR_ORDER[sort_by],
            page.number * page.size,
            page.size,
        )
        return ListAnomalyConnectorsResponse(
            content=[
                AnomalyConnectorSummary(
                    id=f"{r['charging_station_id']}/{r['connector_id']}",
                    connector_id=r["connector_id"],
                    anomaly_count=int(r["anomaly_count"]),
                    charging_point_id=r["charging_station_id"],
                    evse_id=r["connector_id"],
                    detection_date=r["detection_date"],
                    last_update=r["last_update"],
                    anomaly_types=_type_counts(r["categories"]),
                )
                for r in rows
            ],
            pagination=Pagination.of(page, total),
        )

    def list_sessions(
        self, tenant_id: str, filters: AnomalyFilters, sort_by: SessionSort, page: Page
    ) -> ListAnomalySessionsResponse:
        """One page of sessions with current anomalies, aggregated."""
        rows, total = self._store.aggregate(
            tenant_id, filters, ["session_id"], _SESSION_ORDER[sort_by], page.number * page.size, page.size
        )
        return ListAnomalySessionsResponse(
            content=[
                AnomalySessionSummary(
                    id=r["session_id"],
                    charging_session_id=r["session_id"],
                    anomaly_count=int(r["anomaly_count"]),
                    detection_date=r["detection_date"],
                    last_update=r["last_update"],
                    ai_risk_score=float(r["risk_score"]),
                    anomaly_types=_type_counts(r["categories"]),
                )
                for r in rows
            ],
            pagination=Pagination.of(page, total),
        )

    def detail(self, tenant_id: str, session_id: str, type_id: str) -> AnomalyDetail:
        """One anomaly of a session, by its category id (current or cleared by a later analysis)."""
        category = category_of(type_id)
        row = self._store.anomaly(tenant_id, session_id, category) if category in CATEGORIES else None
        if row is None:
            raise NotFound(f"Session {session_id!r} has no anomaly of category {type_id!r}.")
        readings = self._sessions.load_readings(tenant_id, [session_id]).get(session_id, [])
        issues = self._store.issues_of(tenant_id, [(session_id, category)]).get((session_id, category), [])
        label, description = EN.categories[category]
        return AnomalyDetail(
            session_id=session_id,
            client_id=tenant_id,
            connector_id=row.connector_id,
            charging_point_id=row.charging_station_id,
            ocpp_charging_station_id=row.charging_station_id,
            evse_id=row.connector_id,
            detection_level=DETECTION_LEVEL,
            current_risk_score=row.risk_score if row.is_current else 0.0,
            first_detection_date=row.first_detected_at,
            last_update_date=row.updated_at,
            anomaly_category=AnomalyCategoryInfo(
                id=category_id(category),
                name=label,
                description=description,
                max_score=row.max_score,
            ),
            anomaly_period=AnomalyPeriod(start=row.period_start, end=row.period_end),
            meter_values=meter_points(readings, row.period_start, row.period_end),
            risk_score_timeline=[
                RiskScorePoint(timestamp=ts, risk_score=score)
                for ts, score in self._store.risk_timeline(tenant_id, session_id, category)
            ],
            issues=[_issue_view(i) for i in issues],
        )

    def update_issue(self, tenant_id: str, issue_id: str, body: UpdateIssueRequest, actor: str) -> AnomalyIssue:
        """Move an issue and/or (re)assign it; 409 for a transition the lifecycle does not allow."""
        if body.status not in STATUSES:
            raise InvalidInput([FieldProblem("status", f"must be one of {', '.join(STATUSES)}; got {body.status!r}")])
        assigned = KEEP if body.assigned_to is msgspec.UNSET else body.assigned_to
        with self._lock:
            issue = self._store.issue(tenant_id, issue_id)
            if issue is None:
                raise NotFound(f"Issue {issue_id!r} not found.")
            try:
                change = change_issue(issue, body.status, assigned, actor, self._clock())
            except InvalidTransition as exc:
                raise Conflict(str(exc)) from exc
            self._store.save_issues([change.issue])
            self._store.add_history([change.entry])
            if change.issue.status in LABELS and issue.status != change.issue.status:
                self._store.label(change.issue, change.issue.status, change.entry.at, actor)
        return _issue_view(change.issue)

    def issue_detail(self, tenant_id: str, issue_id: str) -> IssueDetail:
        """An issue with its sessions and every change (who, when, from, to)."""
        issue = self._store.issue(tenant_id, issue_id)
        if issue is None:
            raise NotFound(f"Issue {issue_id!r} not found.")
        return IssueDetail(
            id=issue.issue_id,
            status_name=issue.status,
            assigned_to=issue.assigned_to,
            anomaly_type=issue.category,
            anomaly_type_id=category_id(issue.category),
            charging_station_id=issue.charging_station_id,
            connector_id=issue.connector_id,
            opened_at=issue.opened_at,
            updated_at=issue.updated_at,
            session_ids=self._store.issue_sessions(tenant_id, issue_id),
            history=[
                IssueChangeView(
                    at=e.at,
                    actor=e.actor,
                    from_status=e.from_status,
                    to_status=e.to_status,
                    from_assignee=e.from_assignee,
                    to_assignee=e.to_assignee,
                    note=e.note,
                )
                for e in self._store.history(tenant_id, [issue_id])
            ],
        )
