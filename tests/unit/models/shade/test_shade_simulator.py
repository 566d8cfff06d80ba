"""SHADE station-day simulator: determinism, shapes, labelled injections."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from evwatch.domain.categories import STATION_ANOMALY_TYPES
from models.shade.features import moving_average
from models.shade.rules import IDLE_KWH_PER_HOUR
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
    # Between sessions the register moves a little, spread over the gap as the pipeline does:
    # idle energy exists on healthy days, but far below what idle_consumption needs.
    idle = np.where(day.session_active, 0.0, day.energy_kwh)
    assert idle.sum() > 0 and (moving_average(idle, 60) * 60 < IDLE_KWH_PER_HOUR).all()
    # The station meter sees the connectors plus its auxiliary load and loss.
    assert day.station_meter_kwh is not None
    assert day.station_meter_kwh.sum() >= day.energy_kwh.sum() + spec.standby_kw * 24 * 0.9


@pytest.mark.parametrize("interval", [1, 15, 60])
def test_station_meter_reports_at_its_cadence(interval: int) -> None:
    spec = replace(_spec(), meter_interval_min=interval)
    meter = simulate_day(spec, 1, seed=5).day.station_meter_kwh
    assert meter is not None
    steps = np.count_nonzero(~np.isclose(meter[1:], meter[:-1], rtol=1e-12, atol=0.0))
    assert steps <= MINUTES // interval + 1
    assert steps >= MINUTES // interval - 1 if interval > 1 else steps > 1000


def test_night_load_shows_only_on_the_meter() -> None:
    lit = replace(_spec(), night_kw=0.5, meter_interval_min=1)
    dark = replace(lit, night_kw=0.0)
    a, b = simulate_day(lit, 1, seed=5).day, simulate_day(dark, 1, seed=5).day
    np.testing.assert_array_equal(a.energy_kwh, b.energy_kwh)
    assert a.station_meter_kwh is not None and b.station_meter_kwh is not None
    extra = a.station_meter_kwh - b.station_meter_kwh
    assert extra[:300].mean() * 60 > 0.4 and abs(extra[720:900].mean()) * 60 < 0.05


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
    assert day.energy_kwh[~day.session_active].sum() > 0.3
    # The healthy day's idle energy is only the register drift between sessions.
    assert healthy.day.energy_kwh[~healthy.day.session_active].sum() < day.energy_kwh[~day.session_active].sum() / 5


def test_a_single_connector_outage_is_reported() -> None:
    spec = _spec(connectors=1)
    for seed in range(5):
        sim = simulate_day(spec, 2, seed=seed, anomaly="connector_outage", severity=0.5)
        span = sim.anomalies[0]
        assert not sim.day.available[0, span.start_minute : span.end_minute].any()


def test_meter_mismatch_needs_a_meter() -> None:
    sim = simulate_day(_spec(meter=False), 2, seed=9, anomaly="meter_mismatch")
    assert sim.label is None and sim.day.station_meter_kwh is None


def test_truncate_hides_the_future() -> None:
    day = simulate_day(_spec(), 2, seed=9).day
    part = truncate(day, 600)
    assert part.minutes_observed == 600
    assert part.energy_kwh[:, 600:].sum() == 0
    np.testing.assert_array_equal(part.energy_kwh[:, :600], day.energy_kwh[:, :600])
