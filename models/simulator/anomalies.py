"""Anomaly injection: physical faults (plan changes) and meter/reporting faults (measured series)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.simulator.physics import Plan, Trajectory
from models.simulator.sampling import Measured

SEVERITIES = ("subtle", "moderate", "severe")
PHYSICAL = frozenset({"CHARGING_INTERRUPTION", "POWER_DERATING", "ZERO_ENERGY", "PHANTOM_ENERGY"})
NEEDS_POWER = frozenset({"ENERGY_STALL", "PHANTOM_ENERGY", "POWER_ENERGY_MISMATCH", "POWER_SPIKE"})
NEEDS_SOC = frozenset({"SOC_DROP", "SOC_JUMP"})


class Infeasible(Exception):
    """The drawn session cannot host this anomaly; the caller redraws."""


@dataclass(frozen=True, slots=True)
class Window:
    """Ground-truth time span in seconds since session start."""

    start_s: float
    end_s: float


def _pick(rng: np.random.Generator, lo: float, hi: float, sev: str) -> float:
    """Split [lo, hi] into severity thirds on a log scale and draw inside the right third."""
    a, b = np.log(lo), np.log(hi)
    k = SEVERITIES.index(sev)
    return float(np.exp(rng.uniform(a + (b - a) * k / 3, a + (b - a) * (k + 1) / 3)))


def charging_span(traj: Trajectory, frac: float = 0.3) -> tuple[float, float]:
    """First and last time the true power exceeds frac of its peak."""
    p = traj.power
    on = np.flatnonzero(p > frac * max(p.max(), 1e-6))
    if len(on) < 2:
        raise Infeasible("no charging")
    return float(traj.t[on[0]]), float(traj.t[on[-1]])


def plan_physical(
    category: str, sev: str, plan: Plan, traj: Trajectory, interval_s: float, rng: np.random.Generator
) -> Window:
    """Change the plan so the re-simulated session shows a physical fault; return its span."""
    min_len = max(3.0 * interval_s, 180.0)
    if category == "ZERO_ENERGY":
        plan.zero_energy = True
        plan.trickle_kw = 0.0 if sev == "severe" else float(rng.uniform(0.0, 0.03 if sev == "moderate" else 0.08))
        plan.duration_s = float(np.clip(plan.duration_s, max(600.0, 4 * interval_s), 4 * 3600.0))
        return Window(0.0, plan.duration_s)
    a0, b0 = charging_span(traj, 0.5)
    if category == "CHARGING_INTERRUPTION":
        dur = max(min_len, _pick(rng, 180.0, 5400.0, sev))
        if b0 - a0 < dur * 0.3 + 600:
            raise Infeasible("too short")
        a = float(rng.uniform(a0 + 120.0, max(a0 + 121.0, b0 - 300.0)))
        soc_a = float(np.interp(a, traj.t, traj.soc))
        # the session ends during the interruption; only far below any usual target, otherwise it
        # is indistinguishable from a car that stopped at its own target
        if rng.uniform() < 0.3 and soc_a < 55.0:
            plan.duration_s = a + dur
            plan.pauses.append((a, plan.duration_s + 1.0))
            return Window(a, plan.duration_s)
        plan.pauses.append((a, a + dur))
        plan.duration_s += dur
        return Window(a, a + dur)
    if category == "POWER_DERATING":
        dur = max(min_len * 1.5, 600.0, _pick(rng, 600.0, 7200.0, "moderate"))
        knee_t = _knee_time(traj, plan)
        hi = min(b0, knee_t)
        if hi - a0 < 900.0:
            raise Infeasible("no constant-current stretch")
        a = float(rng.uniform(a0 + 60.0, max(a0 + 61.0, hi - 600.0)))
        factor = {
            "subtle": rng.uniform(0.45, 0.65),
            "moderate": rng.uniform(0.25, 0.45),
            "severe": rng.uniform(0.03, 0.25),
        }[sev]
        b = min(a + dur, plan.duration_s + dur)
        plan.derates.append((a, b, float(factor)))
        plan.duration_s += dur * (1.0 - factor)  # derated charging takes longer
        return Window(a, b)
    if category == "PHANTOM_ENERGY":
        # the register will creep during a zero-power stretch: an idle tail or a slow start
        if rng.uniform() < 0.5:
            plan.start_delay_s = max(plan.start_delay_s, max(min_len, _pick(rng, 300.0, 3600.0, "moderate")))
            plan.duration_s += plan.start_delay_s
            return Window(30.0, plan.start_delay_s - 30.0)
        tail = max(min_len, _pick(rng, 300.0, 5400.0, "moderate"))
        full = traj.full_at_s if traj.full_at_s is not None else traj.t[-1]
        plan.target_soc = min(plan.target_soc, float(traj.soc[min(len(traj.soc) - 1, np.searchsorted(traj.t, full))]))
        plan.duration_s = full + tail
        return Window(full + 60.0, full + tail)
    raise ValueError(category)


def _knee_time(traj: Trajectory, plan: Plan) -> float:
    """Time when power starts to taper (drops below 90 % of its running max)."""
    p = traj.power
    run = np.maximum.accumulate(p)
    start = np.searchsorted(traj.t, plan.start_delay_s + 60.0)
    below = np.flatnonzero((p < 0.85 * run) & (np.arange(len(p)) > start) & (run > 0))
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


def _span(m: Measured, i0: int, i1: int) -> Window:
    """Resampled signals are affected from the previous good reading to the next one."""
    return Window(float(m.t[max(i0 - 1, 0)]), float(m.t[min(i1 + 1, len(m.t) - 1)]))


def _charging_idx(m: Measured, traj: Trajectory, frac: float = 0.3) -> tuple[int, int]:
    a, b = charging_span(traj, frac)
    lo = int(np.searchsorted(m.t, a)) + 1
    hi = int(np.searchsorted(m.t, b, side="right")) - 1
    if hi - lo < 3:
        raise Infeasible("charging stretch has too few readings")
    return lo, hi


def inject_measured(
    category: str, sev: str, m: Measured, traj: Trajectory, max_kw: float, win: Window | None, rng: np.random.Generator
) -> Window:
    """Corrupt the measured series in place; return the ground-truth span."""
    n = len(m.t)
    e = m.energy
    dts = np.diff(m.t)
    if category == "PHANTOM_ENERGY":
        assert win is not None
        sel = (m.t > win.start_s) & (m.t <= win.end_s)
        if sel.sum() < 2:
            raise Infeasible("phantom window unsampled")
        rate = _pick(rng, 0.3, 20.0, sev)
        add = np.clip(m.t - win.start_s, 0.0, win.end_s - win.start_s) * rate / 3600.0
        e += add
        return win
    if category == "KWH_DECREASE":
        lo, hi = _charging_idx(m, traj, 0.05)
        # some are a wrong (too high) start reading: the first step goes down
        i = 1 if rng.uniform() < 0.15 else int(rng.integers(lo, hi + 1))
        if sev == "severe" and rng.uniform() < 0.5:
            drop = e[i] - (0.0 if rng.uniform() < 0.5 else e[i] - float(rng.uniform(20, 500)))
            drop = max(drop, 10.0)
        else:
            drop = _pick(rng, 0.15, 40.0, sev)
        e[i:] -= drop
        if e[i] >= e[i - 1]:
            raise Infeasible("drop hidden by the energy charged in the same interval")
        return _span(m, i, i - 1) if i > 0 else Window(m.t[0], m.t[1])
    if category == "KWH_JUMP":
        # a quarter are a wrong (too low, e.g. zero) start reading: the first step jumps
        i = 1 if rng.uniform() < 0.25 else int(rng.integers(2, n))
        feasible = max_kw * dts[i - 1] / 3600.0
        if sev == "severe" and rng.uniform() < 0.5:
            jump = float(rng.uniform(500.0, 80000.0))  # a lifetime total billed as one session
        else:
            jump = max(1.0, feasible * _pick(rng, 2.0, 60.0, sev))
        e[i:] += jump
        return Window(float(m.t[i - 1]), float(m.t[i]))
    if category == "ENERGY_PIT":
        lo, hi = _charging_idx(m, traj, 0.05)
        i0, i1 = _window_idx(rng, n, 1, max(1, min(5, (hi - lo) // 3)), lo, hi)
        delivered = e[i0] - e[0]
        if sev == "severe" and rng.uniform() < 0.4:
            e[i0 : i1 + 1] = 0.0  # glitch reports a zero register
        else:
            depth = max(_pick(rng, 0.15, 30.0, sev), 0.0)
            depth = min(depth, max(delivered * 0.9, 0.15))
            e[i0 : i1 + 1] -= depth
        if e[i0] >= e[i0 - 1]:
            raise Infeasible("pit hidden by the energy charged in the same interval")
        return _span(m, i0, i1)
    if category == "ENERGY_STALL":
        lo, hi = _charging_idx(m, traj, 0.4)
        need = max(2, int(np.ceil(300.0 / max(np.median(dts), 1.0))))
        k_hi = max(need, min(hi - lo - 1, int(np.ceil(_pick(rng, 300.0, 5400.0, sev) / max(np.median(dts), 1.0)))))
        i0, i1 = _window_idx(rng, n, need, k_hi, lo, hi)
        frozen = e[i0 - 1]
        lost = e[i1] - frozen
        e[i0 : i1 + 1] = frozen
        if rng.uniform() < 0.7:  # energy never metered
            e[i1 + 1 :] -= lost
        return Window(float(m.t[i0 - 1]), float(m.t[min(i1 + 1, n - 1)]))
    if category == "POWER_ENERGY_MISMATCH":
        lo, hi = _charging_idx(m, traj, 0.2)
        if sev == "subtle":
            f = rng.uniform(0.72, 0.85) if rng.uniform() < 0.5 else rng.uniform(1.18, 1.35)
        elif sev == "moderate":
            f = rng.uniform(0.45, 0.72) if rng.uniform() < 0.5 else rng.uniform(1.35, 2.0)
        else:
            f = rng.uniform(0.1, 0.45) if rng.uniform() < 0.5 else rng.uniform(2.0, 5.0)
        if rng.uniform() < 0.4:
            i0, i1 = 1, n - 1
        else:
            min_k = max(3, (hi - lo) // 4)
            i0, i1 = _window_idx(rng, n, min_k, max(min_k, hi - lo), lo, hi + 1)
        d = np.diff(e)
        d[i0 - 1 : i1] *= f
        e[1:] = e[0] + np.cumsum(d)
        return Window(float(m.t[i0 - 1]), float(m.t[i1]))
    if category == "POWER_SPIKE":
        lo, hi = 1, n - 1
        i0, i1 = _window_idx(rng, n, 1, 3, lo, hi)
        factor = _pick(rng, 1.35, 400.0, sev)
        m.power[i0 : i1 + 1] = np.round(max_kw * factor * rng.uniform(1.0, 1.1, size=i1 - i0 + 1), 3)
        return _span(m, i0, i1)
    if category == "SOC_DROP":
        lo, hi = _charging_idx(m, traj, 0.2)
        i = int(rng.integers(lo, hi + 1))
        if np.isnan(m.soc[i]):
            raise Infeasible("no SoC reading there")
        drop = min(_pick(rng, 2.0, 50.0, sev), float(m.soc[i]) - 1.0)
        if drop < 2.0:
            raise Infeasible("SoC too low to drop")
        prev = m.soc[:i][~np.isnan(m.soc[:i])]
        if len(prev) == 0 or m.soc[i] - np.floor(drop) >= prev[-1]:
            raise Infeasible("drop hidden by the charge gained in the same interval")
        if rng.uniform() < 0.5:
            m.soc[i:] = np.maximum(m.soc[i:] - np.floor(drop), 0.0)  # the BMS estimate resets
            return Window(float(m.t[i - 1]), float(m.t[i]))
        i1 = min(n - 2, i + int(rng.integers(0, 4)))
        m.soc[i : i1 + 1] = np.maximum(m.soc[i : i1 + 1] - np.floor(drop), 0.0)
        return _span(m, i, i1)
    if category == "SOC_JUMP":
        lo, hi = _charging_idx(m, traj, 0.2)
        i = int(rng.integers(lo, hi + 1))
        if np.isnan(m.soc[i]):
            raise Infeasible("no SoC reading there")
        jump = min(_pick(rng, 5.0, 60.0, sev), 100.0 - float(m.soc[i]))
        if jump < 4.0:
            raise Infeasible("SoC too high to jump")
        m.soc[i:] = np.minimum(m.soc[i:] + np.floor(jump), 100.0)
        return Window(float(m.t[i - 1]), float(m.t[i]))
    raise ValueError(category)


def gap_plan(sev: str, interval_s: float, duration_s: float, rng: np.random.Generator) -> tuple[str, float]:
    """Choose the DATA_GAP flavour and, for gaps, its length in seconds."""
    kind = rng.choice(["gap", "gap", "gap", "duplicates", "out_of_order"])
    if kind != "gap":
        return str(kind), 0.0
    ln = max(4.0 * interval_s, 600.0) * _pick(rng, 1.0, 8.0, sev)
    if ln > 0.6 * duration_s:
        raise Infeasible("session too short for a gap")
    return "gap", ln


def inject_gap(kind: str, length_s: float, m: Measured, rng: np.random.Generator) -> tuple[Measured, Window]:
    """Drop readings for a stretch, duplicate some, or deliver some out of order."""
    n = len(m.t)
    if kind == "gap":
        a = float(rng.uniform(m.t[1], m.t[-1] - length_s - 1.0))
        keep = (m.t <= a) | (m.t >= a + length_s)
        keep[0] = keep[-1] = True
        idx = np.flatnonzero(keep)
        if n - len(idx) < 2:
            raise Infeasible("gap removed nothing")
        before = float(m.t[idx[np.searchsorted(m.t[idx], a, side="right") - 1]])
        after = float(m.t[idx[np.searchsorted(m.t[idx], a + length_s)]])
        sub = Measured(
            t=m.t[idx],
            energy=m.energy[idx],
            power=m.power[idx],
            soc=m.soc[idx],
            current=m.current[idx],
            voltage=m.voltage[idx],
            order=np.arange(len(idx)),
            duplicates=[],
        )
        return sub, Window(before, after)
    i0, i1 = _window_idx(rng, n, 2, min(8, max(2, n // 4)), 1, n - 1)
    if kind == "duplicates":
        m.duplicates = list(range(i0, i1 + 1))
    else:
        seg = m.order[i0 : i1 + 1].copy()
        m.order[i0 : i1 + 1] = seg[::-1]  # delivered in reverse
    return m, Window(float(m.t[i0]), float(m.t[i1]))
