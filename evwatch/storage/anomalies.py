"""SQL of triage: anomaly rows, issues with their sessions and history, labels, and what is triaged."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from evwatch.domain.sessions import AnalysisRecord
from evwatch.domain.triage import CLOSED, AnomalyRow, HistoryEntry, Issue, IssueLink
from evwatch.storage.clickhouse import scalar
from evwatch.storage.sessions import ANALYSIS_SELECT, analysis_from_row

_ANOMALY_COLUMNS = [f.name for f in dataclasses.fields(AnomalyRow)]
_ISSUE_COLUMNS = [f.name for f in dataclasses.fields(Issue)]
_HISTORY_COLUMNS = [f.name for f in dataclasses.fields(HistoryEntry)]
_LINK_COLUMNS = [f.name for f in dataclasses.fields(IssueLink)]
_CLOSED = sorted(CLOSED)
# The newest row of each anomaly without FINAL, so the sort key and skip indexes stay usable.
_KEYS = ("tenant_id", "session_id", "category")
_LATEST_ANOMALIES = (
    "SELECT "
    + ", ".join(f"argMax({c}, _v) AS {c}" for c in _ANOMALY_COLUMNS if c not in (*_KEYS, "updated_at"))
    + ", tenant_id, session_id, category, max(_v) AS updated_at "
    "FROM (SELECT *, updated_at AS _v FROM anomalies WHERE tenant_id = {t:String}) "
    "GROUP BY tenant_id, session_id, category"
)


@dataclass(frozen=True, slots=True)
class AnomalyFilters:
    """Filters of the anomaly lists; None means "no filter"."""

    category: str | None = None
    connector_id: str | None = None
    session_id: str | None = None
    charging_station_id: str | None = None
    occurrence_from: datetime | None = None
    occurrence_to: datetime | None = None
    update_from: datetime | None = None
    update_to: datetime | None = None
    issue_status: str | None = None
    assigned_to: str | None = None


def _where(f: AnomalyFilters) -> tuple[str, dict[str, Any]]:
    clauses, params = ["is_current"], {}
    for column, name, value, op in (
        ("category", "cat", f.category, "="),
        ("connector_id", "con", f.connector_id, "="),
        ("session_id", "sid", f.session_id, "="),
        ("charging_station_id", "st", f.charging_station_id, "="),
        ("period_start", "of", f.occurrence_from, ">="),
        ("period_start", "ot", f.occurrence_to, "<="),
        ("updated_at", "uf", f.update_from, ">="),
        ("updated_at", "ut", f.update_to, "<="),
    ):
        if value is not None:
            kind = "DateTime64(3, 'UTC')" if isinstance(value, datetime) else "String"
            clauses.append(f"{column} {op} {{{name}:{kind}}}")
            params[name] = value
    if f.issue_status is not None or f.assigned_to is not None:
        issue_clauses = ["tenant_id = {t:String}"]
        if f.issue_status is not None:
            issue_clauses.append("status = {ist:String}")
            params["ist"] = f.issue_status
        if f.assigned_to is not None:
            issue_clauses.append("assigned_to = {asg:String}")
            params["asg"] = f.assigned_to
        clauses.append(
            "(session_id, category) IN (SELECT l.session_id, l.category FROM issue_sessions AS l FINAL "
            "INNER JOIN (SELECT issue_id FROM issues FINAL WHERE " + " AND ".join(issue_clauses) + ") AS i "
            "ON l.issue_id = i.issue_id WHERE l.tenant_id = {t:String})"
        )
    return " AND ".join(clauses), params


class ClickHouseTriageStore:
    """Anomalies, issues, history and labels of every tenant (every query names its tenant)."""

    def __init__(self, client: Client) -> None:
        self._client = client

    # ------------------------------------------------------------------ worker
    def untriaged(self, since: datetime, limit: int) -> list[AnalysisRecord]:
        """Analyses since `since` the worker has not handled, oldest first."""
        rows = self._client.query(
            f"SELECT a.tenant_id, a.session_id, {ANALYSIS_SELECT} FROM session_analyses AS a FINAL "
            "WHERE a.analyzed_at >= {since:DateTime64(3, 'UTC')} AND (a.tenant_id, a.inference_id) NOT IN "
            "(SELECT tenant_id, inference_id FROM triaged_analyses WHERE triaged_at >= {since:DateTime64(3, 'UTC')} - INTERVAL 1 DAY) "
            "ORDER BY a.analyzed_at, a.tenant_id, a.session_id LIMIT {limit:UInt32}",
            parameters={"since": since, "limit": limit},
        ).result_rows
        return [analysis_from_row(row[0], row[1], row[2:]) for row in rows]

    def session_anomalies(self, tenant_id: str, session_id: str) -> dict[str, AnomalyRow]:
        """The session's anomaly rows by category (current or not)."""
        rows = self._client.query(
            f"SELECT {', '.join(_ANOMALY_COLUMNS)} FROM anomalies FINAL "
            "WHERE tenant_id = {t:String} AND session_id = {s:String}",
            parameters={"t": tenant_id, "s": session_id},
        ).result_rows
        return {row[2]: AnomalyRow(*row) for row in rows}

    def open_issues_on(self, tenant_id: str, station: str, connector: str) -> dict[str, Issue]:
        """The connector's unresolved issues by category (the oldest, should there be two)."""
        rows = self._client.query(
            f"SELECT {', '.join(_ISSUE_COLUMNS)} FROM issues FINAL WHERE tenant_id = {{t:String}} "
            "AND charging_station_id = {st:String} AND connector_id = {c:String} "
            "AND status NOT IN {closed:Array(String)} ORDER BY opened_at DESC",
            parameters={"t": tenant_id, "st": station, "c": connector, "closed": _CLOSED},
        ).result_rows
        return {row[2]: Issue(*row) for row in rows}

    def issues_covering(self, tenant_id: str, session_ids: Iterable[str]) -> list[tuple[str, Issue]]:
        """(session id, issue) of every issue that covers one of these sessions."""
        ids = sorted(set(session_ids))
        if not ids:
            return []
        rows = self._client.query(
            "SELECT l.session_id, " + ", ".join(f"i.{c}" for c in _ISSUE_COLUMNS) + " FROM issue_sessions AS l FINAL "
            "INNER JOIN (SELECT * FROM issues FINAL WHERE tenant_id = {t:String}) AS i ON l.issue_id = i.issue_id "
            "WHERE l.tenant_id = {t:String} AND l.session_id IN {ids:Array(String)} ORDER BY i.opened_at, i.issue_id",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        return [(row[0], Issue(*row[1:])) for row in rows]

    def write_triage(
        self,
        anomalies: Sequence[AnomalyRow],
        issues: Sequence[Issue],
        links: Sequence[IssueLink],
        history: Sequence[HistoryEntry],
    ) -> None:
        """Store what handling analyses produced (each table in one insert; all idempotent)."""
        if issues:
            self.save_issues(issues)
        if links:
            self._client.insert("issue_sessions", [dataclasses.astuple(x) for x in links], column_names=_LINK_COLUMNS)
        if history:
            self.add_history(history)
        if anomalies:
            self._client.insert("anomalies", [dataclasses.astuple(a) for a in anomalies], column_names=_ANOMALY_COLUMNS)

    def mark_triaged(self, analyses: Sequence[AnalysisRecord], at: datetime) -> None:
        """Remember the analyses as handled (after their results are stored)."""
        if analyses:
            self._client.insert(
                "triaged_analyses",
                [[a.tenant_id, a.inference_id, at] for a in analyses],
                column_names=["tenant_id", "inference_id", "triaged_at"],
            )

    # ------------------------------------------------------------------ issues
    def save_issues(self, issues: Sequence[Issue]) -> None:
        """Create or update issues."""
        version = time.time_ns()
        self._client.insert(
            "issues",
            [[*dataclasses.astuple(issue), version + i] for i, issue in enumerate(issues)],
            column_names=[*_ISSUE_COLUMNS, "version"],
        )

    def add_history(self, entries: Sequence[HistoryEntry]) -> None:
        """Append changes to issues' history."""
        self._client.insert("issue_history", [dataclasses.astuple(e) for e in entries], column_names=_HISTORY_COLUMNS)

    def issue(self, tenant_id: str, issue_id: str) -> Issue | None:
        """The tenant's issue, or None."""
        rows = self._client.query(
            f"SELECT {', '.join(_ISSUE_COLUMNS)} FROM issues FINAL WHERE tenant_id = {{t:String}} AND issue_id = {{i:String}}",
            parameters={"t": tenant_id, "i": issue_id},
        ).result_rows
        return Issue(*rows[0]) if rows else None

    def history(self, tenant_id: str, issue_ids: Iterable[str]) -> list[HistoryEntry]:
        """The changes of these issues, oldest first."""
        ids = sorted(set(issue_ids))
        if not ids:
            return []
        rows = self._client.query(
            f"SELECT {', '.join(_HISTORY_COLUMNS)} FROM issue_history FINAL WHERE tenant_id = {{t:String}} "
            "AND issue_id IN {ids:Array(String)} ORDER BY at, entry_id",
            parameters={"t": tenant_id, "ids": ids},
        ).result_rows
        return [HistoryEntry(*row) for row in rows]

    def label(self, issue: Issue, label: str, at: datetime, by: str) -> None:
        """Record a person's decision on every session the issue covers, with the anomaly's time range."""
        self._client.command(
            "INSERT INTO triage_labels (tenant_id, session_id, category, label, period_start, period_end, issue_id, "
            "labelled_at, labelled_by) SELECT a.tenant_id, a.session_id, a.category, {label:String}, a.period_start, "
            "a.period_end, {i:String}, {at:DateTime64(3, 'UTC')}, {by:String} FROM anomalies AS a FINAL "
            "WHERE a.tenant_id = {t:String} AND a.category = {c:String} AND a.session_id IN "
            "(SELECT session_id FROM issue_sessions FINAL WHERE tenant_id = {t:String} AND issue_id = {i:String})",
            parameters={
                "t": issue.tenant_id,
                "i": issue.issue_id,
                "c": issue.category,
                "label": label,
                "at": at,
                "by": by,
            },
        )

    # ------------------------------------------------------------------ lists
    def list_anomalies(
        self, tenant_id: str, filters: AnomalyFilters, order: str, offset: int, limit: int
    ) -> tuple[list[AnomalyRow], int]:
        """One page of current anomalies and how many match; `order` is an ORDER BY of anomaly columns."""
        where, params = _where(filters)
        params.update({"t": tenant_id, "limit": limit, "offset": offset})
        base = f"SELECT * FROM ({_LATEST_ANOMALIES}) WHERE {where}"
        rows = self._client.query(
            f"SELECT {', '.join(_ANOMALY_COLUMNS)} FROM ({base}) ORDER BY {order} "
            "LIMIT {limit:UInt32} OFFSET {offset:UInt64}",
            parameters=params,
        ).result_rows
        total = scalar(self._client, f"SELECT count() FROM ({base})", params)
        return [AnomalyRow(*row) for row in rows], total

    def aggregate(
        self, tenant_id: str, filters: AnomalyFilters, group: Sequence[str], order: str, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of current anomalies grouped by `group` columns, with counts per category."""
        where, params = _where(filters)
        params.update({"t": tenant_id, "limit": limit, "offset": offset})
        keys = ", ".join(group)
        base = f"SELECT * FROM ({_LATEST_ANOMALIES}) WHERE {where}"
        rows = self._client.query(
            f"SELECT {keys}, count() AS anomaly_count, min(first_detected_at) AS detection_date, "
            "max(updated_at) AS last_update, max(risk_score) AS risk_score, "
            "groupArray(category) AS categories "
            f"FROM ({base}) GROUP BY {keys} ORDER BY {order}, {keys} LIMIT {{limit:UInt32}} OFFSET {{offset:UInt64}}",
            parameters=params,
        ).named_results()
        total = scalar(self._client, f"SELECT count() FROM (SELECT {keys} FROM ({base}) GROUP BY {keys})", params)
        return list(rows), total

    def anomaly(self, tenant_id: str, session_id: str, category: str) -> AnomalyRow | None:
        """One anomaly, current or not."""
        rows = self._client.query(
            f"SELECT {', '.join(_ANOMALY_COLUMNS)} FROM anomalies FINAL WHERE tenant_id = {{t:String}} "
            "AND session_id = {s:String} AND category = {c:String}",
            parameters={"t": tenant_id, "s": session_id, "c": category},
        ).result_rows
        return AnomalyRow(*rows[0]) if rows else None

    def issues_of(self, tenant_id: str, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Issue]]:
        """The issues covering each (session id, category)."""
        wanted = set(keys)
        found: dict[tuple[str, str], list[Issue]] = {}
        for session_id, issue in self.issues_covering(tenant_id, {s for s, _ in wanted}):
            if (session_id, issue.category) in wanted:
                found.setdefault((session_id, issue.category), []).append(issue)
        return found

    def issue_sessions(self, tenant_id: str, issue_id: str) -> list[str]:
        """The sessions an issue covers, in the order they were linked."""
        rows = self._client.query(
            "SELECT session_id FROM issue_sessions FINAL WHERE tenant_id = {t:String} AND issue_id = {i:String} "
            "ORDER BY linked_at, session_id",
            parameters={"t": tenant_id, "i": issue_id},
        ).result_rows
        return [r[0] for r in rows]

    def risk_timeline(self, tenant_id: str, session_id: str, category: str) -> list[tuple[datetime, float]]:
        """(analysed at, the category's score then; 0 where that run did not find it) for every analysis run."""
        rows = self._client.query(
            "SELECT analyzed_at, arrayMax(arrayConcat([0.], arrayFilter((s, c) -> c = {c:String}, anomalies.score, "
            "anomalies.category))) FROM session_analyses FINAL WHERE tenant_id = {t:String} AND session_id = {s:String} "
            "ORDER BY analyzed_at",
            parameters={"t": tenant_id, "s": session_id, "c": category},
        ).result_rows
        return [(r[0], float(r[1])) for r in rows]

    def open_issue_count(self, tenant_id: str) -> int:
        """Issues not closed (what statistics count as active anomalies)."""
        return scalar(
            self._client,
            "SELECT count() FROM issues FINAL WHERE tenant_id = {t:String} AND status NOT IN {closed:Array(String)}",
            {"t": tenant_id, "closed": _CLOSED},
        )
