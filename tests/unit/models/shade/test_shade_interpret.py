"""SHADE post-processing: markers, anomaly type, kWh figures, detection detail keys."""

from __future__ import annotations

import numpy as np

from evwatch.domain.categories import STATION_ANOMALY_TYPES
from models.shade.features import prepare, profile_of
from models.shade.interpret import interpret
from models.shade.schema import MINUTES, N_CLASSES, OUTPUT_DAY_SCORE, OUTPUT_MINUTE_PROBS, History
from models.shade.simulator import random_station, simulate_day


def _outputs(day_score: float, anomaly: str | None = None, start: int = 0, end: int = 0) -> dict[str, np.ndarray]:
    probs = np.zeros((N_CLASSES, MINUTES), dtype=np.float32)
    probs[0] = 1.0
    if anomaly:
        k = 1 + STATION_ANOMALY_TYPES.index(anomaly)
        probs[0, start:end] = 0.1
        probs[k, start:end] = 0.9
    return {OUTPUT_MINUTE_PROBS: probs, OUTPUT_DAY_SCORE: np.array([day_score], dtype=np.float32)}


def _prepared(history_days: int = 14):
    spec = random_station(np.random.default_rng(4), n_connectors=3)
    history = History(tuple(profile_of(simulate_day(spec, d, 1).day) for d in range(14 - history_days, 14)))
    return prepare(simulate_day(spec, 14, 1).day, history)


def test_healthy_result_has_no_type_and_no_markers() -> None:
    result = interpret(_prepared(), _outputs(0.1))
    assert not result.is_anomaly and result.markers == ()
    assert "anomaly_type" not in result.detection_details
    assert result.detection_details["affected_period"] == "2026-01-19"
    assert result.day_score == 0.1


def test_anomaly_run_becomes_a_marker_with_type_and_energy() -> None:
    prepared = _prepared()
    result = interpret(prepared, _outputs(0.9, "energy_drop", 600, 900), threshold=0.5)
    assert result.is_anomaly
    assert [(m.start_minute, m.end_minute) for m in result.markers] == [(600, 900)]
    assert result.markers[0].score == 0.9
    d = result.detection_details
    assert d["anomaly_type"] == "energy_drop"
    assert d["actual_energy_kwh"] == round(float(prepared.actual_total_kwh[600:900].sum()), 3)
    assert d["affected_start"] == "2026-01-19T10:00:00Z" and d["affected_end"] == "2026-01-19T15:00:00Z"
    assert set(d) >= {"anomaly_type", "expected_energy_kwh", "actual_energy_kwh", "affected_period"}


def test_short_flicker_is_not_a_marker_and_gaps_merge() -> None:
    out = _outputs(0.9, "energy_surge", 100, 105)
    out[OUTPUT_MINUTE_PROBS][0, 300:400] = 0.0
    out[OUTPUT_MINUTE_PROBS][2, 300:400] = 1.0
    out[OUTPUT_MINUTE_PROBS][0, 410:500] = 0.0
    out[OUTPUT_MINUTE_PROBS][2, 410:500] = 1.0
    result = interpret(_prepared(), out)
    assert [(m.start_minute, m.end_minute) for m in result.markers] == [(300, 500)]


def test_anomalous_day_without_a_run_gets_one_marker() -> None:
    out = _outputs(0.95)
    out[OUTPUT_MINUTE_PROBS][0, 700] = 0.6
    out[OUTPUT_MINUTE_PROBS][1, 700] = 0.4
    result = interpret(_prepared(), out)
    assert result.is_anomaly and len(result.markers) == 1
    assert result.markers[0].start_minute <= 700 < result.markers[0].end_minute


def test_outage_names_a_connector() -> None:
    result = interpret(_prepared(), _outputs(0.9, "connector_outage", 200, 800))
    assert result.detection_details["connector_id"] in {"1", "2", "3"}


def test_profile_findings_wait_for_enough_station_history() -> None:
    young = interpret(_prepared(history_days=1), _outputs(0.9, "energy_drop", 600, 900), threshold=0.5)
    assert not young.is_anomaly and young.markers == ()
    assert "history" in young.detection_details["suppressed"]
    outage = interpret(_prepared(history_days=1), _outputs(0.9, "connector_outage", 600, 900), threshold=0.5)
    assert outage.is_anomaly and outage.detection_details["anomaly_type"] == "connector_outage"
