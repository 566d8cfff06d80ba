"""Turn a station-day and its history into SHADE's fixed-shape input tensors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from models.shade.schema import (
    CONNECTOR_FEATURES,
    INPUT_CONNECTORS,
    INPUT_STATION,
    MAX_CONNECTORS,
    MINUTES,
    MINUTES_PER_BIN,
    PROFILE_BINS,
    STATION_FEATURES,
    DayProfile,
    History,
    StationDay,
)

# How far back the expected profile looks, and how many same-kind days it averages at most.
HISTORY_WINDOW_DAYS = 28
MAX_REFERENCE_DAYS = 8
FULL_HISTORY_DAYS = 14
# Below this a session minute is not charging (register drift, a full car waiting).
CHARGING_MIN_KW = 0.1


@dataclass(frozen=True)
class PreparedDay:
    """SHADE inputs (unbatched) plus the kWh context `interpret` needs to explain the result."""

    inputs: dict[str, np.ndarray]
    day: StationDay
    actual_total_kwh: np.ndarray  # [MINUTES], connectors summed
    expected_total_kwh: np.ndarray  # [MINUTES]
    expected_connector_kwh: np.ndarray  # [C, MINUTES]
    idle_kwh: np.ndarray  # [C, MINUTES], energy while no session ran
    history_days: int
    history: History = History()  # the station's past days, for the rules in `rules.py`


def local_weekday(day_start: int, tz: str) -> int:
    """Weekday (0 = Monday) of the local day that starts at `day_start`."""
    return datetime.fromtimestamp(day_start, ZoneInfo(tz)).weekday()


def charging_minutes(energy_kwh: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Session minutes that drew energy: a car that is full (SuspendedEV) is active but not charging."""
    return active.astype(bool) & (energy_kwh * 60.0 >= CHARGING_MIN_KW)


def profile_of(day: StationDay) -> DayProfile:
    """Compress a finished day into the 15-minute profile kept as history."""
    bins = day.energy_kwh.reshape(len(day.connector_ids), PROFILE_BINS, MINUTES_PER_BIN).sum(axis=2)
    meter = None
    if day.station_meter_kwh is not None:
        meter = day.station_meter_kwh.reshape(PROFILE_BINS, MINUTES_PER_BIN).sum(axis=1).astype(np.float32)
    # Sessions begun that day (a session running at midnight counts on both days, as it is seen).
    active = day.session_active.astype(bool)
    starts = (active[:, 1:] & ~active[:, :-1]).sum(axis=1) + active[:, 0]
    return DayProfile(
        day_start=day.day_start,
        weekday=local_weekday(day.day_start, day.tz),
        connector_ids=day.connector_ids,
        energy_kwh=bins.astype(np.float32),
        meter_kwh=meter,
        sessions=starts.astype(np.float32),
        charging_minutes=charging_minutes(day.energy_kwh, active).sum(axis=1).astype(np.float32),
    )


def moving_average(x: np.ndarray, window: int) -> np.ndarray:
    """Centred moving average along the last axis, same length (edges average what exists)."""
    if window <= 1:
        return x.astype(np.float64)
    pad_left = window // 2
    pad_right = window - 1 - pad_left
    c = np.cumsum(np.pad(x.astype(np.float64), [(0, 0)] * (x.ndim - 1) + [(1, 0)]), axis=-1)
    n = x.shape[-1]
    idx = np.arange(n)
    lo = np.clip(idx - pad_left, 0, n)
    hi = np.clip(idx + pad_right + 1, 0, n)
    return (c[..., hi] - c[..., lo]) / (hi - lo)


def recent_days(day: StationDay, history: History) -> list[DayProfile]:
    """The station's days of the last HISTORY_WINDOW_DAYS before `day`, oldest first."""
    return [d for d in history.days if 0 < day.day_start - d.day_start <= HISTORY_WINDOW_DAYS * 86_400 + 7200]


def same_kind_days(day: StationDay, history: History, min_days: int = 2) -> list[DayProfile]:
    """Recent days of the same kind (weekday vs weekend); all recent days if fewer than `min_days` match."""
    recent = recent_days(day, history)
    weekend = local_weekday(day.day_start, day.tz) >= 5
    same = [d for d in recent if (d.weekday >= 5) == weekend]
    return same if len(same) >= min_days else recent


def _reference_days(day: StationDay, history: History) -> list[DayProfile]:
    return same_kind_days(day, history)[-MAX_REFERENCE_DAYS:]


def aligned(profile: DayProfile, connector_ids: tuple[str, ...]) -> np.ndarray:
    """A past day's bins [C, PROFILE_BINS] in the order of `connector_ids` (zeros for new connectors)."""
    rows = {cid: i for i, cid in enumerate(profile.connector_ids)}
    out = np.zeros((len(connector_ids), PROFILE_BINS))
    for j, cid in enumerate(connector_ids):
        if cid in rows:
            out[j] = profile.energy_kwh[rows[cid]]
    return out


def expected_profile(day: StationDay, history: History) -> tuple[np.ndarray, np.ndarray, int]:
    """Expected kWh per minute per connector and its spread for the station total, from history.

    Trimmed mean over the reference days per 15-minute bin (the days with the highest and the
    lowest total are dropped when there are five or more, so one past anomaly does not shift
    the baseline), spread evenly over the bin's minutes and smoothed over an hour.
    """
    ref = _reference_days(day, history)
    n = len(day.connector_ids)
    if not ref:
        return np.zeros((n, MINUTES)), np.zeros(MINUTES), 0
    stack = np.stack([aligned(p, day.connector_ids) for p in ref])  # [D, C, BINS]
    if len(ref) >= 5:
        # Trim whole days, not bins: per-bin trimming of spiky session energy biases the mean low.
        order = np.argsort(stack.sum(axis=(1, 2)))
        mean = stack[order[1:-1]].mean(axis=0)
    else:
        mean = stack.mean(axis=0)
    totals = stack.sum(axis=1)  # [D, BINS]
    std = totals.std(axis=0) if len(ref) >= 2 else totals.mean(axis=0) * 0.5
    per_minute = np.repeat(mean, MINUTES_PER_BIN, axis=1) / MINUTES_PER_BIN
    std_minute = np.repeat(std, MINUTES_PER_BIN) / MINUTES_PER_BIN
    return moving_average(per_minute, 60), moving_average(std_minute, 120), len(ref)


def _max_power(day: StationDay) -> np.ndarray:
    if day.max_power_kw is not None:
        return np.maximum(np.asarray(day.max_power_kw, dtype=np.float64), 1.0)
    # Without metadata: the fastest minute seen, but never below a small AC wallbox.
    return np.maximum(day.energy_kwh.max(axis=1) * 60.0, 3.7)


def prepare(day: StationDay, history: History) -> PreparedDay:
    """Build SHADE's unbatched inputs: STATION [16, 1440] and CONNECTORS [8, 8, 1440], float32."""
    n = len(day.connector_ids)
    obs = np.zeros(MINUTES)
    obs[: day.minutes_observed] = 1.0
    energy = day.energy_kwh.astype(np.float64) * obs
    active = day.session_active.astype(bool)
    available = day.available.astype(np.float64)
    idle = np.where(active, 0.0, energy)
    actual = energy.sum(axis=0)
    exp_c, exp_std, n_hist = expected_profile(day, history)
    exp_total = exp_c.sum(axis=0)
    max_kw = _max_power(day)

    scale = max(float(exp_total.mean()), 0.02 * float(max_kw.sum()) / 60.0, 1e-3)
    station = np.zeros((STATION_FEATURES, MINUTES))
    smooth_actual = moving_average(actual, 60)
    station[0] = np.clip(actual / scale, 0, 50)
    station[1] = np.clip(smooth_actual / scale, 0, 50)
    station[2] = exp_total / scale
    station[3] = exp_std / scale
    station[4] = np.clip((station[1] - station[2]) / (station[3] + 0.25), -10, 10)
    station[5] = np.log1p(moving_average(idle.sum(axis=0), 30) * 60.0)
    if day.station_meter_kwh is not None:
        meter = day.station_meter_kwh.astype(np.float64) * obs
        diff = moving_average(meter - actual, 30)
        station[6] = np.clip(diff / scale, -50, 50)
        m120, a120 = moving_average(meter, 120), moving_average(actual, 120)
        station[7] = np.clip((m120 - a120) / (a120 + scale), -5, 5)
        station[8] = 1.0
    station[9] = 1.0 - available.mean(axis=0) if n else 0.0
    station[10] = obs
    t = np.arange(MINUTES) / MINUTES * 2 * np.pi
    station[11] = np.sin(t)
    station[12] = np.cos(t)
    station[13] = min(n_hist / FULL_HISTORY_DAYS, 1.0)
    station[14] = float(local_weekday(day.day_start, day.tz) >= 5)
    # A 4-hour view: slow shortfalls (a silent outage, a derated afternoon) stand out there.
    long_actual, long_expected = moving_average(actual, 240) / scale, moving_average(exp_total, 240) / scale
    station[15] = np.clip((long_actual - long_expected) / (moving_average(exp_std, 240) / scale + 0.25), -10, 10)
    # Nothing is known after "now" on a partial day: observed channels are zero there.
    station[[0, 1, 4, 5, 6, 7, 9, 15]] *= obs

    # More connectors than the model has slots: the first MAX_CONNECTORS by id order get slots,
    # the station channels still sum all of them.
    conn = np.zeros((MAX_CONNECTORS, CONNECTOR_FEATURES, MINUTES))
    for i in range(min(n, MAX_CONNECTORS)):
        sc = max(float(exp_c[i].mean()), 0.02 * float(max_kw[i]) / 60.0, 1e-4)
        conn[i, 0] = np.clip(moving_average(energy[i], 60) / sc, 0, 50) * obs
        conn[i, 1] = exp_c[i] / sc
        conn[i, 2] = available[i] * obs
        conn[i, 3] = active[i] * obs
        conn[i, 4] = np.log1p(moving_average(idle[i], 30) * 60.0) * obs
        conn[i, 5] = np.clip(moving_average(energy[i], 240) / sc, 0, 50) * obs
        conn[i, 6] = moving_average(exp_c[i], 240) / sc
        conn[i, 7] = 1.0  # slot holds a connector (the network reads the last channel as its mask)
    return PreparedDay(
        inputs={INPUT_STATION: station.astype(np.float32), INPUT_CONNECTORS: conn.astype(np.float32)},
        day=day,
        actual_total_kwh=actual,
        expected_total_kwh=exp_total,
        expected_connector_kwh=exp_c,
        idle_kwh=idle,
        history_days=n_hist,
        history=history,
    )


def stack_inputs(prepared: list[PreparedDay]) -> dict[str, np.ndarray]:
    """Batch several prepared days along a new first axis."""
    return {name: np.stack([p.inputs[name] for p in prepared]) for name in (INPUT_STATION, INPUT_CONNECTORS)}
