"""Pure station-window logic: minute energy from register deltas, availability, station-days, ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from models.shade.schema import MINUTES
from pipeline.stations.windows import (
    EnergyReading,
    StationState,
    StatusEvent,
    apply_reading,
    apply_status,
    availability_intervals,
    build_station_day,
    closable_days,
    close_day,
    drain_dirty,
    local_day_start,
    next_day_start,
    partial_day,
    partial_due,
    spread_delta,
    station_inference_id,
    station_record_id,
)

T0 = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday, 00:00 UTC


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def reading(connector: str, minutes: float, kwh: float, session: str | None = "s1") -> EnergyReading:
    return EnergyReading(connector_id=connector, timestamp=at(minutes), register_kwh=kwh, session_id=session)


def test_spread_delta_by_overlap() -> None:
    start = T0.timestamp() + 30  # 00:00:30
    parts = spread_delta(start, start + 120, 4.0)  # 00:00:30 .. 00:02:30
    m0 = int(T0.timestamp() // 60)
    assert parts == pytest.approx({m0: 1.0, m0 + 1: 2.0, m0 + 2: 1.0})
    assert sum(parts.values()) == pytest.approx(4.0)
    assert spread_delta(start, start, 1.0) == {}


def test_register_deltas_become_minute_energy_and_activity() -> None:
    state = StationState(max_power_kw={"1": 22.0})
    for m, kwh in [(600, 100.0), (610, 103.0), (620, 106.0)]:
        apply_reading(state, reading("1", m, kwh))
    day = build_station_day(state, int(T0.timestamp()))
    assert day.connector_ids == ("1",)
    assert day.energy_kwh.sum() == pytest.approx(6.0)
    assert day.energy_kwh[0, 600:620].sum() == pytest.approx(6.0)
    assert day.session_active[0, 600:621].all() and not day.session_active[0, :600].any()
    rows = drain_dirty(state)
    assert sum(r.energy_kwh for r in rows) == pytest.approx(6.0)
    assert drain_dirty(state) == []


def test_idle_energy_between_sessions_and_rejected_deltas() -> None:
    state = StationState(max_power_kw={"1": 11.0})
    apply_reading(state, reading("1", 60, 10.0, "a"))
    apply_reading(state, reading("1", 120, 15.0, "a"))
    apply_reading(state, reading("1", 240, 15.5, "b"))  # 0.5 kWh drawn while idle (120..240)
    apply_reading(state, reading("1", 250, 15.0, "b"))  # register went down: not energy
    apply_reading(state, reading("1", 260, 99.0, "b"))  # 84 kWh in 10 min on 11 kW: a glitch
    apply_reading(state, reading("1", 255, 15.2, "b"))  # out of order: kept out of the sums
    day = build_station_day(state, int(T0.timestamp()))
    assert day.energy_kwh[0, 120:240].sum() == pytest.approx(0.5)
    assert not day.session_active[0, 121:240].any()
    assert day.energy_kwh.sum() == pytest.approx(5.5)
    assert state.rejected_deltas == 2 and state.late_readings == 1


def test_connector_zero_is_the_station_meter() -> None:
    state = StationState()
    apply_reading(state, reading("0", 0, 1000.0, None))
    apply_reading(state, reading("0", 60, 1010.0, None))
    apply_reading(state, reading("1", 0, 5.0))
    apply_reading(state, reading("1", 60, 14.0))
    day = build_station_day(state, int(T0.timestamp()))
    assert day.connector_ids == ("1",)
    assert day.station_meter_kwh is not None and day.station_meter_kwh.sum() == pytest.approx(10.0)
    assert day.energy_kwh.sum() == pytest.approx(9.0)


def test_availability_from_status_and_station_wide_outage() -> None:
    state = StationState(max_power_kw={"1": 22.0, "2": 22.0})
    apply_status(state, StatusEvent("1", "Faulted", at(60)))
    apply_status(state, StatusEvent("1", "Available", at(120)))
    apply_status(state, StatusEvent("1", "Available", at(120)))  # duplicate
    apply_status(state, StatusEvent("0", "Unavailable", at(600)))
    apply_status(state, StatusEvent("0", "Available", at(630)))
    day = build_station_day(state, int(T0.timestamp()))
    assert not day.available[0, 60:120].any() and day.available[0, 120:600].all()
    assert not day.available[:, 600:630].any() and day.available[1, :600].all()
    assert state.status["1"] == [(at(60).timestamp(), "Faulted"), (at(120).timestamp(), "Available")]
    intervals = availability_intervals(state.status["1"], at(0).timestamp(), at(180).timestamp())
    assert intervals == [
        (at(60).timestamp(), at(120).timestamp(), "Faulted"),
        (at(120).timestamp(), at(180).timestamp(), "Available"),
    ]


def test_day_bucketing_in_the_station_time_zone() -> None:
    tz = "Europe/Amsterdam"
    ts = datetime(2026, 3, 2, 23, 30, tzinfo=UTC).timestamp()  # 00:30 local on 3 March
    assert local_day_start(ts, tz) == int(datetime(2026, 3, 2, 23, 0, tzinfo=UTC).timestamp())
    # DST: 29 March 2026 has 23 hours in Amsterdam, 25 October 2026 has 25.
    spring = int(datetime(2026, 3, 28, 23, 0, tzinfo=UTC).timestamp())
    autumn = int(datetime(2026, 10, 24, 22, 0, tzinfo=UTC).timestamp())
    assert next_day_start(spring, tz) - spring == 23 * 3600
    assert next_day_start(autumn, tz) - autumn == 25 * 3600
    state = StationState(tz=tz, max_power_kw={"1": 22.0})
    apply_reading(state, EnergyReading("1", datetime(2026, 3, 2, 23, 0, tzinfo=UTC), 0.0, "s"))
    apply_reading(state, EnergyReading("1", datetime(2026, 3, 2, 23, 10, tzinfo=UTC), 1.0, "s"))
    day = build_station_day(state, local_day_start(ts, tz))
    assert day.energy_kwh[0, :10].sum() == pytest.approx(1.0)
    short = build_station_day(StationState(tz=tz), spring)
    assert short.minutes_observed == 23 * 60
    long_state = StationState(tz=tz, max_power_kw={"1": 22.0})
    apply_reading(long_state, EnergyReading("1", datetime(2026, 10, 24, 22, 0, tzinfo=UTC), 0.0, "s"))
    apply_reading(long_state, EnergyReading("1", datetime(2026, 10, 25, 22, 0, tzinfo=UTC), 25.0, "s"))
    long_day = build_station_day(long_state, autumn)
    # 25 hours squeezed onto 1440 minutes: all energy kept, no spike at the end.
    assert long_day.energy_kwh.sum() == pytest.approx(25.0)
    assert long_day.energy_kwh.max() <= 2 * 25.0 / 1440 + 1e-9


def test_day_closes_on_next_day_data_or_wall_clock() -> None:
    state = StationState(max_power_kw={"1": 22.0})
    day0 = int(T0.timestamp())
    apply_reading(state, reading("1", 600, 1.0))
    apply_reading(state, reading("1", 610, 2.0))
    assert closable_days(state, now_wall=day0 + 86_400 + 3600, close_after_s=7200) == []
    assert closable_days(state, now_wall=day0 + 86_400 + 7200, close_after_s=7200) == [day0]
    apply_reading(state, reading("1", 1440 + 5, 2.5))  # the next local day has begun
    assert closable_days(state, now_wall=day0, close_after_s=7200) == [day0]
    closed = close_day(state, day0)
    assert closed.energy_kwh.sum() == pytest.approx(1.0 + 0.5 * 830 / 835, rel=1e-6)
    assert len(state.history) == 1 and state.open_days == {day0 + 86_400}
    assert all(m >= (day0 + 86_400) // 60 for m in state.energy["1"])
    apply_reading(state, reading("1", 700, 3.0))  # late for a closed day
    assert state.late_readings == 1


def test_partial_snapshot_covers_the_day_so_far() -> None:
    state = StationState(max_power_kw={"1": 22.0})
    assert not partial_due(state, now_wall=0.0, interval_s=900)
    apply_reading(state, reading("1", 100, 1.0))
    apply_reading(state, reading("1", 400, 4.0))
    assert partial_due(state, now_wall=1000.0, interval_s=900)
    day = partial_day(state, now_wall=1000.0)
    assert day is not None and day.minutes_observed == 401
    assert not partial_due(state, now_wall=1500.0, interval_s=900)
    assert partial_due(state, now_wall=1900.0, interval_s=900)


def test_status_carries_over_a_closed_day() -> None:
    state = StationState(max_power_kw={"1": 22.0})
    day0 = int(T0.timestamp())
    apply_status(state, StatusEvent("1", "Faulted", at(1400)))
    apply_reading(state, reading("1", 1440 + 60, 1.0))
    close_day(state, day0)
    day1 = build_station_day(state, day0 + 86_400)
    assert not day1.available[0].any()


def test_ids_are_deterministic() -> None:
    assert station_record_id("t", "s") == station_record_id("t", "s") != station_record_id("t2", "s")
    a = station_inference_id("t", "s", 100)
    assert a == station_inference_id("t", "s", 100) != station_inference_id("t", "s", 86_500)


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        apply_reading(StationState(), EnergyReading("1", datetime(2026, 1, 1), 1.0))


def test_a_full_day_has_the_shade_grid() -> None:
    state = StationState(max_power_kw={"1": 22.0})
    apply_reading(state, reading("1", 0, 0.0))
    day = build_station_day(state, int(T0.timestamp()))
    assert day.energy_kwh.shape == (1, MINUTES) and day.minutes_observed == MINUTES
    assert np.array_equal(day.available, np.ones((1, MINUTES), dtype=bool))


def test_grace_period_and_late_readings_do_not_become_idle_energy() -> None:
    state = StationState(max_power_kw={"1": 50.0, "2": 50.0, "3": 50.0})
    day0 = int(T0.timestamp())
    apply_reading(state, reading("3", 600, 0.0, "x"))
    apply_reading(state, reading("1", 1380, 10.0, "a"))
    apply_reading(state, reading("1", 1440, 20.0, "a"))  # a session ending at midnight
    assert closable_days(state, now_wall=day0, close_after_s=7200, grace_s=1800) == []
    apply_reading(state, reading("2", 1430, 5.0, "b"))  # another connector, reporting late: still counted
    apply_reading(state, reading("2", 1500, 6.0, "b"))
    assert closable_days(state, now_wall=day0, close_after_s=7200, grace_s=1800) == [day0]
    close_day(state, day0)
    apply_reading(state, reading("3", 1420, 30.0, "c"))  # too late: day 0 is scored
    apply_reading(state, reading("3", 1439, 40.0, "c"))
    apply_reading(state, reading("3", 1440 + 600, 40.0, "d"))
    day1 = build_station_day(state, day0 + 86_400)
    assert day1.connector_ids == ("1", "2", "3")
    assert day1.energy_kwh[2].sum() == pytest.approx(0.0)  # the late session is not idle energy of day 1
    assert state.late_readings == 2


def test_status_running_ahead_does_not_close_days() -> None:
    state = StationState(max_power_kw={"1": 22.0})
    day0 = int(T0.timestamp())
    for d in range(5):
        apply_status(state, StatusEvent("1", "Available", at(d * 1440 + 60)))
    assert closable_days(state, now_wall=day0, close_after_s=7200, grace_s=1800) == []
    apply_reading(state, reading("1", 600, 1.0))
    apply_reading(state, reading("1", 1440 + 600, 2.0))
    assert closable_days(state, now_wall=day0, close_after_s=7200, grace_s=1800) == [day0]
