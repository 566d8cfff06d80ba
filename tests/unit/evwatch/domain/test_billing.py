"""Revenue formulas: revenue, revenue at risk, leak estimate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from evwatch.domain.billing import (
    SessionMoney,
    is_billing_relevant,
    lost_kwh,
    lost_kwh_in,
    register_delta_kwh,
    revenue,
    revenue_figures,
    station_lost_kwh,
)
from evwatch.domain.categories import BILLING_CATEGORIES
from evwatch.domain.ocpp import ENERGY, POWER
from evwatch.domain.readings import StoredReading


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


def test_a_sessions_energy_is_its_register_delta_in_time_order() -> None:
    t0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
    readings = [
        StoredReading(t0 + timedelta(minutes=2), ENERGY, "kWh", 9.0),
        StoredReading(t0, ENERGY, "kWh", 4.0),
        StoredReading(t0 + timedelta(minutes=1), POWER, "kW", 50.0),
    ]
    assert register_delta_kwh(readings) == 5.0
    assert register_delta_kwh(readings[:1]) == 0.0
    assert register_delta_kwh([readings[2]]) is None
    assert register_delta_kwh([readings[0], replace(readings[1], value=12.0)]) == 0.0


def test_lost_kwh_in_reads_the_anomalys_range_only() -> None:
    t0 = datetime(2026, 3, 2, 10, tzinfo=UTC)
    energy = [10.0, 11.0, 8.0, 8.5, 9.0]
    readings = [StoredReading(t0 + timedelta(minutes=i), ENERGY, "kWh", v) for i, v in enumerate(energy)]
    at = [r.timestamp for r in readings]
    assert lost_kwh_in("KWH_DECREASE", at[0], at[4], readings) == 3.0
    assert lost_kwh_in("KWH_DECREASE", at[2], at[4], readings) == 0.0
    power = [StoredReading(t0 + timedelta(minutes=i), POWER, "kW", 60.0) for i in range(5)]
    stalled = [StoredReading(t0 + timedelta(minutes=i), ENERGY, "kWh", 10.0) for i in range(5)]
    assert lost_kwh_in("ENERGY_STALL", at[0], at[4], sorted([*power, *stalled], key=lambda r: r.timestamp)) == 4.0
    assert lost_kwh_in("KWH_JUMP", at[0], at[4], readings) == 0.0
