"""Anomaly injection: physical faults (plan changes) and meter/reporting faults (measured series).

Each category has its own functions, found through PHYSICAL_PLANNERS, MEASURED_INJECTORS and
GAP_INJECTORS (PHANTOM_ENERGY is planned, then creep_register adds the energy). Every function draws from
the generator in a fixed order: the data sets are defined by their seeds, so reordering, adding or
skipping a draw (even one whose value is unused) changes every session after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from models.simulator.physics import Plan, Trajectory
from models.simulator.sampling import Measured

SEVERITIES = ("subtle", "moderate", "severe")
PHYSICAL = frozenset({"CHARGING_INTERRUPTION", "POWER_DERATING", "ZERO_ENERGY", "PHANTOM_ENERGY"})


class Infeasible(Exception):
    """The drawn session cannot host this anomaly; the caller redraws."""


@dataclass(frozen=True, slots=True)
class Window:
    """Ground-truth time span in seconds since session start."""

    start_s: float
    end_s: float


# severity, plan, first-pass trajectory, reading interval, generator -> labelled span
PhysicalPlanner = Callable[[str, Plan, Trajectory, float, np.random.Generator], Window]
# severity, readings (changed in place), true trajectory, charger rating kW, generator -> labelled span
MeasuredInjector = Callable[[str, Measured, Trajectory, float, np.random.Generator], Window]
# gap length, readings, generator -> readings as delivered, labelled span
GapInjector = Callable[[float, Measured, np.random.Generator], tuple[Measured, Window]]


def _pick(rng: np.random.Generator, low: float, high: float, severity: str) -> float:
    """Split [low, high] into severity thirds on a log scale and draw inside the right third."""
    log_low, log_high = np.log(low), np.log(high)
    third = SEVERITIES.index(severity)
    span = log_high - log_low
    return float(np.exp(rng.uniform(log_low + span * third / 3, log_low + span * (third + 1) / 3)))


def charging_span(traj: Trajectory, frac: float = 0.3) -> tuple[float, float]:
    """First and last time the true power exceeds frac of its peak."""
    power = traj.power
    on = np.flatnonzero(power > frac * max(power.max(), 1e-6))
    if len(on) < 2:
        raise Infeasible("no charging")
    return float(traj.t[on[0]]), float(traj.t[on[-1]])


def _shortest_fault_s(interval_s: float) -> float:
    """A physical fault must span a few readings to be seen at all."""
    return max(3.0 * interval_s, 180.0)


def _plan_zero_energy(
    severity: str, plan: Plan, traj: Trajectory, interval_s: float, rng: np.random.Generator
) -> Window:
    """The charger never delivers: at most a trickle, for the whole (bounded) session."""
    plan.zero_energy = True
    plan.trickle_kw = 0.0 if severity == "severe" else float(rng.uniform(0.0, 0.03 if severity == "moderate" else 0.08))
    plan.duration_s = float(np.clip(plan.duration_s, max(600.0, 4 * interval_s), 4 * 3600.0))
    return Window(0.0, plan.duration_s)


def _plan_charging_interruption(
    severity: str, plan: Plan, traj: Trajectory, interval_s: float, rng: np.random.Generator
) -> Window:
    """Power stops mid-charge and resumes later (or never, when the session ends during the pause)."""
    first_s, last_s = charging_span(traj, 0.5)
    pause_s = max(_shortest_fault_s(interval_s), _pick(rng, 180.0, 5400.0, severity))
    if last_s - first_s < pause_s * 0.3 + 600:
        raise Infeasible("too short")
    start_s = float(rng.uniform(first_s + 120.0, max(first_s + 121.0, last_s - 300.0)))
    soc_at_start = float(np.interp(start_s, traj.t, traj.soc))
    # the session ends during the interruption; only far below any usual target, otherwise it
    # is indistinguishable from a car that stopped at its own target
    if rng.uniform() < 0.3 and soc_at_start < 55.0:
        plan.duration_s = start_s + pause_s
        plan.pauses.append((start_s, plan.duration_s + 1.0))
        return Window(start_s, plan.duration_s)
    plan.pauses.append((start_s, start_s + pause_s))
    plan.duration_s += pause_s
    return Window(start_s, start_s + pause_s)


def _plan_power_derating(
    severity: str, plan: Plan, traj: Trajectory, interval_s: float, rng: np.random.Generator
) -> Window:
    """Power falls to a fraction of what the car accepts during the constant-current stretch."""
    first_s, last_s = charging_span(traj, 0.5)
    length_s = max(_shortest_fault_s(interval_s) * 1.5, 600.0, _pick(rng, 600.0, 7200.0, "moderate"))
    # before the knee, so the drop cannot be mistaken for the battery's own taper
    latest_s = min(last_s, _knee_time(traj, plan))
    if latest_s - first_s < 900.0:
        raise Infeasible("no constant-current stretch")
    start_s = float(rng.uniform(first_s + 60.0, max(first_s + 61.0, latest_s - 600.0)))
    # all three factors are drawn whatever the severity: skipping the unused ones would shift every later draw
    factors = {
        "subtle": rng.uniform(0.45, 0.65),
        "moderate": rng.uniform(0.25, 0.45),
        "severe": rng.uniform(0.03, 0.25),
    }
    factor = factors[severity]
    end_s = min(start_s + length_s, plan.duration_s + length_s)
    plan.derates.append((start_s, end_s, float(factor)))
    plan.duration_s += length_s * (1.0 - factor)  # derated charging takes longer
    return Window(start_s, end_s)


def _plan_phantom_energy(
    severity: str, plan: Plan, traj: Trajectory, interval_s: float, rng: np.random.Generator
) -> Window:
    """A zero-power stretch for the register to creep in later: a slow start or an idle tail."""
    charging_span(traj, 0.5)  # a session that never charges cannot host it either
    if rng.uniform() < 0.5:
        return _phantom_during_start_delay(plan, interval_s, rng)
    return _phantom_during_idle_tail(plan, traj, interval_s, rng)


def _phantom_during_start_delay(plan: Plan, interval_s: float, rng: np.random.Generator) -> Window:
    """Lengthen the delay before the car draws power; the creep happens inside it."""
    delay_s = max(_shortest_fault_s(interval_s), _pick(rng, 300.0, 3600.0, "moderate"))
    plan.start_delay_s = max(plan.start_delay_s, delay_s)
    plan.duration_s += plan.start_delay_s
    return Window(30.0, plan.start_delay_s - 30.0)


def _phantom_during_idle_tail(plan: Plan, traj: Trajectory, interval_s: float, rng: np.random.Generator) -> Window:
    """Stop charging at the SoC reached when full and keep the car plugged in; the creep happens after."""
    tail_s = max(_shortest_fault_s(interval_s), _pick(rng, 300.0, 5400.0, "moderate"))
    full_s = traj.full_at_s if traj.full_at_s is not None else traj.t[-1]
    soc_when_full = float(traj.soc[min(len(traj.soc) - 1, np.searchsorted(traj.t, full_s))])
    plan.target_soc = min(plan.target_soc, soc_when_full)
    plan.duration_s = full_s + tail_s
    return Window(full_s + 60.0, full_s + tail_s)


PHYSICAL_PLANNERS: dict[str, PhysicalPlanner] = {
    "ZERO_ENERGY": _plan_zero_energy,
    "CHARGING_INTERRUPTION": _plan_charging_interruption,
    "POWER_DERATING": _plan_power_derating,
    "PHANTOM_ENERGY": _plan_phantom_energy,
}


def plan_physical(
    category: str, severity: str, plan: Plan, traj: Trajectory, interval_s: float, rng: np.random.Generator
) -> Window:
    """Change the plan so the re-simulated session shows a physical fault; return its span."""
    return PHYSICAL_PLANNERS[category](severity, plan, traj, interval_s, rng)


def _knee_time(traj: Trajectory, plan: Plan) -> float:
    """Time when power starts to taper (drops below 90 % of its running max)."""
    power = traj.power
    running_max = np.maximum.accumulate(power)
    start = np.searchsorted(traj.t, plan.start_delay_s + 60.0)
    below = np.flatnonzero((power < 0.85 * running_max) & (np.arange(len(power)) > start) & (running_max > 0))
    return float(traj.t[below[0]]) if len(below) else float(traj.t[-1])


def _window_idx(
    rng: np.random.Generator, n: int, k_lo: int, k_hi: int, lo: int = 1, hi: int | None = None
) -> tuple[int, int]:
    """Random index window [i0, i1] of k_lo..k_hi readings inside [lo, hi)."""
    hi = n - 1 if hi is None else hi
    k = int(rng.integers(k_lo, k_hi + 1))
    if hi - lo < k:
        raise Infeasible("too few readings")
    i0 = int(rng.integers(lo, hi - k + 1))
    return i0, i0 + k - 1


def _span(measured: Measured, i0: int, i1: int) -> Window:
    """Resampled signals are affected from the previous good reading to the next one."""
    return Window(float(measured.t[max(i0 - 1, 0)]), float(measured.t[min(i1 + 1, len(measured.t) - 1)]))


def _charging_idx(measured: Measured, traj: Trajectory, frac: float = 0.3) -> tuple[int, int]:
    """Index range of the readings strictly inside the charging span."""
    first_s, last_s = charging_span(traj, frac)
    lo = int(np.searchsorted(measured.t, first_s)) + 1
    hi = int(np.searchsorted(measured.t, last_s, side="right")) - 1
    if hi - lo < 3:
        raise Infeasible("charging stretch has too few readings")
    return lo, hi


def creep_register(severity: str, measured: Measured, win: Window, rng: np.random.Generator) -> Window:
    """PHANTOM_ENERGY: the register counts up during the planned zero-power window."""
    inside = (measured.t > win.start_s) & (measured.t <= win.end_s)
    if inside.sum() < 2:
        raise Infeasible("phantom window unsampled")
    rate_kw = _pick(rng, 0.3, 20.0, severity)
    measured.energy += np.clip(measured.t - win.start_s, 0.0, win.end_s - win.start_s) * rate_kw / 3600.0
    return win


def _inject_kwh_decrease(
    severity: str, measured: Measured, traj: Trajectory, max_kw: float, rng: np.random.Generator
) -> Window:
    """The register steps down and stays lower."""
    energy = measured.energy
    lo, hi = _charging_idx(measured, traj, 0.05)
    # some are a wrong (too high) start reading: the first step goes down
    i = 1 if rng.uniform() < 0.15 else int(rng.integers(lo, hi + 1))
    if severity == "severe" and rng.uniform() < 0.5:
        # the register resets to zero or loses a large block; written as before so the float result matches
        drop = energy[i] - (0.0 if rng.uniform() < 0.5 else energy[i] - float(rng.uniform(20, 500)))
        drop = max(drop, 10.0)
    else:
        drop = _pick(rng, 0.15, 40.0, severity)
    energy[i:] -= drop
    if energy[i] >= energy[i - 1]:
        raise Infeasible("drop hidden by the energy charged in the same interval")
    return _span(measured, i, i - 1) if i > 0 else Window(measured.t[0], measured.t[1])


def _inject_kwh_jump(
    severity: str, measured: Measured, traj: Trajectory, max_kw: float, rng: np.random.Generator
) -> Window:
    """The register steps up by more than the charger could deliver in that interval."""
    n = len(measured.t)
    # a quarter are a wrong (too low, e.g. zero) start reading: the first step jumps
    i = 1 if rng.uniform() < 0.25 else int(rng.integers(2, n))
    feasible_kwh = max_kw * np.diff(measured.t)[i - 1] / 3600.0
    if severity == "severe" and rng.uniform() < 0.5:
        jump = float(rng.uniform(500.0, 80000.0))  # a lifetime total billed as one session
    else:
        jump = max(1.0, feasible_kwh * _pick(rng, 2.0, 60.0, severity))
    measured.energy[i:] += jump
    return Window(float(measured.t[i - 1]), float(measured.t[i]))


def _inject_energy_pit(
    severity: str, measured: Measured, traj: Trajectory, max_kw: float, rng: np.random.Generator
) -> Window:
    """A few readings dip below the register and it comes back."""
    energy = measured.energy
    lo, hi = _charging_idx(measured, traj, 0.05)
    i0, i1 = _window_idx(rng, len(measured.t), 1, max(1, min(5, (hi - lo) // 3)), lo, hi)
    delivered = energy[i0] - energy[0]
    if severity == "severe" and rng.uniform() < 0.4:
        energy[i0 : i1 + 1] = 0.0  # glitch reports a zero register
    else:
        depth = max(_pick(rng, 0.15, 30.0, severity), 0.0)
        depth = min(depth, max(delivered * 0.9, 0.15))
        energy[i0 : i1 + 1] -= depth
    if energy[i0] >= energy[i0 - 1]:
        raise Infeasible("pit hidden by the energy charged in the same interval")
    return _span(measured, i0, i1)


def _inject_energy_stall(
    severity: str, measured: Measured, traj: Trajectory, max_kw: float, rng: np.random.Generator
) -> Window:
    """The register freezes while power flows; usually the energy is never metered afterwards either."""
    energy, n = measured.energy, len(measured.t)
    lo, hi = _charging_idx(measured, traj, 0.4)
    median_step_s = max(np.median(np.diff(measured.t)), 1.0)
    need = max(2, int(np.ceil(300.0 / median_step_s)))
    k_hi = max(need, min(hi - lo - 1, int(np.ceil(_pick(rng, 300.0, 5400.0, severity) / median_step_s))))
    i0, i1 = _window_idx(rng, n, need, k_hi, lo, hi)
    frozen = energy[i0 - 1]
    lost = energy[i1] - frozen
    energy[i0 : i1 + 1] = frozen
    if rng.uniform() < 0.7:  # energy never metered
        energy[i1 + 1 :] -= lost
    return Window(float(measured.t[i0 - 1]), float(measured.t[min(i1 + 1, n - 1)]))


def _mismatch_factor(severity: str, rng: np.random.Generator) -> float:
    """How far the metered energy is off the integrated power: below or above, by severity."""
    if severity == "subtle":
        return float(rng.uniform(0.72, 0.85) if rng.uniform() < 0.5 else rng.uniform(1.18, 1.35))
    if severity == "moderate":
        return float(rng.uniform(0.45, 0.72) if rng.uniform() < 0.5 else rng.uniform(1.35, 2.0))
    return float(rng.uniform(0.1, 0.45) if rng.uniform() < 0.5 else rng.uniform(2.0, 5.0))


def _inject_power_energy_mismatch(
    severity: str, measured: Measured, traj: Trajectory, max_kw: float, rng: np.random.Generator
) -> Window:
    """Energy increments scaled for the whole session or a long stretch of it; power is left alone."""
    energy, n = measured.energy, len(measured.t)
    lo, hi = _charging_idx(measured, traj, 0.2)
    factor = _mismatch_factor(severity, rng)
    if rng.uniform() < 0.4:
        i0, i1 = 1, n - 1
    else:
        min_k = max(3, (hi - lo) // 4)
        i0, i1 = _window_idx(rng, n, min_k, max(min_k, hi - lo), lo, hi + 1)
    steps = np.diff(energy)
    steps[i0 - 1 : i1] *= factor
    energy[1:] = energy[0] + np.cumsum(steps)
    return Window(float(measured.t[i0 - 1]), float(measured.t[i1]))


def _inject_power_spike(
    severity: str, measured: Measured, traj: Trajectory, max_kw: float, rng: np.random.Generator
) -> Window:
    """One to three power readings far above the charger's rating."""
    n = len(measured.t)
    i0, i1 = _window_idx(rng, n, 1, 3, 1, n - 1)
    factor = _pick(rng, 1.35, 400.0, severity)
    measured.power[i0 : i1 + 1] = np.round(max_kw * factor * rng.uniform(1.0, 1.1, size=i1 - i0 + 1), 3)
    return _span(measured, i0, i1)


def _soc_reading_at(measured: Measured, traj: Trajectory, rng: np.random.Generator) -> int:
    """A random reading inside the charging stretch that carries a SoC value."""
    lo, hi = _charging_idx(measured, traj, 0.2)
    i = int(rng.integers(lo, hi + 1))
    if np.isnan(measured.soc[i]):
        raise Infeasible("no SoC reading there")
    return i


def _inject_soc_drop(
    severity: str, measured: Measured, traj: Trajectory, max_kw: float, rng: np.random.Generator
) -> Window:
    """SoC falls while charging: a BMS reset that sticks, or a few bad readings."""
    i = _soc_reading_at(measured, traj, rng)
    drop = min(_pick(rng, 2.0, 50.0, severity), float(measured.soc[i]) - 1.0)
    if drop < 2.0:
        raise Infeasible("SoC too low to drop")
    earlier = measured.soc[:i][~np.isnan(measured.soc[:i])]
    if len(earlier) == 0 or measured.soc[i] - np.floor(drop) >= earlier[-1]:
        raise Infeasible("drop hidden by the charge gained in the same interval")
    if rng.uniform() < 0.5:
        measured.soc[i:] = np.maximum(measured.soc[i:] - np.floor(drop), 0.0)  # the BMS estimate resets
        return Window(float(measured.t[i - 1]), float(measured.t[i]))
    i1 = min(len(measured.t) - 2, i + int(rng.integers(0, 4)))
    measured.soc[i : i1 + 1] = np.maximum(measured.soc[i : i1 + 1] - np.floor(drop), 0.0)
    return _span(measured, i, i1)


def _inject_soc_jump(
    severity: str, measured: Measured, traj: Trajectory, max_kw: float, rng: np.random.Generator
) -> Window:
    """SoC steps up by more than the interval's charge could add, and stays up."""
    i = _soc_reading_at(measured, traj, rng)
    jump = min(_pick(rng, 5.0, 60.0, severity), 100.0 - float(measured.soc[i]))
    if jump < 4.0:
        raise Infeasible("SoC too high to jump")
    measured.soc[i:] = np.minimum(measured.soc[i:] + np.floor(jump), 100.0)
    return Window(float(measured.t[i - 1]), float(measured.t[i]))


MEASURED_INJECTORS: dict[str, MeasuredInjector] = {
    "KWH_DECREASE": _inject_kwh_decrease,
    "KWH_JUMP": _inject_kwh_jump,
    "ENERGY_PIT": _inject_energy_pit,
    "ENERGY_STALL": _inject_energy_stall,
    "POWER_ENERGY_MISMATCH": _inject_power_energy_mismatch,
    "POWER_SPIKE": _inject_power_spike,
    "SOC_DROP": _inject_soc_drop,
    "SOC_JUMP": _inject_soc_jump,
}


def inject_measured(
    category: str, severity: str, measured: Measured, traj: Trajectory, max_kw: float, rng: np.random.Generator
) -> Window:
    """Corrupt the measured series in place; return the ground-truth span."""
    return MEASURED_INJECTORS[category](severity, measured, traj, max_kw, rng)


def gap_plan(severity: str, interval_s: float, duration_s: float, rng: np.random.Generator) -> tuple[str, float]:
    """The DATA_GAP flavour and its length in seconds: a stretch with no readings at all.

    Retransmits and out-of-order delivery are ordinary wire habits (`models.simulator.wire`), not gaps.
    """
    length_s = max(3.0 * interval_s, 600.0) * _pick(rng, 1.0, 6.0, severity)
    if length_s > 0.6 * duration_s:
        raise Infeasible("session too short for a gap")
    return "gap", length_s


def _inject_missing_stretch(length_s: float, measured: Measured, rng: np.random.Generator) -> tuple[Measured, Window]:
    """No readings arrive for length_s; the label runs from the last reading before to the first after."""
    start_s = float(rng.uniform(measured.t[1], measured.t[-1] - length_s - 1.0))
    keep = (measured.t <= start_s) | (measured.t >= start_s + length_s)
    keep[0] = keep[-1] = True
    idx = np.flatnonzero(keep)
    if len(measured.t) - len(idx) < 2:
        raise Infeasible("gap removed nothing")
    before = float(measured.t[idx[np.searchsorted(measured.t[idx], start_s, side="right") - 1]])
    after = float(measured.t[idx[np.searchsorted(measured.t[idx], start_s + length_s)]])
    kept = Measured(
        t=measured.t[idx],
        energy=measured.energy[idx],
        power=measured.power[idx],
        soc=measured.soc[idx],
        current=measured.current[idx],
        voltage=measured.voltage[idx],
    )
    return kept, Window(before, after)


GAP_INJECTORS: dict[str, GapInjector] = {
    "gap": _inject_missing_stretch,
}


def inject_gap(kind: str, length_s: float, measured: Measured, rng: np.random.Generator) -> tuple[Measured, Window]:
    """Drop every reading for a stretch."""
    return GAP_INJECTORS[kind](length_s, measured, rng)
