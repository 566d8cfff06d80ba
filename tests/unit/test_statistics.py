"""Statistics formulas: revenue, revenue at risk, leak estimate, uptime and its delta."""

from __future__ import annotations

import pytest

from evwatch.statistics import (
    BILLING_RELEVANT,
    SessionMoney,
    is_billing_relevant,
    lost_kwh,
    merge_intervals,
    revenue,
    revenue_figures,
    station_lost_kwh,
    uptime_percentage,
    uptime_with_delta,
)

DAY = 86_400.0


def test_revenue_is_tariff_times_energy() -> None:
    assert revenue(10.0, 0.5) == 5.0
    assert revenue(10.0, None) == 0.0
    assert revenue(-3.0, 0.5) == 0.0


def test_billing_relevant_categories() -> None:
    assert {
        "KWH_DECREASE",
        "KWH_JUMP",
        "ENERGY_STALL",
        "PHANTOM_ENERGY",
        "POWER_ENERGY_MISMATCH",
        "ENERGY_PIT",
    } == BILLING_RELEVANT
    assert is_billing_relevant({"DATA_GAP", "KWH_JUMP"})
    assert not is_billing_relevant({"DATA_GAP", "POWER_SPIKE"})


def test_lost_kwh_per_category() -> None:
    assert lost_kwh("KWH_DECREASE", metered_kwh=0.0, register_drop_kwh=4.0) == 4.0
    assert lost_kwh("ENERGY_STALL", metered_kwh=1.0, power_integrated_kwh=6.0) == 5.0
    assert lost_kwh("POWER_ENERGY_MISMATCH", metered_kwh=8.0, power_integrated_kwh=6.0) == 0.0
    assert lost_kwh("ENERGY_STALL", metered_kwh=1.0) == 0.0
    assert lost_kwh("KWH_JUMP", metered_kwh=50.0, power_integrated_kwh=1.0) == 0.0
    assert station_lost_kwh("idle_consumption", expected_kwh=0.0, actual_kwh=12.0) == 12.0
    assert station_lost_kwh("meter_mismatch", expected_kwh=100.0, actual_kwh=130.0) == 30.0
    assert station_lost_kwh("meter_mismatch", expected_kwh=100.0, actual_kwh=70.0) == 0.0
    assert station_lost_kwh("energy_drop", expected_kwh=100.0, actual_kwh=10.0) == 0.0


def test_revenue_figures_by_hand() -> None:
    sessions = [
        SessionMoney(energy_kwh=20.0, tariff_per_kwh=0.5),  # 10.00
        SessionMoney(
            energy_kwh=30.0, tariff_per_kwh=0.5, categories=frozenset({"ENERGY_STALL"}), lost_kwh=4.0
        ),  # 15.00, leak 2
        SessionMoney(energy_kwh=10.0, tariff_per_kwh=0.4, categories=frozenset({"DATA_GAP"})),  # 4.00
        SessionMoney(energy_kwh=50.0, tariff_per_kwh=None, categories=frozenset({"KWH_JUMP"})),  # no tariff
    ]
    figures = revenue_figures(sessions, station_leaks=[(10.0, 0.3)])
    assert figures.total_revenue == 29.0
    assert figures.revenue_at_risk == 15.0
    assert figures.revenue_leak_estimate == 5.0


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
