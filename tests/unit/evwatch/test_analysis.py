"""The one session analysis, with a fake network and an in-memory store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from evwatch.analysis import SessionAnalyser, SessionSnapshot, analyse, inference_id
from evwatch.domain.categories import CATEGORIES
from evwatch.domain.ocpp import ENERGY
from evwatch.domain.readings import StoredReading
from evwatch.domain.session_log import REPLACE, STREAM, SessionWrite, api_slot
from evwatch.domain.sessions import SessionRecord
from evwatch.domain.triage import INCIDENT_SCORE
from tests.fakes.inference import FakeCsar2
from tests.fakes.stores import InMemorySessionStore

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)


def _session(session_id: str, connector: str = "1") -> SessionRecord:
    return SessionRecord("t", session_id, "ST", connector, None, "active", {"maxPowerKw": 22}, T0, T0)


def _readings(kwh: list[float]) -> list[StoredReading]:
    return [StoredReading(T0 + timedelta(minutes=5 * i), ENERGY, "kWh", v) for i, v in enumerate(kwh)]


HEALTHY = [0.0, 1.0, 2.0, 3.0]
DECREASING = [5.0, 6.0, 4.0, 5.0]


def test_sessions_with_fewer_than_three_readings_are_skipped_and_the_rest_share_one_inference() -> None:
    infer = FakeCsar2()
    snapshots = [
        SessionSnapshot(_session("a"), _readings(HEALTHY)),
        SessionSnapshot(_session("b"), _readings([1.0, 2.0])),
        SessionSnapshot(_session("c"), _readings(DECREASING)),
    ]
    records = analyse(snapshots, infer, T0)
    assert [r.session_id for r in records] == ["a", "c"]
    assert infer.batch_sizes == [2]
    assert analyse([snapshots[1]], infer, T0) == [] and infer.batch_sizes == [2]


def test_a_billing_category_makes_an_incident_and_a_clean_session_does_not() -> None:
    healthy, faulty = analyse(
        [SessionSnapshot(_session("a"), _readings(HEALTHY)), SessionSnapshot(_session("b"), _readings(DECREASING))],
        FakeCsar2(),
        T0,
    )
    assert not healthy.is_anomaly and not healthy.is_incident and healthy.anomalies == ()
    assert faulty.is_anomaly and faulty.is_incident
    assert [a.category for a in faulty.anomalies] == ["KWH_DECREASE"]
    assert faulty.anomalies[0].start_ts >= T0 and faulty.reading_count == 4


@pytest.mark.parametrize(("score", "incident"), [(INCIDENT_SCORE + 0.05, True), (0.6, False)])
def test_outside_billing_only_a_sure_finding_makes_an_incident(score: float, incident: bool) -> None:
    def data_gap(inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = FakeCsar2()(inputs)
        out["UNIT_PROBS"][:, 1, CATEGORIES.index("DATA_GAP")] = score
        return out

    (record,) = analyse([SessionSnapshot(_session("a"), _readings(HEALTHY))], data_gap, T0)
    assert [a.category for a in record.anomalies] == ["DATA_GAP"]
    assert record.is_anomaly and record.is_incident is incident


def test_unfamiliar_telemetry_alone_is_recorded_and_opens_nothing() -> None:
    def unfamiliar(inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = FakeCsar2()(inputs)
        out["AE_SCORE"][:] = 0.99
        out["ANOMALY_SCORE"][:] = 0.99
        return out

    (record,) = analyse([SessionSnapshot(_session("a"), _readings(HEALTHY))], unfamiliar, T0)
    assert not record.is_anomaly and not record.is_incident and record.anomalies == ()
    assert record.unfamiliar_score == pytest.approx(0.99) and record.anomaly_score == 0.0


def test_the_inference_id_depends_on_revision_readings_and_model_only() -> None:
    one = SessionSnapshot(_session("a"), _readings(HEALTHY))
    same = SessionSnapshot(_session("a"), _readings(HEALTHY))
    more = SessionSnapshot(_session("a"), _readings([*HEALTHY, 4.0]))
    replaced = SessionSnapshot(_session("a"), _readings(HEALTHY), base_revision=2)
    assert inference_id(one, "v1") == inference_id(same, "v1")
    assert inference_id(one, "v1") != inference_id(one, "v2")
    assert inference_id(one, "v1") != inference_id(more, "v1")
    assert inference_id(one, "v1") != inference_id(replaced, "v1")


def _stored(store: InMemorySessionStore, session: SessionRecord, kwh: list[float]) -> None:
    slot = f"kafka:mv:0:{session.session_id}"
    store.insert_writes([SessionWrite(session, slot, slot, 0, STREAM, T0, tuple(_readings(kwh)))])


def test_the_analyser_analyses_what_the_session_shows_since_its_latest_replace() -> None:
    store = InMemorySessionStore()
    _stored(store, _session("s"), DECREASING)
    replacement = SessionWrite(_session("s"), "api:w", api_slot(1), 1, REPLACE, T0, tuple(_readings(HEALTHY)))
    store.insert_writes([replacement])
    (record,) = SessionAnalyser(store, FakeCsar2(), clock=lambda: T0).analyse("t", ["s"])
    assert (record.base_revision, record.reading_count, record.is_anomaly) == (1, 4, False)


def test_the_analyser_stores_what_it_found_and_marks_a_category_seen_again_on_the_connector() -> None:
    store = InMemorySessionStore()
    analyser = SessionAnalyser(store, FakeCsar2(), clock=lambda: T0)
    _stored(store, _session("first"), DECREASING)
    _stored(store, _session("second"), DECREASING)
    _stored(store, _session("elsewhere", connector="2"), DECREASING)
    (first,) = analyser.analyse("t", ["first"])
    assert not first.is_recurring
    assert store.current_analyses("t", ["first"])["first"] == first
    (second,) = analyser.analyse("t", ["second"])
    (elsewhere,) = analyser.analyse("t", ["elsewhere"])
    assert second.is_recurring and not elsewhere.is_recurring


def test_a_finding_older_than_the_window_does_not_recur() -> None:
    store = InMemorySessionStore()
    _stored(store, _session("old"), DECREASING)
    SessionAnalyser(store, FakeCsar2(), clock=lambda: T0 - timedelta(days=8)).analyse("t", ["old"])
    _stored(store, _session("new"), DECREASING)
    (new,) = SessionAnalyser(store, FakeCsar2(), clock=lambda: T0).analyse("t", ["new"])
    assert not new.is_recurring


@pytest.mark.parametrize("session_ids", [[], ["missing"]])
def test_nothing_to_analyse_writes_nothing(session_ids: list[str]) -> None:
    store = InMemorySessionStore()
    assert SessionAnalyser(store, FakeCsar2(), clock=lambda: T0).analyse("t", session_ids) == []
    assert store.analyses == {}
