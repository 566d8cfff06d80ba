"""SHADE post-processing: findings decide and type, the network's score and proposals, detail keys."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from evwatch.domain.categories import STATION_ANOMALY_TYPES
from models.shade.features import PreparedDay, prepare, profile_of
from models.shade.interpret import interpret
from models.shade.schema import MINUTES, N_CLASSES, OUTPUT_DAY_SCORE, OUTPUT_MINUTE_PROBS, History, StationDay
from models.shade.simulator import StationSpec, simulate_day

# A busy station: a few hours without energy there is more than chance explains.
SPEC = StationSpec(
    connector_ids=("1", "2", "3"),
    max_power_kw=(150.0, 150.0, 50.0),
    dc=(True, True, True),
    sessions_per_day=(20.0, 18.0, 12.0),
    has_station_meter=False,
    standby_kw=0.3,
    meter_loss=0.0,
)


def _outputs(day_score: float, anomaly: str | None = None, start: int = 0, end: int = 0) -> dict[str, np.ndarray]:
    probs = np.zeros((N_CLASSES, MINUTES), dtype=np.float32)
    probs[0] = 1.0
    if anomaly:
        k = 1 + STATION_ANOMALY_TYPES.index(anomaly)
        probs[0, start:end] = 0.1
        probs[k, start:end] = 0.9
    return {OUTPUT_MINUTE_PROBS: probs, OUTPUT_DAY_SCORE: np.array([day_score], dtype=np.float32)}


def _day() -> StationDay:
    return simulate_day(SPEC, 14, 1).day


def _prepared(day: StationDay | None = None, history_days: int = 14) -> PreparedDay:
    history = History(tuple(profile_of(simulate_day(SPEC, d, 1).day) for d in range(14 - history_days, 14)))
    return prepare(_day() if day is None else day, history)


def _shortfall(factor: float, start: int = 600, end: int = 900) -> StationDay:
    day = _day()
    energy = day.energy_kwh.copy()
    energy[:, start:end] *= factor
    return replace(day, energy_kwh=energy, station_meter_kwh=None)


def test_healthy_result_has_no_type_and_no_markers() -> None:
    result = interpret(_prepared(), _outputs(0.1))
    assert not result.is_anomaly and result.markers == ()
    assert "anomaly_type" not in result.detection_details
    assert result.detection_details["affected_period"] == "2026-01-19"
    assert result.day_score == 0.1 and result.detection_details["network_flagged"] is False


def test_the_network_alone_raises_nothing_the_data_does_not_show() -> None:
    result = interpret(_prepared(), _outputs(0.9, "energy_drop", 600, 900), threshold=0.5)
    assert not result.is_anomaly and result.markers == ()
    d = result.detection_details
    assert d["network_flagged"] is True and d["network_score"] == 0.9 and "anomaly_type" not in d


def test_a_network_drop_the_stations_days_confirm_is_a_drop() -> None:
    prepared = _prepared(_shortfall(0.2))
    result = interpret(prepared, _outputs(0.9, "energy_drop", 600, 900), threshold=0.5)
    assert result.is_anomaly
    d = result.detection_details
    assert d["anomaly_type"] == "energy_drop" and d["evidence"]["proposed_by"] == "network"
    # Its sessions ran but drew a fifth of the station's usual power while charging: derated.
    assert 0.15 < d["evidence"]["power_while_charging_to_usual"] < 0.25
    assert [(m.start_minute, m.end_minute) for m in result.markers] == [(600, 900)]
    assert d["actual_energy_kwh"] == round(float(prepared.actual_total_kwh[600:900].sum()), 3)
    assert d["affected_start"] == "2026-01-19T10:00:00Z" and d["affected_end"] == "2026-01-19T15:00:00Z"
    assert set(d) >= {"anomaly_type", "expected_energy_kwh", "actual_energy_kwh", "affected_period", "findings"}
    assert result.day_score >= 0.5


def test_a_network_outage_without_a_report_or_a_departing_connector_is_a_drop() -> None:
    result = interpret(_prepared(_shortfall(0.2)), _outputs(0.9, "connector_outage", 600, 900), threshold=0.5)
    assert result.is_anomaly and result.detection_details["anomaly_type"] == "energy_drop"
    assert "connector_id" not in result.detection_details


def test_a_reported_outage_names_its_connector_whatever_the_network_says() -> None:
    day = _day()
    available = day.available.copy()
    available[1, 200:800] = False
    result = interpret(_prepared(replace(day, available=available)), _outputs(0.1))
    d = result.detection_details
    assert result.is_anomaly and d["anomaly_type"] == "connector_outage" and d["connector_id"] == "2"
    assert d["evidence"]["reason"] == "reported unavailable"
    assert [(m.start_minute, m.end_minute) for m in result.markers] == [(200, 800)]


def test_profile_findings_wait_for_enough_station_history() -> None:
    young = interpret(_prepared(_shortfall(0.2), history_days=1), _outputs(0.9, "energy_drop", 600, 900), threshold=0.5)
    assert not young.is_anomaly and young.markers == ()
    assert "energy_drop" in young.detection_details["suppressed"]
    # The history rule is about drops and surges only: an outage on the same young station stands.
    day = _shortfall(0.2)
    available = day.available.copy()
    available[0, 300:700] = False
    outage = interpret(_prepared(replace(day, available=available), history_days=1), _outputs(0.9))
    assert outage.is_anomaly and outage.detection_details["anomaly_type"] == "connector_outage"
