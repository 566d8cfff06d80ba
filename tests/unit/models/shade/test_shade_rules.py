"""SHADE's rules: each type is what the data shows, judged against the station's own history."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from models.shade.features import PreparedDay, prepare, profile_of
from models.shade.rules import (
    findings,
    poisson_cdf_at_most,
    poisson_sf_at_least,
    reading_chunks,
)
from models.shade.schema import History, StationDay
from models.shade.simulator import StationSpec, simulate_day

SPEC = StationSpec(
    connector_ids=("1", "2", "3"),
    max_power_kw=(50.0, 50.0, 22.0),
    dc=(True, True, False),
    sessions_per_day=(14.0, 12.0, 6.0),
    has_station_meter=True,
    standby_kw=0.3,
    meter_loss=0.02,
    meter_interval_min=15,
    night_kw=0.4,
    idle_drift_kwh=0.03,
)
SEED = 5
DAY = 21  # a Monday, after three weeks of history


def _history(spec: StationSpec = SPEC, days: int = 14, until: int = DAY) -> History:
    return History(tuple(profile_of(simulate_day(spec, d, SEED).day) for d in range(until - days, until)))


def _prepared(day: StationDay, history: History | None = None) -> PreparedDay:
    return prepare(day, _history() if history is None else history)


def _types(prepared: PreparedDay) -> list[str]:
    return [f.anomaly_type for f in findings(prepared)]


def _healthy() -> StationDay:
    return simulate_day(SPEC, DAY, SEED).day


def test_a_healthy_day_with_idle_drift_meter_cadence_and_night_load_has_no_finding() -> None:
    assert _types(_prepared(_healthy())) == []


def test_a_station_wide_shortfall_without_a_status_report_is_a_drop() -> None:
    # No sessions from 07:00 on (a payment backend down): every connector is quiet, none reports.
    day = _healthy()
    energy, active = day.energy_kwh.copy(), day.session_active.copy()
    energy[:, 420:] = 0.0
    active[:, 420:] = False
    found = findings(_prepared(replace(day, energy_kwh=energy, session_active=active, station_meter_kwh=None)))
    assert [f.anomaly_type for f in found] == ["energy_drop"]
    assert float(found[0].evidence["ratio_to_usual"]) < 0.2 and found[0].connector_id is None
    assert float(found[0].evidence["count_p"]) <= 1e-3


def test_the_same_shortfall_with_a_status_report_is_an_outage() -> None:
    day = _healthy()
    energy, available = day.energy_kwh.copy(), day.available.copy()
    energy[0, 420:1200] = 0.0
    available[0, 420:1200] = False
    found = findings(_prepared(replace(day, energy_kwh=energy, available=available, station_meter_kwh=None)))
    assert found[0].anomaly_type == "connector_outage" and found[0].connector_id == "1"
    assert found[0].evidence["reason"] == "reported unavailable"
    assert "energy_drop" not in [f.anomaly_type for f in found]  # the outage explains the shortfall


def test_one_connector_departing_from_the_others_is_a_silent_outage() -> None:
    day = _healthy()
    energy, active = day.energy_kwh.copy(), day.session_active.copy()
    energy[0, 360:1260] = 0.0
    active[0, 360:1260] = False
    found = findings(_prepared(replace(day, energy_kwh=energy, session_active=active, station_meter_kwh=None)))
    assert [(f.anomaly_type, f.connector_id) for f in found] == [("connector_outage", "1")]
    assert found[0].evidence["reason"] == "no sessions while the other connectors delivered"


def test_a_busy_ordinary_day_is_not_a_surge() -> None:
    # The busiest of 28 healthy weekdays, each judged against its own previous two weeks.
    totals = {d: simulate_day(SPEC, d, SEED).day.energy_kwh.sum() for d in range(14, 42) if d % 7 < 5}
    busiest = max(totals, key=lambda d: totals[d])
    prepared = prepare(simulate_day(SPEC, busiest, SEED).day, _history(until=busiest))
    assert "energy_surge" not in _types(prepared)


def test_three_times_the_sessions_is_a_surge() -> None:
    days = [simulate_day(SPEC, DAY, seed).day for seed in (SEED, SEED + 1, SEED + 2)]
    crowded = replace(
        days[0],
        energy_kwh=sum(d.energy_kwh for d in days),
        session_active=np.logical_or.reduce([d.session_active for d in days]),
        station_meter_kwh=None,
    )
    found = findings(_prepared(crowded))
    assert [f.anomaly_type for f in found] == ["energy_surge"]
    assert float(found[0].evidence["ratio_to_usual"]) > 2.0


def test_the_meter_is_judged_against_the_stations_usual_excess() -> None:
    # This station's meter always reads 6 % over its connectors plus 0.3 kW: that is normal here.
    lossy = replace(SPEC, meter_loss=0.06)
    day = simulate_day(lossy, DAY, SEED).day
    assert _types(prepare(day, _history(lossy))) == []
    assert day.station_meter_kwh is not None
    meter = day.station_meter_kwh.copy()
    meter[600:1080] *= 1.15
    found = findings(prepare(replace(day, station_meter_kwh=meter), _history(lossy)))
    assert {f.anomaly_type for f in found} == {"meter_mismatch"}
    assert 0.1 < float(found[0].evidence["relative_difference"]) < 0.2
    assert found[0].start_minute >= 540 and found[0].end_minute <= 1140


@pytest.mark.parametrize("interval", [1, 5, 30, 60])
def test_meter_cadence_is_normal(interval: int) -> None:
    spec = replace(SPEC, meter_interval_min=interval)
    assert _types(prepare(simulate_day(spec, DAY, SEED).day, _history(spec))) == []


def test_idle_energy_at_a_sustained_rate_is_idle_consumption() -> None:
    sim = simulate_day(SPEC, DAY, SEED, anomaly="idle_consumption", severity=0.2)
    found = findings(_prepared(sim.day))
    assert found[0].anomaly_type == "idle_consumption"
    assert found[0].connector_id == SPEC.connector_ids[sim.anomalies[0].connector_index or 0]


def test_the_history_rule_only_holds_back_drops_and_surges() -> None:
    day = _healthy()
    energy, available = day.energy_kwh.copy(), day.available.copy()
    energy[:, 420:] = 0.0
    available[1, 300:600] = False
    young = prepare(replace(day, energy_kwh=energy, available=available, station_meter_kwh=None), _history(days=1))
    assert _types(young) == ["connector_outage"]
    idle = simulate_day(SPEC, DAY, SEED, anomaly="idle_consumption", severity=0.5).day
    assert _types(prepare(idle, _history(days=1)))[0] == "idle_consumption"


def test_reading_chunks_follow_the_meters_readings() -> None:
    meter = np.repeat(np.arange(96, dtype=np.float64) + 1.0, 15)
    chunks = reading_chunks(meter)
    assert chunks[0] == (0, 60) and all((b - a) % 15 == 0 and b - a >= 60 for a, b in chunks)
    assert chunks[-1][1] == 1440


def test_poisson_tails_match_the_sums() -> None:
    def pmf(k: int, lam: float) -> float:
        return math.exp(-lam) * lam**k / math.factorial(k)

    for lam in (0.5, 3.0, 12.0):
        for n in (0, 1, 4, 15):
            assert poisson_cdf_at_most(n, lam) == pytest.approx(sum(pmf(k, lam) for k in range(n + 1)), rel=1e-9)
            expected = 1.0 - sum(pmf(k, lam) for k in range(n))
            assert poisson_sf_at_least(n, lam) == pytest.approx(expected, rel=1e-7, abs=1e-12)
