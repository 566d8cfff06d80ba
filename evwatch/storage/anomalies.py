"""SQL of triage: anomaly rows, issues with their sessions and history, labels, and what is triaged."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from clickhouse_connect.driver.client import Client

from evwatch.domain.explain.facts import OpenIssue
from evwatch.domain.sessions import AnalysisRecord
from evwatch.domain.triage import CLOSED, AnomalyRow, HistoryEntry, Issue, IssueLink
from evwatch.storage.clickhouse import scalar
from evwatch.storage.sessions import ANALYSIS_SELECT, analysis_from_row

_ANOMALY_COLUMNS = [f.name for f in dataclasses.fields(AnomalyRow)]
_ISSUE_COLUMNS = [f.name for f in dataclasses.fields(Issue)]
_HISTORY_COLUMNS = [f.name for f in dataclasses.fields(HistoryEntry)]
_LINK_COLUMNS = [f.name for f in dataclasses.fields(IssueLink)]
_CLOSED = sorted(CLOSED)
# The lists read `anomaly_list` (migration 0015), sorted by occurrence: a +1 row for each current
# anomaly version and a -1 copy of every version replaced or cleared since. A merge drops a row and
# its copy together; until then a version is listed while its rows add up to 1 (a row and its copy
# are equal in every column, so they meet in any GROUP BY and on the same side of any bound).
# Lists filtered by issues read `issue_anomalies`: the versions of the anomalies issues cover, few.
_LIST_COLUMNS = [*_ANOMALY_COLUMNS, "sign"]
_SELECTED = ", ".join(_ANOMALY_COLUMNS)
_LIVE = (
    "sign = 1 AND version_hash NOT IN "
    "(SELECT version_hash FROM anomaly_list WHERE tenant_id = {t:String} AND sign = -1)"
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
    """Conditions on `anomaly_list` rows (a version and its -1 copy match alike) and their parameters."""
    clauses, params = ["tenant_id = {t:String}"], {}
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


def _by_issue(f: AnomalyFilters) -> bool:
    return f.issue_status is not None or f.assigned_to is not None


def _narrow(f: AnomalyFilters) -> bool:
    """Filters that leave few rows of a tenant's list: one session, one station."""
    return f.session_id is not None or f.charging_station_id is not None


def _window(order: str, where: str, rows: int | None, score: float) -> tuple[str, str]:
    """(scan, bound): a scalar tuple that starts with how many versions match, and a condition keeping
    the first `rows` rows in `order` and their ties ('' for every row, or an order that has no bound).
    period_start is read in the sort key's order; risk_score in the projection's, from `score` on (up,
    for a descending order): a page that comes up short tries again from further away."""
    first = order.split(",")[0].split()
    column, direction = first[0], (first[1].upper() if len(first) > 1 else "ASC")
    count = f"(SELECT tuple(sum(sign)) FROM anomaly_list WHERE {where})"
    if rows is not None and column == "period_start" and direction in ("ASC", "DESC"):
        op, pick = (">=", "min") if direction == "DESC" else ("<=", "max")
        edge = (
            f"(SELECT {pick}(period_start) FROM (SELECT period_start FROM anomaly_list WHERE {where} "
            f"ORDER BY period_start {direction} LIMIT {rows:d}))"
        )
        return count, f" AND period_start {op} {edge}"
    if rows is not None and column == "risk_score" and direction in ("ASC", "DESC"):
        # the n-th lowest score is the largest of the n lowest; the n-th highest, likewise negated
        edge, op = f"arrayMax(groupArraySorted({rows:d})(risk_score))", "<="
        if direction == "DESC":
            edge, op, score = f"-arrayMax(groupArraySorted({rows:d})(-risk_score))", ">=", 1.0 - score
        near = f"risk_score {op} {score!r}"
        return count, f" AND {near} AND risk_score {op} (SELECT {edge} FROM anomaly_list WHERE {where} AND {near})"
    return count, ""


def _stored(row: AnomalyRow) -> AnomalyRow:
    """The row as the store gives it back (times to the millisecond)."""
    ms = {
        f.name: getattr(row, f.name).replace(microsecond=getattr(row, f.name).microsecond // 1000 * 1000)
        for f in dataclasses.fields(row)
        if isinstance(getattr(row, f.name), datetime)
    }
    return dataclasses.replace(row, **ms)


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
        if anomalies or links:
            # the lists first; each write compares them with `anomalies` and writes what differs, so a
            # replay changes nothing and an interrupted write is completed by the next one
            listed, covered = self._list_changes(anomalies, links)
            if listed:
                self._client.insert("anomaly_list", listed, column_names=_LIST_COLUMNS)
            if covered:
                self._client.insert("issue_anomalies", covered, column_names=_ANOMALY_COLUMNS)
        if anomalies:
            self._client.insert("anomalies", [dataclasses.astuple(a) for a in anomalies], column_names=_ANOMALY_COLUMNS)

    def _list_changes(
        self, anomalies: Sequence[AnomalyRow], links: Sequence[IssueLink]
    ) -> tuple[list[list[Any]], list[tuple[Any, ...]]]:
        """What makes the lists agree with `anomalies` once these rows are stored: for each anomaly of the
        sessions written, `anomaly_list` rows that leave exactly its newest version listed when current
        (+1) and no other (-1), and `issue_anomalies` rows for the anomalies issues cover."""
        newest: dict[tuple[str, str, str], AnomalyRow] = {}
        listed: dict[tuple[str, str, str], dict[AnomalyRow, int]] = {}
        touched = {(a.tenant_id, a.session_id, a.category) for a in anomalies}
        covered = {(x.tenant_id, x.session_id, x.category) for x in links}
        sessions: dict[str, set[str]] = {}
        for tenant_id, session_id, _ in touched | covered:
            sessions.setdefault(tenant_id, set()).add(session_id)
        for tenant_id, ids in sorted(sessions.items()):
            found = {"t": tenant_id, "ids": sorted(ids)}
            for row in self._client.query(
                f"SELECT {_SELECTED} FROM anomalies WHERE tenant_id = {{t:String}} AND session_id IN {{ids:Array(String)}}",
                parameters=found,
            ).result_rows:
                old = AnomalyRow(*row)  # the newest version wins, as in FINAL
                key = (old.tenant_id, old.session_id, old.category)
                if key not in newest or newest[key].updated_at < old.updated_at:
                    newest[key] = old
            for *row, signs in self._client.query(
                f"SELECT {_SELECTED}, sum(sign) FROM anomaly_list WHERE tenant_id = {{t:String}} "
                f"AND session_id IN {{ids:Array(String)}} GROUP BY {_SELECTED} HAVING sum(sign) > 0",
                parameters=found,
            ).result_rows:
                version = AnomalyRow(*row)
                listed.setdefault((version.tenant_id, version.session_id, version.category), {})[version] = signs
            covered.update(
                (tenant_id, s, c)
                for s, c in self._client.query(
                    "SELECT DISTINCT session_id, category FROM issue_sessions "
                    "WHERE tenant_id = {t:String} AND session_id IN {ids:Array(String)}",
                    parameters=found,
                ).result_rows
            )
        for fresh in map(_stored, anomalies):
            key = (fresh.tenant_id, fresh.session_id, fresh.category)
            if key not in newest or newest[key].updated_at <= fresh.updated_at:  # as stored: the last wins a tie
                newest[key] = fresh
        changes: list[list[Any]] = []
        for key in sorted(newest.keys() | listed.keys()):
            wanted = newest[key] if key in newest and newest[key].is_current else None
            have = listed.get(key, {})
            # one row per version at most: a merge keeps at most one row of a version's rows
            changes.extend([*dataclasses.astuple(v), -1] for v in sorted(have, key=dataclasses.astuple) if v != wanted)
            if wanted is not None and have.get(wanted, 0) <= 0:
                changes.append([*dataclasses.astuple(wanted), 1])
        # an issue covers these from now on, or covered them already
        covered &= touched | {(x.tenant_id, x.session_id, x.category) for x in links}
        return changes, [dataclasses.astuple(newest[key]) for key in sorted(covered) if key in newest]

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
        end = f"ORDER BY {order} LIMIT {{limit:UInt32}} OFFSET {{offset:UInt64}}"
        page = f"GROUP BY {_SELECTED} HAVING sum(sign) > 0 {end}"
        if _by_issue(filters):  # the few anomalies issues cover, deduplicated as they are read
            sql = f"SELECT {_SELECTED}, count() OVER () FROM issue_anomalies FINAL WHERE {where} AND is_current {end}"
        elif _narrow(filters):  # add up the signs of every matching row, count what is left
            sql = f"SELECT {_SELECTED}, count() OVER () FROM anomaly_list WHERE {where} {page}"
        else:
            sql = ""
        if sql:
            rows = self._client.query(sql, parameters=params).result_rows
            if rows or offset == 0:
                return [AnomalyRow(*row[:-1]) for row in rows], int(rows[0][-1]) if rows else 0
            return [], scalar(self._client, f"SELECT count() FROM ({sql.removesuffix(end)})", params)
        # the rows up to the page's end hold it unless -1 copies crowd them, or (by score) too few are
        # that near the top: then read further, then all
        near = 3 * (offset + limit) + 20
        for window, score in ((near, 0.01), (near, 0.1), (30 * near, 1.0), (None, 1.0)):
            scan, bound = _window(order, where, window, score)
            rows = self._client.query(
                f"WITH {scan} AS scan SELECT {_SELECTED}, scan.1 FROM anomaly_list WHERE {where}{bound} {page}",
                parameters=params,
            ).result_rows
            count = int(rows[0][-1]) if rows else scalar(self._client, f"SELECT tupleElement({scan}, 1)", params)
            if not bound or len(rows) >= min(limit, count - offset):
                break
        return [AnomalyRow(*row[:-1]) for row in rows], count

    def aggregate(
        self, tenant_id: str, filters: AnomalyFilters, group: Sequence[str], order: str, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of current anomalies grouped by `group` columns, with counts per category."""
        where, params = _where(filters)
        params.update({"t": tenant_id, "limit": limit, "offset": offset})
        keys = ", ".join(group)
        # the current versions: listed ones without a -1 copy (or, for issues, the newest when current)
        source = f"anomaly_list WHERE {where} AND {_LIVE}"
        if _by_issue(filters):
            source = f"issue_anomalies FINAL WHERE {where} AND is_current"
        rows = list(
            self._client.query(
                f"SELECT {keys}, count() AS anomaly_count, min(first_detected_at) AS detection_date, "
                "max(updated_at) AS last_update, max(risk_score) AS risk_score, count() OVER () AS total "
                f"FROM {source} GROUP BY {keys} ORDER BY {order}, {keys} LIMIT {{limit:UInt32}} OFFSET {{offset:UInt64}}",
                parameters=params,
            ).named_results()
        )
        if not rows:
            return [], scalar(self._client, f"SELECT uniqExact({keys}) FROM {source}", params)
        # the categories of the page's groups only (collecting them for every group costs more than the rest)
        page = [tuple(row[k] for k in group) for row in rows]
        picked = (
            f"{group[0]} IN {{page:Array(String)}}"
            if len(group) == 1
            else f"({keys}) IN {{page:Array(Tuple({', '.join('String' for _ in group)}))}}"
        )
        categories = {
            tuple(row[:-1]): row[-1]
            for row in self._client.query(
                f"SELECT {keys}, groupArray(category) FROM {source} AND {picked} GROUP BY {keys}",
                parameters={**params, "page": [p[0] for p in page] if len(group) == 1 else page},
            ).result_rows
        }
        total = int(rows[0]["total"])
        for row, key in zip(rows, page, strict=True):
            del row["total"]
            row["categories"] = categories.get(key, [])
        return rows, total

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

    def open_issues(self, tenant_id: str, session_id: str) -> list[OpenIssue]:
        """The unresolved issues that cover the session (what explanations tell)."""
        return [
            OpenIssue(issue.issue_id, issue.category, issue.status, issue.assigned_to)
            for _, issue in self.issues_covering(tenant_id, [session_id])
            if issue.status not in CLOSED
        ]

    def open_issue_count(self, tenant_id: str) -> int:
        """Issues not closed (what statistics count as active anomalies)."""
        return scalar(
            self._client,
            "SELECT count() FROM issues FINAL WHERE tenant_id = {t:String} AND status NOT IN {closed:Array(String)}",
            {"t": tenant_id, "closed": _CLOSED},
        )
