"""The anomaly lists against chDB: whatever analyses the triage worker handled, in whatever order, replayed
or interrupted, the lists (`anomaly_list`, migration 0015) show exactly the newest current version of
each anomaly that `anomalies` holds, page by page, in every order, filtered and aggregated."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evwatch.domain.sessions import AnalysisRecord, AnomalyRecord
from evwatch.domain.triage import AnomalyRow, Issue, IssueLink, TriageState, triage
from evwatch.storage.anomalies import AnomalyFilters, ClickHouseTriageStore
from tests.support.fuzz import EXAMPLES, fuzz

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
CATEGORIES = ("KWH_DECREASE", "DATA_GAP", "SOC_DROP")
DEFAULT = "period_start DESC, session_id, category"
ORDERS = (
    DEFAULT,
    "risk_score DESC, period_start DESC, session_id, category",
    "risk_score ASC, period_start DESC, session_id, category",
)

# An analysis: which session, when (minutes after T0), what it finds (category -> start minute, score);
# then how it is handled: once, twice, or interrupted between the list and `anomalies` and handled again.
ANALYSES = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(0, 30),
        st.dictionaries(st.sampled_from(CATEGORIES), st.tuples(st.integers(0, 5), st.integers(1, 9)), max_size=3),
        st.sampled_from(["once", "twice", "interrupted"]),
    ),
    min_size=1,
    max_size=12,
)

# A filter and what it keeps.
FILTERS: list[tuple[AnomalyFilters, Callable[[AnomalyRow], bool]]] = [
    (AnomalyFilters(category="DATA_GAP"), lambda r: r.category == "DATA_GAP"),
    (AnomalyFilters(connector_id="2"), lambda r: r.connector_id == "2"),
    (AnomalyFilters(session_id="s1"), lambda r: r.session_id == "s1"),
    (AnomalyFilters(charging_station_id="CP-1"), lambda r: r.charging_station_id == "CP-1"),
    (AnomalyFilters(occurrence_from=T0 + timedelta(minutes=2)), lambda r: r.period_start >= T0 + timedelta(minutes=2)),
]


def _record(tenant: str, n: int, session: int, minute: int, found: dict[str, tuple[int, int]]) -> AnalysisRecord:
    return AnalysisRecord(
        tenant_id=tenant,
        session_id=f"s{session}",
        inference_id=f"i{n}",
        charging_station_id=f"CP-{session % 2}",
        connector_id=str(1 + session % 3),
        analyzed_at=T0 + timedelta(minutes=minute, milliseconds=n),
        anomaly_score=0.5,
        is_anomaly=bool(found),
        anomaly_confidence=0.9,
        is_incident=False,
        is_recurring=False,
        soc_reconstructed=False,
        reading_count=30,
        unit_seconds=60.0,
        model_version="v",
        anomalies=tuple(
            AnomalyRecord(c, at, at + 1, T0 + timedelta(minutes=at), T0 + timedelta(minutes=at + 1), score / 10, 0.9)
            for c, (at, score) in sorted(found.items())
        ),
    )


def _handle(store: ClickHouseTriageStore, record: AnalysisRecord, how: str) -> None:
    """What the triage worker does with one analysis (a replay, or a crash between the two inserts)."""
    state = TriageState(store.session_anomalies(record.tenant_id, record.session_id), {}, [])
    rows = triage(record, state).anomalies
    if how == "interrupted" and rows:
        listed, _ = store._list_changes(rows, [])  # noqa: SLF001 - write_triage's first insert, then a crash
        store._client.insert("anomaly_list", listed, column_names=[*AnomalyRow.__dataclass_fields__, "sign"])  # noqa: SLF001
    store.write_triage(rows, [], [], [])
    if how == "twice":
        _handle(store, record, "once")


def _current(store: ClickHouseTriageStore, tenant: str) -> list[AnomalyRow]:
    rows = store._client.query(  # noqa: SLF001
        f"SELECT {', '.join(AnomalyRow.__dataclass_fields__)} FROM anomalies FINAL "
        "WHERE tenant_id = {t:String} AND is_current",
        parameters={"t": tenant},
    ).result_rows
    return [AnomalyRow(*r) for r in rows]


def _sorted(rows: list[AnomalyRow], order: str) -> list[AnomalyRow]:
    by_occurrence = sorted(rows, key=lambda r: (-r.period_start.timestamp(), r.session_id, r.category))
    if order.startswith("risk_score DESC"):
        return sorted(by_occurrence, key=lambda r: -r.risk_score)
    if order.startswith("risk_score ASC"):
        return sorted(by_occurrence, key=lambda r: r.risk_score)
    return by_occurrence


def _pages(store: ClickHouseTriageStore, tenant: str, filters: AnomalyFilters, order: str) -> list[AnomalyRow]:
    shown: list[AnomalyRow] = []
    for page in range(10):
        rows, total = store.list_anomalies(tenant, filters, order, page * 2, 2)
        shown.extend(rows)
        if len(shown) >= total:
            assert len(shown) == total
            return shown
    raise AssertionError("more pages than rows")


@settings(fuzz, max_examples=max(10, EXAMPLES // 10))
@given(ANALYSES)
def test_the_lists_show_the_newest_current_version_of_every_anomaly(runtime: Any, analyses: list[Any]) -> None:
    store = ClickHouseTriageStore(runtime.client)
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    # an issue starts covering three anomalies halfway (whether they exist yet or not)
    covered = {("s0", "KWH_DECREASE"), ("s2", "DATA_GAP"), ("s3", "SOC_DROP")}
    issue = Issue(tenant, "issue-1", "KWH_DECREASE", "CP-0", "1", "OPEN", "ops", T0, T0)
    for n, (session, minute, found, how) in enumerate(analyses):
        if n == len(analyses) // 2:
            store.write_triage([], [issue], [IssueLink(tenant, "issue-1", s, c, T0) for s, c in sorted(covered)], [])
        _handle(store, _record(tenant, n, session, minute, found), how)
    current = _current(store, tenant)

    for order in ORDERS:
        assert _pages(store, tenant, AnomalyFilters(), order) == _sorted(current, order)
    for filters, keep in FILTERS:
        assert _pages(store, tenant, filters, DEFAULT) == _sorted([r for r in current if keep(r)], DEFAULT)
    by_issue = [r for r in current if (r.session_id, r.category) in covered]
    assert _pages(store, tenant, AnomalyFilters(issue_status="OPEN"), DEFAULT) == _sorted(by_issue, DEFAULT)
    assert _pages(store, tenant, AnomalyFilters(assigned_to="nobody"), DEFAULT) == []

    groups, total = store.aggregate(tenant, AnomalyFilters(), ["session_id"], "anomaly_count DESC", 0, 100)
    expected: dict[str, list[AnomalyRow]] = {}
    for r in current:
        expected.setdefault(r.session_id, []).append(r)
    assert total == len(expected)
    assert {
        g["session_id"]: (g["anomaly_count"], g["last_update"], g["risk_score"], Counter(g["categories"]))
        for g in groups
    } == {
        s: (len(rs), max(r.updated_at for r in rs), max(r.risk_score for r in rs), Counter(r.category for r in rs))
        for s, rs in expected.items()
    }


def test_an_analysis_older_than_the_rows_changes_nothing_and_a_cleared_category_leaves(runtime: Any) -> None:
    store = ClickHouseTriageStore(runtime.client)
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    _handle(store, _record(tenant, 1, 0, 10, {"KWH_DECREASE": (1, 5), "DATA_GAP": (2, 6)}), "once")
    _handle(store, _record(tenant, 0, 0, 5, {"SOC_DROP": (0, 9)}), "once")  # older: ignored
    _handle(store, _record(tenant, 2, 0, 20, {"KWH_DECREASE": (3, 7)}), "once")  # moves it, clears DATA_GAP
    rows, total = store.list_anomalies(tenant, AnomalyFilters(), DEFAULT, 0, 20)
    assert total == 1 and [(r.category, r.period_start, r.risk_score) for r in rows] == [
        ("KWH_DECREASE", T0 + timedelta(minutes=3), 0.7)
    ]


def test_a_page_crowded_by_replaced_versions_reads_further(runtime: Any) -> None:
    store = ClickHouseTriageStore(runtime.client)
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    runtime.client.command("SYSTEM STOP MERGES anomaly_list")  # keep every -1 copy where the page looks first
    try:
        # each re-analysis moves the period earlier: the replaced versions, with their copies, come first
        for n in range(30):
            _handle(store, _record(tenant, n, 0, n, {"DATA_GAP": (40 - n, 5)}), "once")
        _handle(store, _record(tenant, 99, 1, 0, {"SOC_DROP": (0, 5)}), "once")
        for offset in (0, 1):
            rows, total = store.list_anomalies(tenant, AnomalyFilters(), DEFAULT, offset, 1)
            assert total == 2 and [r.period_start for r in rows] == [T0 + timedelta(minutes=11 - 11 * offset)]
    finally:
        runtime.client.command("SYSTEM START MERGES anomaly_list")


def test_the_next_write_of_a_session_mends_what_an_interrupted_one_left(runtime: Any) -> None:
    store = ClickHouseTriageStore(runtime.client)
    tenant = f"t-{uuid.uuid4().hex[:10]}"
    columns = [*AnomalyRow.__dataclass_fields__, "sign"]
    _handle(store, _record(tenant, 1, 0, 10, {"KWH_DECREASE": (1, 5), "DATA_GAP": (2, 6)}), "once")
    # analysis 2 reached the list but not `anomalies`, and is never handled again
    record = _record(tenant, 2, 0, 20, {"KWH_DECREASE": (3, 7)})
    rows = triage(record, TriageState(store.session_anomalies(tenant, "s0"), {}, [])).anomalies
    store._client.insert("anomaly_list", store._list_changes(rows, [])[0], column_names=columns)  # noqa: SLF001
    assert store.list_anomalies(tenant, AnomalyFilters(), DEFAULT, 0, 20)[1] == 1
    _handle(store, _record(tenant, 3, 0, 30, {"DATA_GAP": (4, 8), "SOC_DROP": (5, 9)}), "once")
    rows, total = store.list_anomalies(tenant, AnomalyFilters(), DEFAULT, 0, 20)
    assert total == 2 and {(r.category, r.inference_id) for r in rows} == {("DATA_GAP", "i3"), ("SOC_DROP", "i3")}
