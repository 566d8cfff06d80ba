"""The /v1/sessions use cases with an in-memory store, a fake network and a recording publisher."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import numpy as np
import pytest

from evwatch.analysis import SessionAnalyser
from evwatch.contracts.meter_values import (
    ApiSessionWrite,
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


class Published(list[ApiSessionWrite]):
    def __call__(self, message: ApiSessionWrite) -> None:
        self.append(message)


class Harness:
    def __init__(self, infer: Any = None, bounds: Bounds | None = None) -> None:
        self.store = InMemorySessionStore()
        self.infer = infer or FakeCsar2()
        self.published = Published()
        clock = iter(T0 + timedelta(seconds=i) for i in range(1000))
        self.analyser = SessionAnalyser(self.store, self.infer, clock=lambda: next(clock))
        self.service = SessionService(
            self.store, self.analyser, self.published, bounds or Bounds(), clock=lambda: next(clock)
        )


@pytest.fixture
def h() -> Harness:
    return Harness()


def test_create_with_three_readings_answers_the_analysis_and_republishes(h: Harness) -> None:
    answer = h.service.create("t", _create(kwh=[0.0, 1.0, 2.0]))
    assert answer.session_id == "s1" and answer.status == "active" and answer.is_anomaly is False
    assert answer.anomalies == [] and answer.message is None
    assert len(h.store.load_readings("t", ["s1"])["s1"]) == 3
    (message,) = h.published
    assert (message.op, message.tenant_id, message.analysis_pending) == ("create", "t", False)
    assert message.meter_values is not None and [m.value for m in message.meter_values] == [0.0, 1.0, 2.0]


def test_create_with_fewer_readings_says_when_analysis_runs(h: Harness) -> None:
    answer = h.service.create("t", _create(kwh=[0.0, 1.0]))
    assert answer.is_anomaly is None and answer.message is not None and "it has 2" in answer.message
    assert h.infer.batch_sizes == []


def test_an_anomalous_session_reports_the_category(h: Harness) -> None:
    answer = h.service.create("t", _create(kwh=[5.0, 6.0, 4.0, 5.0]))
    assert answer.is_anomaly and answer.is_incident
    assert answer.anomalies is not None and [a.category for a in answer.anomalies] == ["KWH_DECREASE"]


def test_a_duplicate_id_is_a_conflict_and_the_reserved_id_is_refused(h: Harness) -> None:
    h.service.create("t", _create())
    with pytest.raises(Conflict):
        h.service.create("t", _create())
    with pytest.raises(InvalidInput, match="sessionId"):
        h.service.create("t", _create("batch"))
    # Another tenant may use the same id.
    assert h.service.create("other", _create()).session_id == "s1"


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
    assert h.store.sessions == {} and h.published == []


def test_replace_swaps_every_reading_and_reanalyses(h: Harness) -> None:
    h.service.create("t", _create(kwh=[5.0, 6.0, 4.0, 5.0]))
    answer = h.service.replace(
        "t", "s1", msgspec.convert({"meterValues": _values([0.0, 1.0, 2.0])}, ReplaceSessionRequest)
    )
    assert [r.value for r in h.store.load_readings("t", ["s1"])["s1"]] == [0.0, 1.0, 2.0]
    assert answer.is_anomaly is False
    assert h.published[-1].op == "replace"


def test_replace_needs_readings_and_an_existing_session(h: Harness) -> None:
    with pytest.raises(NotFound):
        h.service.replace("t", "nope", msgspec.convert({"meterValues": _values([1.0])}, ReplaceSessionRequest))
    h.service.create("t", _create())
    with pytest.raises(InvalidInput, match="meterValues"):
        h.service.replace("t", "s1", ReplaceSessionRequest(meter_values=[]))


def test_append_adds_readings_and_an_empty_append_changes_only_what_it_names(h: Harness) -> None:
    h.service.create("t", _create(kwh=[0.0, 1.0]))
    answer = h.service.append("t", "s1", msgspec.convert({"meterValues": _values([2.0], 10)}, UpdateSessionRequest))
    assert answer.is_anomaly is False and len(h.store.load_readings("t", ["s1"])["s1"]) == 3
    calls = len(h.infer.batch_sizes)
    same = h.service.append("t", "s1", UpdateSessionRequest(status="finished"))
    assert len(h.infer.batch_sizes) == calls  # no inference
    assert same.status == "finished" and same.analyzed_at == answer.analyzed_at
    assert h.store.get_session("t", "s1").status == "finished"  # type: ignore[union-attr]


def test_an_unreachable_triton_stores_the_readings_and_leaves_the_analysis_to_the_pipeline() -> None:
    def down(_: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        raise Unavailable("triton is down")

    h = Harness(infer=down)
    answer = h.service.create("t", _create(kwh=[0.0, 1.0, 2.0]))
    assert answer.message == PENDING_MESSAGE and answer.is_anomaly is None
    assert len(h.store.load_readings("t", ["s1"])["s1"]) == 3
    assert h.published[0].analysis_pending


def test_a_failing_publisher_does_not_fail_the_request() -> None:
    h = Harness()

    def broken(_: ApiSessionWrite) -> None:
        raise RuntimeError("kafka down")

    h.service.publish = broken
    assert h.service.create("t", _create(kwh=[0.0, 1.0, 2.0])).is_anomaly is False


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
    assert len(h.store.load_readings("t", ["s1"])["s1"]) == 3  # accepted and kept
    assert h.published[0].analysis_pending is False  # no endless retry by the pipeline
    detail = h.service.detail("t", "s1")
    assert detail.message is not None and "model failed on this input" in detail.message
    h.service.append("t", "s1", msgspec.convert({"meterValues": _values([3.0], 20)}, UpdateSessionRequest))
    assert h.service.detail("t", "s1").message is None


def test_a_session_cannot_grow_past_its_reading_cap() -> None:
    h = Harness(bounds=Bounds(max_readings_per_session=4))
    h.service.create("t", _create(kwh=[0.0, 1.0, 2.0]))
    with pytest.raises(InvalidInput, match="at most 4"):
        h.service.append("t", "s1", msgspec.convert({"meterValues": _values([3.0, 4.0], 20)}, UpdateSessionRequest))
    assert h.store.count_readings("t", "s1") == 3


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
    assert h.store.sessions == {}
