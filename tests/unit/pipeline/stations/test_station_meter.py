"""A station meter on connector 0 through the windows, as a backend sends it: every 15 minutes, with
the station's auxiliary load, next to connector registers read every 5 minutes in sessions."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np

from models.shade.features import prepare
from models.shade.rules import findings
from models.shade.simulator import StationSpec, simulate_day
from pipeline.stations.windows import (
    EnergyReading,
    StationState,
    apply_reading,
    build_station_day,
    close_day,
    history_of,
)

SPEC = StationSpec(
    connector_ids=("1", "2", "3"),
    max_power_kw=(50.0, 50.0, 22.0),
    dc=(True, True, False),
    sessions_per_day=(14.0, 12.0, 6.0),
    has_station_meter=True,
    standby_kw=0.3,
    meter_loss=0.02,
    meter_interval_min=1,  # the minute truth; the readings below sample it every 15 minutes
    night_kw=0.2,
)
DAYS = 9


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def _feed(state: StationState, meter_factor_last_day: float = 1.0) -> None:
    registers = dict.fromkeys(("0", *SPEC.connector_ids), 1000.0)
    for k in range(DAYS):
        sim = simulate_day(SPEC, k, seed=11)
        day = sim.day
        start = datetime.fromtimestamp(day.day_start, UTC)
        readings: list[EnergyReading] = []
        for i, cid in enumerate(SPEC.connector_ids):
            before = np.concatenate([[0.0], np.cumsum(day.energy_kwh[i])])
            for n, (a, b) in enumerate(_runs(day.session_active[i])):
                for m in sorted(set(range(a, b, 5)) | {b}):
                    at = start + timedelta(minutes=m)
                    readings.append(EnergyReading(cid, at, registers[cid] + before[m], f"{cid}-{k}-{n}"))
            registers[cid] += before[-1]
        assert day.station_meter_kwh is not None
        meter = day.station_meter_kwh.copy()
        if k == DAYS - 1:
            meter[600:1080] *= meter_factor_last_day
        before = np.concatenate([[0.0], np.cumsum(meter)])
        readings += [
            EnergyReading("0", start + timedelta(minutes=m), registers["0"] + before[m]) for m in range(0, 1440, 15)
        ]
        registers["0"] += before[-1]
        for r in sorted(readings, key=lambda r: r.timestamp):
            apply_reading(state, r)
        if k < DAYS - 1:
            close_day(state, day.day_start)


def _last_day_findings(meter_factor: float) -> list[str]:
    state = StationState(max_power_kw=dict(zip(SPEC.connector_ids, SPEC.max_power_kw, strict=True)))
    _feed(state, meter_factor)
    last = simulate_day(SPEC, DAYS - 1, seed=11).day.day_start
    day = build_station_day(state, last)
    # The last reading of the day is at 23:45; the register moves on at the next day's first read.
    day = replace(day, minutes_observed=1425)
    return [f.anomaly_type for f in findings(prepare(day, history_of(state)))]


def test_a_meter_read_every_15_minutes_with_auxiliary_load_is_normal() -> None:
    assert _last_day_findings(1.0) == []


def test_a_meter_reading_15_percent_high_for_8_hours_is_a_mismatch() -> None:
    assert set(_last_day_findings(1.15)) == {"meter_mismatch"}
