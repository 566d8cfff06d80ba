"""SHADE features: expected profile from history, tensor shapes, partial days."""

from __future__ import annotations

import numpy as np
import pytest

from models.shade.features import expected_profile, moving_average, prepare, profile_of, stack_inputs
from models.shade.schema import (
    CONNECTOR_FEATURES,
    INPUT_CONNECTORS,
    INPUT_SHAPES,
    INPUT_STATION,
    MAX_CONNECTORS,
    MINUTES,
    STATION_FEATURES,
    History,
    StationDay,
)
from models.shade.simulator import EPOCH_MONDAY, random_station, simulate_day, truncate

DAY = 86_400


def _flat_day(day_index: int, kwh_per_minute: float, connectors: int = 2) -> StationDay:
    return StationDay(
        day_start=EPOCH_MONDAY + day_index * DAY,
        tz="UTC",
        connector_ids=tuple(str(i + 1) for i in range(connectors)),
        energy_kwh=np.full((connectors, MINUTES), kwh_per_minute),
        session_active=np.ones((connectors, MINUTES), dtype=bool),
        available=np.ones((connectors, MINUTES), dtype=bool),
        max_power_kw=(22.0,) * connectors,
    )


def test_moving_average_keeps_constant_and_length() -> None:
    x = np.full((2, 100), 3.0)
    np.testing.assert_allclose(moving_average(x, 7), x)
    assert moving_average(np.arange(10.0), 4).shape == (10,)


def test_expected_profile_equals_a_steady_history() -> None:
    history = History(tuple(profile_of(_flat_day(d, 0.1)) for d in range(14)))
    expected, _, n = expected_profile(_flat_day(14, 0.0), history)
    assert n == 8  # same kind of day (weekday), most recent first
    np.testing.assert_allclose(expected, 0.1, rtol=1e-6)


def test_weekend_uses_weekend_days() -> None:
    days = [_flat_day(d, 0.05 if d % 7 >= 5 else 0.2) for d in range(14)]
    history = History(tuple(profile_of(d) for d in days))
    saturday = _flat_day(19, 0.0)
    expected, _, _ = expected_profile(saturday, history)
    np.testing.assert_allclose(expected, 0.05, rtol=1e-6)


def test_one_bad_history_day_is_trimmed() -> None:
    days = [_flat_day(d, 0.1) for d in range(14)]
    days[10] = _flat_day(10, 5.0)
    expected, _, _ = expected_profile(_flat_day(14, 0.0), History(tuple(profile_of(d) for d in days)))
    np.testing.assert_allclose(expected, 0.1, rtol=1e-6)


def test_prepare_shapes_and_finiteness() -> None:
    rng = np.random.default_rng(0)
    spec = random_station(rng, n_connectors=3)
    history = History(tuple(profile_of(simulate_day(spec, d, 1).day) for d in range(14)))
    prepared = prepare(simulate_day(spec, 14, 1).day, history)
    for name, shape in INPUT_SHAPES.items():
        assert prepared.inputs[name].shape == shape
        assert prepared.inputs[name].dtype == np.float32
        assert np.isfinite(prepared.inputs[name]).all()
    conn = prepared.inputs[INPUT_CONNECTORS]
    assert conn[:3, CONNECTOR_FEATURES - 1].min() == 1.0 and conn[3:].sum() == 0.0
    batch = stack_inputs([prepared, prepared])
    assert batch[INPUT_STATION].shape == (2, STATION_FEATURES, MINUTES)
    assert batch[INPUT_CONNECTORS].shape == (2, MAX_CONNECTORS, CONNECTOR_FEATURES, MINUTES)


def test_prepare_without_history_or_metadata() -> None:
    day = _flat_day(0, 0.1)
    day = StationDay(day.day_start, day.tz, day.connector_ids, day.energy_kwh, day.session_active, day.available)
    prepared = prepare(day, History())
    assert prepared.history_days == 0
    assert np.isfinite(prepared.inputs[INPUT_STATION]).all()


def test_partial_day_zeroes_unobserved_minutes() -> None:
    rng = np.random.default_rng(1)
    spec = random_station(rng)
    day = truncate(simulate_day(spec, 3, 2).day, 500)
    station = prepare(day, History()).inputs[INPUT_STATION]
    assert station[10, :500].min() == 1.0 and station[10, 500:].max() == 0.0
    assert station[0, 500:].max() == 0.0


def test_station_day_validates_shapes() -> None:
    with pytest.raises(ValueError, match="energy_kwh"):
        StationDay(0, "UTC", ("1",), np.zeros((2, MINUTES)), np.zeros((1, MINUTES), bool), np.ones((1, MINUTES), bool))
