"""SHADE station-day simulator: determinism, shapes, labelled injections."""

from __future__ import annotations

import numpy as np
import pytest

from evwatch.domain.categories import STATION_ANOMALY_TYPES
from models.shade.schema import MINUTES
from models.shade.simulator import random_station, simulate_day, truncate


def _spec(meter: bool = True, connectors: int = 4):
    rng = np.random.default_rng(3)
    spec = random_station(rng, n_connectors=connectors)
    while spec.has_station_meter != meter:
        spec = random_station(rng, n_connectors=connectors)
    return spec


def test_same_seed_same_day() -> None:
    spec = _spec()
    a, b = simulate_day(spec, 3, seed=11), simulate_day(spec, 3, seed=11)
    np.testing.assert_array_equal(a.day.energy_kwh, b.day.energy_kwh)
    assert not np.array_equal(a.day.energy_kwh, simulate_day(spec, 3, seed=12).day.energy_kwh)


def test_healthy_day_shapes_and_physics() -> None:
    spec = _spec()
    sim = simulate_day(spec, 1, seed=5)
    day = sim.day
    assert day.energy_kwh.shape == (4, MINUTES)
    assert sim.label is None and sim.minute_labels.sum() == 0
    assert day.energy_kwh.sum() > 0
    # No connector delivers more than its rating in a minute; energy only flows in sessions.
    limits = np.asarray(spec.max_power_kw)[:, None] / 60.0 * 1.05
    assert (day.energy_kwh <= limits).all()
    assert (day.energy_kwh[~day.session_active] == 0).all()
    # The station meter sees the connectors plus standby and loss.
    assert day.station_meter_kwh is not None
    assert day.station_meter_kwh.sum() >= day.energy_kwh.sum()


def test_weekend_differs_from_weekday() -> None:
    spec = _spec()
    weekday = np.mean([simulate_day(spec, d, seed=1).day.energy_kwh.sum() for d in range(0, 5)])
    weekend = np.mean([simulate_day(spec, d, seed=1).day.energy_kwh.sum() for d in range(5, 7)])
    assert weekend < weekday


@pytest.mark.parametrize("anomaly", STATION_ANOMALY_TYPES)
@pytest.mark.parametrize("severity", [0.2, 0.9])
def test_every_type_is_injected_with_ground_truth(anomaly: str, severity: float) -> None:
    spec = _spec(meter=True)
    sim = simulate_day(spec, 2, seed=9, anomaly=anomaly, severity=severity)
    assert sim.label == anomaly
    span = sim.anomalies[0]
    assert 0 <= span.start_minute < span.end_minute <= MINUTES
    labelled = np.flatnonzero(sim.minute_labels == 1 + STATION_ANOMALY_TYPES.index(anomaly))
    assert labelled.size > 0
    assert labelled.min() >= span.start_minute and labelled.max() < span.end_minute


def test_outage_zeroes_the_connector() -> None:
    spec = _spec()
    sim = simulate_day(spec, 2, seed=9, anomaly="connector_outage", severity=0.8)
    span = sim.anomalies[0]
    assert span.connector_index is not None
    assert sim.day.energy_kwh[span.connector_index, span.start_minute : span.end_minute].sum() == 0


def test_idle_consumption_only_outside_sessions() -> None:
    spec = _spec()
    healthy = simulate_day(spec, 2, seed=9)
    sim = simulate_day(spec, 2, seed=9, anomaly="idle_consumption", severity=1.0)
    day = sim.day
    assert day.energy_kwh[~day.session_active].sum() > 0
    assert healthy.day.energy_kwh[~healthy.day.session_active].sum() == 0


def test_meter_mismatch_needs_a_meter() -> None:
    sim = simulate_day(_spec(meter=False), 2, seed=9, anomaly="meter_mismatch")
    assert sim.label is None and sim.day.station_meter_kwh is None


def test_truncate_hides_the_future() -> None:
    day = simulate_day(_spec(), 2, seed=9).day
    part = truncate(day, 600)
    assert part.minutes_observed == 600
    assert part.energy_kwh[:, 600:].sum() == 0
    np.testing.assert_array_equal(part.energy_kwh[:, :600], day.energy_kwh[:, :600])
