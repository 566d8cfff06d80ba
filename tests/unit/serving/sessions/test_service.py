"""The /v1/sessions use cases with an in-memory store (the log rules of ClickHouse) and a fake network."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import numpy as np
import pytest

from evwatch.analysis import SessionAnalyser
from evwatch.contracts.meter_values import (
    CreateSessionRequest,
    ReplaceSessionRequest,
    UpdateSessionRequest,
)
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import Conflict, InferenceRejected, InvalidInput, NotFound, Unavailable
from evwatch.domain.sessions import SessionFilters
from serving.pagination import Page
from serving.sessions.service import FAILED_MESSAGE, PENDING_MESSAGE, SessionService
from tests.fakes.inference import FakeCsar2
from tests.fakes.stores import InMemorySessionStore

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)


def _values(kwh: list[float], start_minute: int = 0) -> list[dict[str, Any]]:
    return [
        {"timestamp": (T0 + timedelta(minutes=start_minute + 5 * i)).isoformat(), "value": v * 1000, "unit": "Wh"}
        for i, v in enumerate(kwh)
    ]


def _create(session_id: str = "s1", kwh: list[float] | None = None, **extra: Any) -> CreateSessionRequest:
    body: dict[str, Any] = {"sessionId": session_id, "chargingStationId": "ST", "connectorId": "1", **extra}
    if kwh is not None:
        body["meterValues"] = _values(kwh)
    return msgspec.convert(body, CreateSessionRequest)


class Harness:
    def __init__(self, infer: Any = None, bounds: Bounds | None = None) -> None:
        self.store = InMemorySessionStore()
        self.infer = infer or FakeCsar2()
        ticks = itertools.count()
        lock = threading.Lock()

        def clock() -> datetime:
            with lock:
                return T0 + timedelta(seconds=next(ticks))

        self.analyser = SessionAnalyser(self.store, self.infer, clock=clock)
        self.service = SessionService(self.store, self.analyser, bounds or Bounds(), clock=clock)

    def values(self, session_id: str = "s1") -> list[float]:
        return [r.value for r in self.store.load_readings("t", [session_id])[session_id]]


@pytest.fixture
def h() -> Harness:
    return Harness()


def test_create_stores_one_write_with_its_analysis(h: Harness) -> None:
    answer = h.service.create("t", _create(kwh=[0.0, 1.0, 2.0]))
    assert answer.session_id == "s1" and answer.status == "active" and answer.is_anomaly is False
    assert answer.anomalies == [] and answer.message is None
    (write,) = h.store.log("t", "s1")
    assert (write.op, write.revision, len(write.readings), write.analysis_pending) == ("create", 1, 3, False)
    analysis = h.store.current_analyses("t", ["s1"])["s1"]
    assert (analysis.reading_count, analysis.base_revision) == (3, 0)


def test_create_with_fewer_readings_says_when_analysis_runs(h: Harness) -> None:
    answer = h.service.create("t", _create(kwh=[0.0, 1.0]))
    assert answer.is_anomaly is None and answer.message is not None and "it has 2" in answer.message
    assert h.infer.batch_sizes == []


def test_an_anomalous_session_reports_the_category(h: Harness) -> None:
    answer = h.service.create("t", _create(kwh=[5.0, 6.0, 4.0, 5.0]))
    assert answer.is_anomaly and answer.is_incident
    assert answer.anomalies is not None and [a.category for a in answer.anomalies] == ["KWH_DECREASE"]


def test_a_category_seen_on_the_connector_lately_makes_a_finding_recurring(h: Harness) -> None:
    h.service.create("t", _create("s1", kwh=[5.0, 6.0, 4.0, 5.0]))
    assert h.service.create("t", _create("s2", kwh=[5.0, 6.0, 4.0, 5.0])).is_recurring is True
    other = _create("s3", kwh=[5.0, 6.0, 4.0, 5.0], connectorId="2")
    assert h.service.create("t", other).is_recurring is False


def test_a_duplicate_id_is_a_conflict_and_the_reserved_id_is_refused(h: Harness) -> None:
    h.service.create("t", _create())
    with pytest.raises(Conflict):
        h.service.create("t", _create())
    with pytest.raises(InvalidInput, match="sessionId"):
        h.service.create("t", _create("batch"))
    # Another tenant may use the same id.
    assert h.service.create("other", _create()).session_id == "s1"


def test_of_twenty_racing_creates_exactly_one_wins() -> None:
    h = Harness()
    racers = 20
    # Every racer sees "no such session" before any of them claims the revision.
    barrier = threading.Barrier(racers)
    context = h.store.create_context

    def create_context(*args: Any) -> tuple[bool, set[str]]:
        found = context(*args)
        barrier.wait(timeout=10)
        return found

    h.store.create_context = create_context  # type: ignore[method-assign]

    def post(i: int) -> str:
        try:
            h.service.create("t", _create(kwh=[0.0, 1.0, 2.0 + i]))
        except Conflict:
            return "409"
        return "200"

    with ThreadPoolExecutor(racers) as pool:
        outcomes = list(pool.map(post, range(racers)))
    assert sorted(outcomes) == ["200"] + ["409"] * 19
    (write,) = h.store.log("t", "s1")
    # The analysis shown is the winner's.
    assert h.store.current_analyses("t", ["s1"])["s1"].reading_count == 3
    assert len(h.store.analyses) == 1 and write.readings[-1].value == h.values()[-1]


def test_bad_readings_name_their_field_and_store_nothing(h: Harness) -> None:
    bad = msgspec.convert(
        {
            "sessionId": "s1",
            "chargingStationId": "ST",
            "meterValues": [*_values([1.0]), {**_values([2.0])[0], "unit": "A"}],
        },
        CreateSessionRequest,
    )
    with pytest.raises(InvalidInput) as err:
        h.service.create("t", bad)
    assert [p.field for p in err.value.problems] == ["meterValues[1].unit"]
    assert h.store.rows == {}


def test_replace_writes_a_new_revision_that_shows_only_its_readings(h: Harness) -> None:
    h.service.create("t", _create(kwh=[5.0, 6.0, 4.0, 5.0]))
    answer = h.service.replace(
        "t", "s1", msgspec.convert({"meterValues": _values([0.0, 1.0, 2.0])}, ReplaceSessionRequest)
    )
    assert h.values() == [0.0, 1.0, 2.0] and answer.is_anomaly is False
    assert [w.revision for w in h.store.log("t", "s1")] == [1, 2]
    assert h.store.current_analyses("t", ["s1"])["s1"].base_revision == 2


def test_a_replace_that_leaves_fewer_than_three_readings_clears_the_analysis(h: Harness) -> None:
    h.service.create("t", _create(kwh=[5.0, 6.0, 4.0, 5.0]))
    answer = h.service.replace("t", "s1", msgspec.convert({"meterValues": _values([0.0])}, ReplaceSessionRequest))
    assert answer.is_anomaly is None and answer.message is not None and "it has 1" in answer.message
    detail = h.service.detail("t", "s1")
    assert detail.is_anomaly is None and detail.anomalies is None and len(detail.meter_values) == 1


def test_replace_needs_readings_and_an_existing_session(h: Harness) -> None:
    with pytest.raises(NotFound):
        h.service.replace("t", "nope", msgspec.convert({"meterValues": _values([1.0])}, ReplaceSessionRequest))
    h.service.create("t", _create())
    with pytest.raises(InvalidInput, match="meterValues"):
        h.service.replace("t", "s1", ReplaceSessionRequest(meter_values=[]))


def test_racing_replace_and_append_are_serialised_never_merged() -> None:
    h = Harness()
    h.service.create("t", _create(kwh=[0.0, 1.0, 2.0]))
    # Both read the session at revision 1 before either claims revision 2: one must lose and retry.
    barrier = threading.Barrier(2)
    heads, load_log = h.store.heads, h.store.load_log
    first_read = {"heads": True, "log": True}

    def heads_once(*args: Any, **kwargs: Any) -> Any:
        found = heads(*args, **kwargs)
        if first_read.pop("heads", False):
            barrier.wait(timeout=10)
        return found

    def log_once(*args: Any) -> Any:
        found = load_log(*args)
        if first_read.pop("log", False):
            barrier.wait(timeout=10)
        return found

    h.store.heads = heads_once  # type: ignore[method-assign]
    h.store.load_log = log_once  # type: ignore[method-assign]
    put = msgspec.convert({"meterValues": _values([10.0, 11.0, 12.0], 100)}, ReplaceSessionRequest)
    patch = msgspec.convert({"meterValues": _values([13.0], 200)}, UpdateSessionRequest)
    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(h.service.replace, "t", "s1", put), pool.submit(h.service.append, "t", "s1", patch)]
        for future in done:
            future.result(timeout=30)
    # Either the append came first (the replace wiped it) or the replace did (the append follows it).
    assert h.values() in ([10.0, 11.0, 12.0], [10.0, 11.0, 12.0, 13.0])
    assert [w.revision for w in h.store.log("t", "s1")] == [1, 2, 3]
    assert h.store.current_analyses("t", ["s1"])["s1"].reading_count == len(h.values())


def test_append_adds_readings_and_an_empty_append_changes_only_what_it_names(h: Harness) -> None:
    h.service.create("t", _create(kwh=[0.0, 1.0]))
    answer = h.service.append("t", "s1", msgspec.convert({"meterValues": _values([2.0], 10)}, UpdateSessionRequest))
    assert answer.is_anomaly is False and len(h.values()) == 3
    calls = len(h.infer.batch_sizes)
    same = h.service.append("t", "s1", UpdateSessionRequest(status="finished"))
    assert len(h.infer.batch_sizes) == calls  # no inference
    assert same.status == "finished" and same.analyzed_at == answer.analyzed_at
    assert h.store.sessions[("t", "s1")].status == "finished"
    nothing = h.service.append("t", "s1", UpdateSessionRequest())
    assert nothing.status == "finished" and len(h.store.log("t", "s1")) == 3


def test_an_unreachable_triton_stores_the_write_marked_pending() -> None:
    def down(_: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        raise Unavailable("triton is down")

    h = Harness(infer=down)
    answer = h.service.create("t", _create(kwh=[0.0, 1.0, 2.0]))
    assert answer.message == PENDING_MESSAGE and answer.is_anomaly is None
    (write,) = h.store.log("t", "s1")
    assert write.analysis_pending and len(write.readings) == 3 and h.store.analyses == {}


def test_detail_lists_readings_in_time_order_and_list_pages_newest_first(h: Harness) -> None:
    h.service.create("t", _create("s1", kwh=[0.0, 1.0, 2.0]))
    h.service.create("t", _create("s2", kwh=[5.0, 6.0, 4.0, 5.0]))
    detail = h.service.detail("t", "s1")
    assert [m.timestamp for m in detail.meter_values] == sorted(m.timestamp for m in detail.meter_values)
    page = h.service.list_sessions("t", SessionFilters(), Page(0, 1))
    assert [s.session_id for s in page.content] == ["s2"] and page.pagination.total_count == 2
    anomalous = h.service.list_sessions("t", SessionFilters(is_anomaly=True), Page(0, 20))
    assert [s.session_id for s in anomalous.content] == ["s2"]
    with pytest.raises(NotFound):
        h.service.detail("other", "s1")


def test_a_rejected_analysis_is_recorded_shown_in_the_detail_and_cleared_by_a_later_success() -> None:
    answers: list[Any] = [InferenceRejected("model failed on this input")]

    def infer(inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if answers:
            raise answers.pop()
        return FakeCsar2()(inputs)

    h = Harness(infer=infer)
    answer = h.service.create("t", _create(kwh=[0.0, 1.0, 2.0]))
    assert answer.message is not None and answer.message.startswith(FAILED_MESSAGE) and answer.is_anomaly is None
    assert len(h.values()) == 3  # accepted and kept
    assert h.store.log("t", "s1")[0].analysis_pending is False  # recorded as failed, not retried
    assert h.store.analysed_counts("t", ["s1"]) == {"s1": 3}
    detail = h.service.detail("t", "s1")
    assert detail.message is not None and "model failed on this input" in detail.message
    h.service.append("t", "s1", msgspec.convert({"meterValues": _values([3.0], 20)}, UpdateSessionRequest))
    assert h.service.detail("t", "s1").message is None


def test_a_session_cannot_grow_past_its_reading_cap() -> None:
    h = Harness(bounds=Bounds(max_readings_per_session=4))
    h.service.create("t", _create(kwh=[0.0, 1.0, 2.0]))
    with pytest.raises(InvalidInput, match="at most 4"):
        h.service.append("t", "s1", msgspec.convert({"meterValues": _values([3.0, 4.0], 20)}, UpdateSessionRequest))
    assert len(h.values()) == 3


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"maxPowerKw": 50_000}, "metadata.maxPowerKw"),
        ({"batteryCapacityKwh": -1}, "metadata.batteryCapacityKwh"),
        ({"targetSoc": "full"}, "metadata.targetSoc"),
        ({"currentType": "XC"}, "metadata.currentType"),
        ({"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": 1}}}}}}}}}, "metadata"),
        ({"x": 10**30}, "metadata.x"),
        ({"blob": "x" * 20_000}, "metadata"),
    ],
)
def test_metadata_outside_its_bounds_is_refused_by_field(h: Harness, metadata: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as err:
        h.service.create("t", _create(kwh=[0.0, 1.0, 2.0], metadata=metadata))
    assert err.value.problems[0].field == field
    assert h.store.rows == {}
