"""Uptime formulas: available connector-time over observed connector-time, and its delta."""

from __future__ import annotations

import pytest

from evwatch.domain.uptime import (
    DAY_S,
    down_intervals,
    merge_intervals,
    spread_station_wide,
    uptime_percentage,
    uptime_with_delta,
)

DAY = DAY_S


def test_merge_intervals() -> None:
    assert merge_intervals([(5, 7), (0, 2), (1, 3), (3, 4), (9, 9)]) == [(0, 4), (5, 7)]


def test_uptime_by_hand() -> None:
    # Two connectors seen for the whole 10-day window; one down 1 day, both down 12 h together.
    start, end = 0.0, 10 * DAY
    down = {"a": [(DAY, 2 * DAY), (5 * DAY, 5.5 * DAY)], "b": [(5 * DAY, 5.5 * DAY)]}
    value = uptime_percentage({"a": -1.0, "b": -1.0}, down, start, end)
    assert value == pytest.approx(100.0 * (20 - 1.5 - 0.5) / 20)
    # A connector first seen half-way is only counted from then on.
    assert uptime_percentage({"c": 5 * DAY}, {"c": [(0.0, 6 * DAY)]}, start, end) == pytest.approx(80.0)
    assert uptime_percentage({"d": 11 * DAY}, {}, start, end) is None


def test_uptime_delta_against_the_previous_window() -> None:
    now = 60 * DAY
    down = {"a": [(10 * DAY, 13 * DAY), (40 * DAY, 41.5 * DAY)]}
    current, delta = uptime_with_delta({"a": 0.0}, down, now)
    assert current == pytest.approx(95.0)
    assert delta == pytest.approx(95.0 - 90.0)
    assert uptime_with_delta({}, {}, now) == (100.0, 0.0)
    assert uptime_with_delta({"a": 35 * DAY}, {}, now) == (100.0, 0.0)


def test_down_intervals_and_station_wide_outages() -> None:
    events = [
        ("S", "1", 0.0, "Available"),
        ("S", "1", 10.0, "Faulted"),
        ("S", "1", 20.0, "Available"),
        ("S", "0", 30.0, "Unavailable"),
    ]
    down = down_intervals(events, until=50.0)
    assert down[("S", "1")] == [(10.0, 20.0)]
    assert down[("S", "0")] == [(30.0, 50.0)]
    spread = spread_station_wide(down, [("S", "1"), ("S", "2")])
    assert spread[("S", "1")] == [(10.0, 20.0), (30.0, 50.0)]
    assert spread[("S", "2")] == [(30.0, 50.0)]
