"""Anomaly list latency (p50/p95/p99) with a million anomalies in one tenant, through
`ClickHouseTriageStore` on a chDB store of its own, and a peer measured in the same run: the same
first page and total from a plain MergeTree that holds only the current rows (nothing to deduplicate).

The tenant: 250,000 sessions on 2,000 stations x 2 connectors over a year, 1 to 7 of the 13 categories
each (about 1,000,000 anomalies), written through `write_triage` the way the triage worker writes them:
first analyses, then re-analyses (8 % of sessions, 40 % of the last 30 days', some twice) that move
periods, change scores and clear categories (`is_current = false`); three small tenants beside it;
3,000 issues with their sessions. Each query runs `iterations` times after a warm-up, its arguments
cycling through a few values, once the store's background merges have settled.

Run: `python -m bench anomalies` (or `python -m bench.anomaly_lists --iterations 200`); chDB opens one
data path per process, so `python -m bench` runs it in a process of its own.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from clickhouse_connect.driver.client import Client

from bench.results_io import percentiles, write_result
from evwatch.config import ClickHouseSettings, Settings
from evwatch.domain.categories import CATEGORIES
from evwatch.domain.triage import STATUSES, AnomalyRow, Issue, IssueLink, derived_id
from evwatch.storage.anomalies import AnomalyFilters, ClickHouseTriageStore
from evwatch.storage.clickhouse import connect, scalar
from evwatch.storage.migrations import migrate

TENANT = "fleet"
SESSIONS = 250_000
STATIONS = 2_000
SMALL_TENANTS = {"small-1": 5_000, "small-2": 5_000, "small-3": 5_000}
ISSUES = 3_000
START = datetime(2026, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=365)
BATCH_SESSIONS = 25_000
ITERATIONS = 200
WORKER_WRITES = 300
WARMUP = 5
TARGET_P99_MS = 50.0
PAGE = 20
DEFAULT_ORDER = "period_start DESC, session_id, category"  # what serving/anomalies/service.py sends
SCORE_ORDER = "risk_score DESC, period_start DESC, session_id, category"
LIST_QUERIES = (
    "default_first_page",
    "page_50",
    "anomaly_type",
    "connector",
    "connector_id_only",
    "charging_session_id",
    "occurrence_range",
    "sort_by_score_desc",
    "issue_status",
)


def _ms(at: datetime) -> datetime:
    return at.replace(microsecond=at.microsecond // 1000 * 1000)


def _session_versions(tenant: str, i: int, sessions: int) -> list[list[AnomalyRow]]:
    """The rows each analysis of session `i` writes (first analysis, then up to two re-analyses)."""
    rng = random.Random(f"{tenant}/{i}")
    start = _ms(START + SPAN * (i / sessions) + timedelta(seconds=rng.random() * 600))
    session_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    station = f"CP-{rng.randrange(STATIONS):04d}"
    connector = str(1 + rng.randrange(2))
    recent = i >= sessions * (1 - 30 / 365)
    analyses = [start + timedelta(hours=h) for h in (3, 9, 27)]
    current: dict[str, AnomalyRow] = {}
    versions: list[list[AnomalyRow]] = []
    for v, at in enumerate(analyses):
        if v == 1 and rng.random() >= (0.40 if recent else 0.08):
            break
        if v == 2 and rng.random() >= 0.12:
            break
        inference = derived_id(tenant, session_id, str(v))
        rows: list[AnomalyRow] = []
        found = rng.sample(CATEGORIES, 1 + rng.randrange(7)) if v == 0 else list(current)
        for category in found:
            before = current.get(category)
            if before is not None and not before.is_current:
                continue
            if before is not None and rng.random() >= 0.75:  # the re-analysis no longer finds it
                row = replace(before, is_current=False, updated_at=at, inference_id=inference)
            else:
                score = round(rng.random(), 6)
                period_start = start + timedelta(milliseconds=rng.randrange(7_200_000))
                row = AnomalyRow(
                    tenant_id=tenant,
                    session_id=session_id,
                    category=category,
                    anomaly_id=derived_id(tenant, session_id, category),
                    charging_station_id=station,
                    connector_id=connector,
                    risk_score=score,
                    max_score=max(score, before.max_score) if before else score,
                    confidence=round(rng.random(), 3),
                    period_start=period_start,
                    period_end=period_start + timedelta(seconds=60 + rng.randrange(3600)),
                    first_detected_at=before.first_detected_at if before else at,
                    updated_at=at,
                    inference_id=inference,
                    is_current=True,
                )
            current[category] = row
            rows.append(row)
        versions.append(rows)
    return versions


def _load(store: ClickHouseTriageStore) -> dict[str, Any]:
    """Write every tenant's analyses version by version, in batches, through `write_triage`."""
    written = 0
    started = time.perf_counter()
    for tenant, sessions in {TENANT: SESSIONS, **SMALL_TENANTS}.items():
        for lo in range(0, sessions, BATCH_SESSIONS):
            by_version: list[list[AnomalyRow]] = [[], [], []]
            for i in range(lo, min(lo + BATCH_SESSIONS, sessions)):
                for v, rows in enumerate(_session_versions(tenant, i, sessions)):
                    by_version[v].extend(rows)
            for rows in by_version:
                if rows:
                    store.write_triage(rows, [], [], [])
                    written += len(rows)
    return {"rows_written": written, "load_s": round(time.perf_counter() - started, 1)}


def _worker_writes(store: ClickHouseTriageStore, count: int = WORKER_WRITES) -> dict[str, Any]:
    """Re-analyses of recent sessions written one at a time, as the triage worker writes them (timed)."""
    rng = random.Random("worker")
    samples = []
    for i in rng.sample(range(SESSIONS - SESSIONS * 30 // 365, SESSIONS), count):
        state: dict[str, AnomalyRow] = {}
        for rows in _session_versions(TENANT, i, SESSIONS):
            state.update((r.category, r) for r in rows)
        at = max(r.updated_at for r in state.values()) + timedelta(hours=30)
        inference = derived_id(TENANT, state[next(iter(state))].session_id, "worker")
        rows = [
            replace(r, is_current=False, updated_at=at, inference_id=inference)
            if rng.random() < 0.2
            else replace(r, risk_score=round(rng.random(), 6), updated_at=at, inference_id=inference, is_current=True)
            for r in state.values()
            if r.is_current
        ]
        started = time.perf_counter()
        store.write_triage(rows, [], [], [])
        samples.append(time.perf_counter() - started)
    return {"worker_writes": count, "write_triage_one_analysis": percentiles(samples)}


def _issues(store: ClickHouseTriageStore) -> dict[str, int]:
    """Issues on random connectors' categories, each covering 1 to 3 current anomalies of its category."""
    rng = random.Random("issues")
    issues: list[Issue] = []
    links: list[IssueLink] = []
    for n in range(ISSUES):
        picked = [_session_versions(TENANT, rng.randrange(SESSIONS), SESSIONS)[0] for _ in range(1 + rng.randrange(3))]
        first = rng.choice(picked[0])
        status = rng.choice(STATUSES)
        issue = Issue(
            tenant_id=TENANT,
            issue_id=derived_id(TENANT, "issue", str(n)),
            category=first.category,
            charging_station_id=first.charging_station_id,
            connector_id=first.connector_id,
            status=status,
            assigned_to=rng.choice([None, "ops@example.com", "field@example.com"]),
            opened_at=first.updated_at,
            updated_at=first.updated_at,
        )
        issues.append(issue)
        covered = [first, *(row for rows in picked[1:] for row in rows if row.category == first.category)]
        links.extend(IssueLink(TENANT, issue.issue_id, r.session_id, r.category, r.updated_at) for r in covered)
    store.write_triage([], issues, links, [])
    return {"issues": len(issues), "issue_links": len(links)}


def _settle(client: Client, timeout_s: float = 180.0) -> dict[str, int]:
    """Wait until no merge runs (twice in a row), then count the active parts of the tables read."""
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while quiet < 2 and time.monotonic() < deadline:
        running = scalar(client, "SELECT count() FROM system.merges WHERE database = currentDatabase()")
        quiet = quiet + 1 if running == 0 else 0
        time.sleep(1.0)
    rows = client.query(
        "SELECT table, count() FROM system.parts WHERE database = currentDatabase() AND active "
        "AND table IN ('anomalies', 'anomaly_list', 'bench_anomaly_floor') GROUP BY table ORDER BY table"
    ).result_rows
    return {str(table): int(n) for table, n in rows}


def _truth(client: Client) -> dict[str, int]:
    """What the lists must show, counted the slow and obvious way from `anomalies`."""
    row = client.query(
        "SELECT count(), countIf(is_current), uniqExact(session_id), uniqExact(charging_station_id, connector_id) "
        "FROM anomalies FINAL WHERE tenant_id = {t:String}",
        parameters={"t": TENANT},
    ).result_rows[0]
    total = scalar(client, "SELECT count() FROM anomalies WHERE tenant_id = {t:String}", {"t": TENANT})
    return {
        "anomaly_rows": total,
        "anomalies": int(row[0]),
        "current_anomalies": int(row[1]),
        "sessions_with_anomalies": int(row[2]),
        "connectors_with_anomalies": int(row[3]),
    }


def _queries(store: ClickHouseTriageStore, client: Client) -> dict[str, Callable[[], Any]]:
    """The calls serving/anomalies/service.py makes for each list, arguments cycling through a few values."""
    rng = random.Random("queries")
    sessions = itertools.cycle(
        [_session_versions(TENANT, rng.randrange(SESSIONS), SESSIONS)[0][0].session_id for _ in range(50)]
    )
    stations = itertools.cycle([(f"CP-{rng.randrange(STATIONS):04d}", str(1 + rng.randrange(2))) for _ in range(50)])
    categories = itertools.cycle(CATEGORIES)
    weeks = itertools.cycle([START + timedelta(days=7 * w) for w in range(52)])
    statuses = itertools.cycle(STATUSES)
    connector_ids = itertools.cycle(["1", "2"])

    def page(filters: Callable[[], AnomalyFilters], order: str = DEFAULT_ORDER, number: int = 0) -> Callable[[], Any]:
        return lambda: store.list_anomalies(TENANT, filters(), order, number * PAGE, PAGE)

    def week() -> AnomalyFilters:
        start = next(weeks)
        return AnomalyFilters(occurrence_from=start, occurrence_to=start + timedelta(days=7))

    def connector() -> AnomalyFilters:
        station, connector_id = next(stations)
        return AnomalyFilters(charging_station_id=station, connector_id=connector_id)

    return {
        "default_first_page": page(AnomalyFilters),
        "page_50": page(AnomalyFilters, number=50),
        "anomaly_type": page(lambda: AnomalyFilters(category=next(categories))),
        "connector": page(connector),
        "connector_id_only": page(lambda: AnomalyFilters(connector_id=next(connector_ids))),
        "charging_session_id": page(lambda: AnomalyFilters(session_id=next(sessions))),
        "occurrence_range": page(week),
        "sort_by_score_desc": page(AnomalyFilters, SCORE_ORDER),
        "issue_status": page(lambda: AnomalyFilters(issue_status=next(statuses))),
        "aggregate_by_connector": lambda: store.aggregate(
            TENANT, AnomalyFilters(), ["charging_station_id", "connector_id"], "last_update DESC", 0, PAGE
        ),
        "aggregate_by_session": lambda: store.aggregate(
            TENANT, AnomalyFilters(), ["session_id"], "last_update DESC", 0, PAGE
        ),
    }


def _floor(client: Client) -> Callable[[], Any]:
    """The peer: a plain MergeTree holding only the current rows, the same page and total read plainly."""
    client.command("DROP TABLE IF EXISTS bench_anomaly_floor")
    client.command(
        "CREATE TABLE bench_anomaly_floor ENGINE = MergeTree ORDER BY (tenant_id, period_start, session_id, category) "
        "AS SELECT * FROM anomalies FINAL WHERE is_current"
    )
    client.command("OPTIMIZE TABLE bench_anomaly_floor FINAL")
    columns = list(AnomalyRow.__dataclass_fields__)

    def query() -> Any:
        rows = client.query(
            f"SELECT {', '.join(columns)} FROM bench_anomaly_floor WHERE tenant_id = {{t:String}} "
            f"ORDER BY {DEFAULT_ORDER} LIMIT {{limit:UInt32}} OFFSET 0",
            parameters={"t": TENANT, "limit": PAGE},
        ).result_rows
        return rows, scalar(
            client, "SELECT count() FROM bench_anomaly_floor WHERE tenant_id = {t:String}", {"t": TENANT}
        )

    return query


def _measure(call: Callable[[], Any], iterations: int) -> dict[str, float]:
    for _ in range(WARMUP):
        call()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def _check(store: ClickHouseTriageStore, client: Client, truth: dict[str, int]) -> dict[str, Any]:
    """The lists agree with `anomalies` (totals, and the first page of the peer); raises when they do not."""
    rows, total = store.list_anomalies(TENANT, AnomalyFilters(), DEFAULT_ORDER, 0, PAGE)
    floor = client.query(
        f"SELECT session_id, category FROM bench_anomaly_floor WHERE tenant_id = {{t:String}} ORDER BY {DEFAULT_ORDER} "
        "LIMIT 20",
        parameters={"t": TENANT},
    ).result_rows
    problems = []
    if total != truth["current_anomalies"]:
        problems.append(f"list total {total} != {truth['current_anomalies']} current anomalies")
    if [(r.session_id, r.category) for r in rows] != [tuple(x) for x in floor]:
        problems.append("first page differs from the peer's")
    _, sessions = store.aggregate(TENANT, AnomalyFilters(), ["session_id"], "last_update DESC", 0, PAGE)
    if sessions != truth["sessions_with_anomalies"]:
        # sessions whose every anomaly was cleared have none current
        current_sessions = scalar(
            client,
            "SELECT uniqExact(session_id) FROM bench_anomaly_floor WHERE tenant_id = {t:String}",
            {"t": TENANT},
        )
        if sessions != current_sessions:
            problems.append(f"session list total {sessions} != {current_sessions}")
    if problems:
        raise RuntimeError("anomaly lists disagree with the anomalies table: " + "; ".join(problems))
    return {"list_total": total, "first_page_matches_peer": True}


def run(work: Path, iterations: int = ITERATIONS) -> dict[str, Any]:
    """Load, settle, check, then time every list and the peer; returns the result document."""
    settings = Settings(var_dir=work, clickhouse=ClickHouseSettings(dsn=f"chdb://{work / 'chdb'}"))
    client = connect(settings)
    migrate(client)
    store = ClickHouseTriageStore(client)
    data = {**_load(store), **_issues(store), **_worker_writes(store)}
    truth = _truth(client)
    peer_query = _floor(client)
    parts = _settle(client)
    check = _check(store, client, truth)
    load_before = os.getloadavg()
    results = {name: _measure(call, iterations) for name, call in _queries(store, client).items()}
    peer = _measure(peer_query, iterations)
    load_after = os.getloadavg()
    lists_p99 = {name: results[name]["p99_ms"] for name in LIST_QUERIES}
    return {
        "description": "ClickHouseTriageStore.list_anomalies / aggregate (page of 20 and its total) with "
        f"{truth['anomalies']:,} anomalies in one tenant ({truth['anomaly_rows']:,} rows written, re-analyses "
        "included), chDB in process, after merges settled; peer: the same first page and total from a plain "
        "MergeTree holding only the current rows (ORDER BY tenant_id, period_start, session_id, category).",
        "data": {
            **data,
            **truth,
            "sessions": SESSIONS,
            "stations": STATIONS,
            "connectors_per_station": 2,
            "small_tenants": SMALL_TENANTS,
            "active_parts": parts,
        },
        "check": check,
        "load_average_1_5_15": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "queries": results,
        "peer_plain_table_first_page": peer,
        "summary": {
            **{k: {"p50_ms": v["p50_ms"], "p99_ms": v["p99_ms"]} for k, v in results.items()},
            "peer_first_page": {"p50_ms": peer["p50_ms"], "p99_ms": peer["p99_ms"]},
            "first_page_over_peer_p50": round(results["default_first_page"]["p50_ms"] / peer["p50_ms"], 2),
            "first_page_over_peer_p99": round(results["default_first_page"]["p99_ms"] / peer["p99_ms"], 2),
            "target_list_p99_ms": TARGET_P99_MS,
            "lists_over_target": sorted(k for k, v in lists_p99.items() if v > TARGET_P99_MS),
        },
    }


def main(argv: list[str]) -> int:
    """`python -m bench.anomaly_lists [--iterations N] [--name NAME]`: writes bench/results/NAME.json."""
    parser = argparse.ArgumentParser(prog="python -m bench.anomaly_lists")
    parser.add_argument("--iterations", type=int, default=ITERATIONS)
    parser.add_argument("--name", default="anomaly_lists")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="evwatch-bench-lists-") as tmp:
        write_result(args.name, {**run(Path(tmp), args.iterations), "iterations": args.iterations})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
