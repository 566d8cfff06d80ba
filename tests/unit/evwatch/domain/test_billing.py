"""Revenue formulas: revenue, revenue at risk, leak estimate."""

from __future__ import annotations

from evwatch.domain.billing import (
    SessionMoney,
    is_billing_relevant,
    lost_kwh,
    revenue,
    revenue_figures,
    station_lost_kwh,
)
from evwatch.domain.categories import BILLING_CATEGORIES


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
    } == BILLING_CATEGORIES
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
