"""Triage: from an analysis to anomaly rows and issues, and the lifecycle people move issues through.

Pure functions over plain data; the triage worker (`workers/triage.py`) loads what they need and
stores what they return. Every id is derived from what it names, so handling the same analysis
twice (a rescan, a crash and restart) writes the same rows and announces the same events.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from evwatch.domain.categories import BILLING_CATEGORIES
from evwatch.domain.sessions import AnalysisRecord, AnomalyRecord

# A finding this sure opens an incident even when it is not about billing.
INCIDENT_SCORE = 0.9

# Issue statuses (the contract's `status`/`statusName` value space).
OPEN, ACKNOWLEDGED, IN_PROGRESS = "OPEN", "ACKNOWLEDGED", "IN_PROGRESS"
RESOLVED, DISMISSED, FALSE_POSITIVE = "RESOLVED", "DISMISSED", "FALSE_POSITIVE"
STATUSES = (OPEN, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, DISMISSED, FALSE_POSITIVE)
CLOSED = frozenset({RESOLVED, DISMISSED, FALSE_POSITIVE})
# The decisions fine-tuning learns from.
LABELS = frozenset({RESOLVED, FALSE_POSITIVE})
# Where each status may go (docs/triage.md). Re-sending the current status is always allowed: it is
# how the contract reassigns. A closed issue may be reopened, because people close by mistake.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    OPEN: frozenset({ACKNOWLEDGED, IN_PROGRESS}) | CLOSED,
    ACKNOWLEDGED: frozenset({IN_PROGRESS}) | CLOSED,
    IN_PROGRESS: frozenset({ACKNOWLEDGED}) | CLOSED,
    RESOLVED: frozenset({OPEN}),
    DISMISSED: frozenset({OPEN}),
    FALSE_POSITIVE: frozenset({OPEN}),
}
SYSTEM_ACTOR = "evwatch"
_NAMESPACE = uuid.UUID("0b6b1f52-61a4-4c43-9a0e-55c1f4a7e6d2")


def derived_id(*parts: str) -> str:
    """A stable id for what `parts` name."""
    return str(uuid.uuid5(_NAMESPACE, "\x00".join(parts)))


def category_id(category: str) -> str:
    """The stable `anomalyTypeId` of a category: its code in lower case with hyphens."""
    return category.lower().replace("_", "-")


def category_of(type_id: str) -> str:
    """The category code of an `anomalyTypeId` (the inverse of `category_id`)."""
    return type_id.upper().replace("-", "_")


def incident_categories(anomalies: Iterable[AnomalyRecord]) -> set[str]:
    """The categories that make an analysis an incident: billing findings, and any finding this sure."""
    return {a.category for a in anomalies if a.category in BILLING_CATEGORIES or a.score >= INCIDENT_SCORE}


def may_move(current: str, target: str) -> bool:
    """Whether an issue in `current` may be set to `target`."""
    return target == current or target in TRANSITIONS.get(current, frozenset())


@dataclass(frozen=True, slots=True)
class AnomalyRow:
    """One session's anomaly of one category, as lists and details show it."""

    tenant_id: str
    session_id: str
    category: str
    anomaly_id: str
    charging_station_id: str
    connector_id: str
    risk_score: float
    max_score: float
    confidence: float
    period_start: datetime
    period_end: datetime
    first_detected_at: datetime
    updated_at: datetime
    inference_id: str
    is_current: bool


@dataclass(frozen=True, slots=True)
class Issue:
    """An issue on a connector's category."""

    tenant_id: str
    issue_id: str
    category: str
    charging_station_id: str
    connector_id: str
    status: str
    assigned_to: str | None
    opened_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change of an issue."""

    tenant_id: str
    issue_id: str
    entry_id: str
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    from_assignee: str | None
    to_assignee: str | None
    note: str


@dataclass(frozen=True, slots=True)
class IssueLink:
    """An issue covers this session's anomaly of its category."""

    tenant_id: str
    issue_id: str
    session_id: str
    category: str
    linked_at: datetime


@dataclass(frozen=True, slots=True)
class TriageState:
    """What the worker loads for one analysis: the session's anomaly rows, the unresolved issues on its
    connector by category, and the unresolved issues that cover the session."""

    anomalies: Mapping[str, AnomalyRow]
    open_on_connector: Mapping[str, Issue]
    covering_session: Sequence[Issue]


@dataclass(frozen=True, slots=True)
class TriageResult:
    """What handling one analysis writes and announces."""

    anomalies: tuple[AnomalyRow, ...] = ()
    opened: tuple[Issue, ...] = ()
    links: tuple[IssueLink, ...] = ()
    history: tuple[HistoryEntry, ...] = ()
    # categories found now that the session did not show before (anomaly.detected)
    detected: tuple[AnomalyRow, ...] = ()


def _merged(findings: Sequence[AnomalyRecord]) -> tuple[float, float, datetime, datetime]:
    # a category may be found in several stretches of one session: one anomaly covers them all
    return (
        max(f.score for f in findings),
        max(f.confidence for f in findings),
        min(f.start_ts for f in findings),
        max(f.end_ts for f in findings),
    )


def triage(record: AnalysisRecord, state: TriageState) -> TriageResult:
    """Anomaly rows, issues opened or attached to, and history notes for one analysis.

    An analysis older than what the session's rows already show changes nothing (it was replaced).
    """
    if any(row.updated_at > record.analyzed_at for row in state.anomalies.values()):
        return TriageResult()
    connector = record.connector_id or ""
    by_category: dict[str, list[AnomalyRecord]] = {}
    for finding in record.anomalies:
        by_category.setdefault(finding.category, []).append(finding)
    rows: list[AnomalyRow] = []
    detected: list[AnomalyRow] = []
    for category, findings in sorted(by_category.items()):
        score, confidence, start, end = _merged(findings)
        before = state.anomalies.get(category)
        row = AnomalyRow(
            tenant_id=record.tenant_id,
            session_id=record.session_id,
            category=category,
            anomaly_id=derived_id(record.tenant_id, record.session_id, category),
            charging_station_id=record.charging_station_id,
            connector_id=connector,
            risk_score=score,
            max_score=max(score, before.max_score) if before else score,
            confidence=confidence,
            period_start=start,
            period_end=end,
            first_detected_at=before.first_detected_at if before else record.analyzed_at,
            updated_at=record.analyzed_at,
            inference_id=record.inference_id,
            is_current=True,
        )
        rows.append(row)
        if before is None or not before.is_current:
            detected.append(row)
    for category, before in sorted(state.anomalies.items()):
        if category not in by_category and before.is_current:
            rows.append(
                replace(before, is_current=False, updated_at=record.analyzed_at, inference_id=record.inference_id)
            )

    opened: list[Issue] = []
    links: list[IssueLink] = []
    history: list[HistoryEntry] = []
    for category in sorted(incident_categories(record.anomalies) if record.is_incident else set()):
        issue = state.open_on_connector.get(category)
        if issue is None:
            issue = Issue(
                tenant_id=record.tenant_id,
                issue_id=derived_id(
                    record.tenant_id, record.charging_station_id, connector, category, record.inference_id
                ),
                category=category,
                charging_station_id=record.charging_station_id,
                connector_id=connector,
                status=OPEN,
                assigned_to=None,
                opened_at=record.analyzed_at,
                updated_at=record.analyzed_at,
            )
            opened.append(issue)
            history.append(
                HistoryEntry(
                    record.tenant_id,
                    issue.issue_id,
                    derived_id(issue.issue_id, "opened"),
                    record.analyzed_at,
                    SYSTEM_ACTOR,
                    None,
                    OPEN,
                    None,
                    None,
                    f"opened by an incident in session {record.session_id}",
                )
            )
        links.append(IssueLink(record.tenant_id, issue.issue_id, record.session_id, category, record.analyzed_at))
    # people close issues: a session that no longer shows the category leaves a note, not a closed issue
    for issue in state.covering_session:
        if issue.category not in by_category and issue.status not in CLOSED:
            history.append(
                HistoryEntry(
                    record.tenant_id,
                    issue.issue_id,
                    derived_id(issue.issue_id, "cleared", record.inference_id),
                    record.analyzed_at,
                    SYSTEM_ACTOR,
                    issue.status,
                    issue.status,
                    issue.assigned_to,
                    issue.assigned_to,
                    f"session {record.session_id} re-analysed without {issue.category}; left {issue.status} for a person to close",
                )
            )
    return TriageResult(tuple(rows), tuple(opened), tuple(links), tuple(history), tuple(detected))


@dataclass(frozen=True, slots=True)
class IssueChange:
    """The outcome of a person's update: the issue after it and the history entry it adds."""

    issue: Issue
    entry: HistoryEntry


class InvalidTransition(ValueError):
    """The issue cannot go from its status to the one asked for."""


# `assigned_to` of an update that leaves the assignment as it is (the field was omitted).
KEEP: Final = object()


def change_issue(issue: Issue, status: str, assigned_to: object, actor: str, at: datetime) -> IssueChange:
    """Apply a status and/or assignment (`assigned_to` is `KEEP` to leave it unchanged)."""
    if not may_move(issue.status, status):
        allowed = ", ".join(sorted(TRANSITIONS.get(issue.status, frozenset())))
        raise InvalidTransition(f"An issue in {issue.status} cannot move to {status}; it may move to {allowed}.")
    assignee = issue.assigned_to if assigned_to is KEEP else assigned_to
    if assignee is not None and not isinstance(assignee, str):
        raise TypeError("assigned_to must be a string or None")
    after = replace(issue, status=status, assigned_to=assignee, updated_at=at)
    entry = HistoryEntry(
        issue.tenant_id,
        issue.issue_id,
        derived_id(issue.issue_id, "change", at.isoformat(), actor),
        at,
        actor,
        issue.status,
        status,
        issue.assigned_to,
        assignee,
        "",
    )
    return IssueChange(after, entry)
