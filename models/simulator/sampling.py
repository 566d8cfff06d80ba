"""Meter sampling: reading times (10 s - 15 min, jitter) and measured values (noise, quantisation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.simulator.physics import Trajectory

COMMON_INTERVALS = (10.0, 15.0, 30.0, 60.0, 60.0, 120.0, 300.0, 600.0, 900.0)


@dataclass(slots=True)
class Measured:
    """Per-reading measured series (seconds since start); NaN means not reported."""

    t: np.ndarray
    energy: np.ndarray  # register kWh incl. lifetime offset
    power: np.ndarray  # kW
    soc: np.ndarray  # %
    current: np.ndarray  # A
    voltage: np.ndarray  # V


def sample_interval(rng: np.random.Generator, common_share: float = 0.6) -> float:
    """Nominal interval: a common OCPP setting or a log-uniform draw in [10 s, 15 min]."""
    if rng.uniform() < common_share:
        return float(rng.choice(COMMON_INTERVALS))
    return float(np.exp(rng.uniform(np.log(10.0), np.log(900.0))))


def sample_times(
    rng: np.random.Generator, duration_s: float, interval_s: float, max_jitter: float = 0.25
) -> np.ndarray:
    """Reading times from 0 to duration with multiplicative jitter; always >= 3 readings."""
    interval_s = min(interval_s, duration_s / 2.0)
    jitter = rng.uniform(0.0, max_jitter)
    n_max = int(duration_s / interval_s * 1.5) + 4
    steps = interval_s * rng.uniform(1.0 - jitter, 1.0 + jitter, size=n_max)
    times = np.concatenate([[0.0], np.cumsum(steps)])
    times = times[times < duration_s]
    times = np.append(times, duration_s)
    return np.round(times, 0 if interval_s >= 10 else 1)


def measure(
    rng: np.random.Generator,
    traj: Trajectory,
    times: np.ndarray,
    *,
    register_offset: float,
    energy_quant_kwh: float,
    has_power: bool,
    has_soc: bool,
    has_current: bool,
    phases: int,
    voltage: float,
    soc_decimals: bool = False,
) -> Measured:
    """Sample the trajectory at reading times with sensor noise and register quantisation."""
    e = np.interp(times, traj.t, traj.energy)
    # a register counts whole quanta (floor), it never rounds up
    energy = register_offset + np.floor(e / energy_quant_kwh + 1e-9) * energy_quant_kwh
    idx = np.clip(np.searchsorted(traj.t, times), 0, len(traj.t) - 1)
    p_true = traj.power[idx]
    noise = rng.uniform(0.003, 0.02)
    # power and energy meters agree only within their accuracy class
    power = p_true * rng.uniform(0.975, 1.025) * (1.0 + rng.normal(0.0, noise, size=len(times)))
    power = np.where(p_true > 0, power, np.abs(rng.normal(0.0, 0.005, size=len(times))))
    power = np.round(np.maximum(power, 0.0), 3)
    soc_true = np.interp(times, traj.t, traj.soc)
    # most cars report whole percent, some one decimal
    soc = np.round(soc_true, 1) if soc_decimals else np.floor(soc_true)
    v = voltage * (1.0 + rng.normal(0.0, 0.005, size=len(times)))
    cur = power * 1000.0 / (v * phases) if phases > 0 else power * 0
    nan = np.full(len(times), np.nan)
    return Measured(
        t=times.astype(float),
        energy=energy,
        power=power if has_power else nan.copy(),
        soc=soc if has_soc else nan.copy(),
        current=np.round(cur, 2) if has_current else nan.copy(),
        voltage=np.round(v, 1) if has_current else nan.copy(),
    )


def drop_isolated(m: Measured, rng: np.random.Generator) -> Measured:
    """Lose 1-3 % of readings, never two in a row and never the first/last (ordinary radio loss)."""
    n = len(m.t)
    k = int(n * rng.uniform(0.01, 0.03))
    if n < 10 or k == 0:
        return m
    cand = rng.choice(np.arange(1, n - 1, 2), size=min(k, (n - 2) // 2), replace=False)
    keep = np.ones(n, bool)
    keep[cand] = False
    idx = np.flatnonzero(keep)
    return Measured(
        t=m.t[idx],
        energy=m.energy[idx],
        power=m.power[idx],
        soc=m.soc[idx],
        current=m.current[idx],
        voltage=m.voltage[idx],
    )


def drop_measurand_values(m: Measured, rng: np.random.Generator) -> None:
    """Some readings carry only the register: power and/or SoC missing in 5-20 % of them."""
    n = len(m.t)
    for arr in (m.power, m.soc):
        if n > 6 and rng.uniform() < 0.15 and not np.isnan(arr).all():
            idx = rng.choice(np.arange(1, n - 1), size=int((n - 2) * rng.uniform(0.05, 0.2)), replace=False)
            arr[idx] = np.nan
