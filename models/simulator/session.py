"""One simulated charging session: vehicle + charger + plan -> trajectory -> readings + labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evwatch.domain.categories import CATEGORIES
from evwatch.domain.ocpp import CURRENT, ENERGY, POWER, SOC, VOLTAGE
from models.csar2.context import context_from_metadata
from models.csar2.schema import Reading, SessionContext
from models.simulator.anomalies import (
    NEEDS_POWER,
    NEEDS_SOC,
    PHYSICAL,
    SEVERITIES,
    Infeasible,
    Window,
    gap_plan,
    inject_gap,
    inject_measured,
    plan_physical,
)
from models.simulator.chargers import Charger, sample_charger
from models.simulator.physics import Plan, Trajectory, simulate_trajectory
from models.simulator.raw import normalise, raw_value
from models.simulator.sampling import (
    Measured,
    drop_isolated,
    drop_measurand_values,
    measure,
    sample_interval,
    sample_times,
)
from models.simulator.vehicles import Vehicle, sample_vehicle

# legitimate behaviour that naive rules misflag
HARD_NEGATIVES: tuple[str, ...] = (
    "idle_tail",
    "smart_charging",
    "cv_taper",
    "low_power_vehicle",
    "coarse_sampling",
    "quantised_register",
    "large_register_offset",
    "start_delay",
    "short_topup",
    "power_overshoot",
    "brief_dip",
)


@dataclass(frozen=True, slots=True)
class Profile:
    """Distribution knobs; evaluation uses a shifted profile so it is not the training distribution."""

    common_interval_share: float = 0.6
    max_jitter: float = 0.25
    capacity_range: tuple[float, float] = (20.0, 120.0)


PROFILES = {
    "default": Profile(),
    # held-out draws: mostly irregular intervals, stronger jitter, packs at the extremes too
    "holdout": Profile(common_interval_share=0.25, max_jitter=0.35, capacity_range=(18.0, 125.0)),
}


@dataclass(frozen=True, slots=True)
class Label:
    """Ground truth: category, epoch time range and severity."""

    category: str
    start_ts: float
    end_ts: float
    severity: str

    def units(self, t0: float, unit_seconds: float) -> tuple[int, int]:
        """Inclusive unit range on a grid starting at t0."""
        a = int(max(0.0, self.start_ts - t0) // unit_seconds)
        b = int(max(0.0, self.end_ts - t0) // unit_seconds)
        return a, max(a, b)


@dataclass(slots=True)
class SimulatedSession:
    """Readings (normalised, arrival order), raw dicts, metadata and labels of one session."""

    seed: int
    readings: list[Reading]
    raw: list[dict[str, Any]]
    metadata: dict[str, Any]
    labels: list[Label]
    kind: str  # "healthy" | "hard_negative" | "anomalous"
    hard_negative: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def context(self) -> SessionContext:
        """SessionContext built from the known metadata keys."""
        return context_from_metadata(self.metadata)

    @property
    def categories(self) -> set[str]:
        """Set of injected categories."""
        return {lb.category for lb in self.labels}


def _base_plan(rng: np.random.Generator, v: Vehicle, c: Charger) -> Plan:
    start = float(rng.uniform(3.0, 75.0))
    target = float(min(100.0, max(start + 10.0, rng.choice([80.0, 90.0, 100.0, rng.uniform(60.0, 100.0)]))))
    dc = c.current_type == "DC"
    peak = min(c.max_power_kw, v.max_dc_kw if dc else v.max_ac_kw)
    need_kwh = (target - start) / 100.0 * v.capacity_kwh / v.efficiency
    t_full = need_kwh / max(peak * (0.7 if dc else 0.95), 0.5) * 3600.0
    return Plan(duration_s=float(min(14 * 3600.0, t_full * 1.6 + 900.0)), start_soc=start, target_soc=target)


def _finish_plan(rng: np.random.Generator, plan: Plan, traj: Trajectory, force_tail: bool) -> None:
    """Choose when the car leaves: before full, at full, or after an idle tail."""
    full = traj.full_at_s if traj.full_at_s is not None else traj.t[-1]
    r = rng.uniform()
    if force_tail:
        plan.duration_s = full + float(rng.uniform(900.0, 7200.0))
    elif r < 0.35:
        plan.duration_s = max(300.0, full * rng.uniform(0.3, 0.97))
    elif r < 0.7:
        plan.duration_s = full + float(rng.uniform(0.0, 120.0))
    elif r < 0.96:
        plan.duration_s = full + float(rng.exponential(1800.0))
    else:  # parked overnight after full
        plan.duration_s = full + float(rng.uniform(2 * 3600.0, 8 * 3600.0))
    plan.duration_s = float(min(plan.duration_s, 20 * 3600.0))


def simulate_session(
    seed: int,
    category: str | None = None,
    *,
    severity: str | None = None,
    hard_negative: str | None = None,
    start_ts: float | None = None,
    profile: str = "default",
) -> SimulatedSession:
    """Simulate one session deterministically from seed, injecting `category` if given."""
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown category {category}")
    rng = np.random.default_rng(seed)
    for _ in range(200):
        try:
            return _attempt(seed, rng, category, severity, hard_negative, start_ts, PROFILES[profile])
        except Infeasible:
            continue
    raise RuntimeError(f"could not place {category} (seed {seed})")


def _attempt(
    seed: int,
    rng: np.random.Generator,
    category: str | None,
    severity: str | None,
    hn: str | None,
    start_ts: float | None,
    prof: Profile,
) -> SimulatedSession:
    sev = severity or str(rng.choice(SEVERITIES))
    v = sample_vehicle(rng, prof.capacity_range)
    c = sample_charger(rng)
    dc = c.current_type == "DC"
    if hn == "low_power_vehicle":
        c = Charger("AC", 3, 22.0, 230.0)
        v = Vehicle(
            v.capacity_kwh, float(rng.choice([3.7, 7.4])), v.max_dc_kw, v.dc_knee_soc, v.ac_knee_soc, v.efficiency
        )
        dc = False
    if hn == "cv_taper":
        c = Charger("DC", 1, float(rng.choice([150.0, 300.0])), 400.0)
        dc = True
    if hn == "power_overshoot":
        c = Charger(c.current_type, c.phases, min(c.max_power_kw, v.max_dc_kw if dc else v.max_ac_kw), c.voltage)
    plan = _base_plan(rng, v, c)
    if hn == "cv_taper":
        plan.start_soc, plan.target_soc = float(rng.uniform(40, 70)), 100.0
    if hn == "short_topup":
        plan.start_soc = float(rng.uniform(85, 96))
        plan.target_soc = min(100.0, plan.start_soc + float(rng.uniform(2, 6)))
    interval = sample_interval(rng, prof.common_interval_share)
    if hn == "coarse_sampling":
        interval = float(rng.uniform(600.0, 900.0))
    if rng.uniform() < 0.15 or hn == "start_delay":
        plan.start_delay_s = float(rng.uniform(30.0, 240.0 if hn != "start_delay" else 600.0))
    profile_limit: float | None = None
    peak = min(c.max_power_kw, v.max_dc_kw if dc else v.max_ac_kw)
    if hn == "smart_charging" or (category is None and hn is None and rng.uniform() < 0.1):
        profile_limit = float(round(peak * rng.uniform(0.2, 0.7), 1))
        plan.setpoints.append((float(rng.uniform(0.0, 1800.0)), profile_limit))
    traj = simulate_trajectory(v, c, plan, rng)
    _finish_plan(rng, plan, traj, force_tail=hn == "idle_tail")
    if hn == "brief_dip":
        a = float(rng.uniform(60.0, max(61.0, plan.duration_s * 0.7)))
        plan.pauses.append((a, a + float(rng.uniform(10.0, 45.0))))
    traj = simulate_trajectory(v, c, plan, rng)

    has_power = bool(rng.uniform() < 0.85)
    has_soc = bool(rng.uniform() < (0.8 if dc else 0.25))
    if category in NEEDS_POWER or hn in ("power_overshoot", "brief_dip", "idle_tail"):
        has_power = True
    if category in NEEDS_SOC:
        has_soc = True
    if category == "DATA_GAP":
        interval = min(interval, 300.0)

    win: Window | None = None
    if category in PHYSICAL:
        win = plan_physical(category, sev, plan, traj, interval, rng)
        traj = simulate_trajectory(v, c, plan, rng)
    duration = float(plan.duration_s)
    if duration < 4 * 10.0:
        raise Infeasible("too short")
    times = sample_times(rng, duration, interval, prof.max_jitter)
    quant = float(rng.choice([0.001, 0.001, 0.01, 0.1] if hn != "quantised_register" else [0.1]))
    if hn == "quantised_register":
        interval = max(interval, 10.0)
    offset = 0.0 if rng.uniform() < 0.4 else float(rng.uniform(0.0, 5e4))
    if hn == "large_register_offset":
        offset = float(rng.uniform(1e5, 9e5))
    m = measure(
        rng,
        traj,
        times,
        register_offset=round(offset, 3),
        energy_quant_kwh=quant,
        has_power=has_power,
        has_soc=has_soc,
        has_current=bool(rng.uniform() < 0.3),
        phases=c.phases if not dc else 1,
        voltage=c.voltage,
        soc_decimals=bool(rng.uniform() < 0.3),
    )
    drop_measurand_values(m, rng)
    if hn == "power_overshoot":
        # meters read a few percent above the rating while the car draws the full rating
        near = np.flatnonzero(m.power > 0.95 * c.max_power_kw)
        if len(near) == 0:
            raise Infeasible("never at rating")
        i = rng.choice(near, size=max(1, len(near) // 4), replace=False)
        m.power[i] = np.round(c.max_power_kw * rng.uniform(1.0, 1.05, size=len(i)), 3)
    if category != "DATA_GAP" and rng.uniform() < 0.3:
        m = drop_isolated(m, rng)
    labels_w: list[tuple[str, Window]] = []
    if category is not None:
        if category == "DATA_GAP":
            kind, ln = gap_plan(sev, interval, duration, rng)
            m, w = inject_gap(kind, ln, m, rng)
        else:
            w = (
                inject_measured(category, sev, m, traj, c.max_power_kw, win, rng)
                if category != "ZERO_ENERGY" and (category not in PHYSICAL or category == "PHANTOM_ENERGY")
                else win
            )  # type: ignore[assignment]
        assert w is not None
        labels_w.append((category, w))
        if category in PHYSICAL and category != "PHANTOM_ENERGY":
            _check_visible(m, w)
    if len(m.t) < 3:
        raise Infeasible("too few readings")

    t0 = float(start_ts if start_ts is not None else 1.70e9 + float(rng.integers(0, 80_000_000)))
    if start_ts is None and rng.uniform() < 0.2:
        t0 += round(float(rng.uniform(0.0, 1.0)), 3)  # millisecond timestamps
    e_unit = "Wh" if rng.uniform() < 0.5 else "kWh"
    p_unit = "W" if rng.uniform() < 0.5 else "kW"
    per_phase = (not dc) and c.phases == 3 and rng.uniform() < 0.1
    raw = _raw(m, t0, e_unit, p_unit, per_phase)
    md: dict[str, Any] = {}
    if rng.uniform() < 0.8:
        md["maxPowerKw"] = c.max_power_kw
    if rng.uniform() < 0.4:
        md["batteryCapacityKwh"] = round(v.capacity_kwh, 1)
    if rng.uniform() < 0.9:
        md["currentType"] = c.current_type
    if rng.uniform() < 0.3:
        md["targetSoc"] = round(plan.target_soc, 0)
    if profile_limit is not None and (hn == "smart_charging" or rng.uniform() < 0.7):
        md["chargingProfileLimitKw"] = profile_limit
    labels = [Label(cat, t0 + w.start_s, t0 + w.end_s, sev) for cat, w in labels_w]
    kind = "anomalous" if labels else ("hard_negative" if hn else "healthy")
    info = {
        "interval_s": interval,
        "severity": sev if labels else None,
        "has_power": has_power,
        "has_soc": has_soc,
        "current_type": c.current_type,
        "duration_s": duration,
        "start_ts": t0,
    }
    return SimulatedSession(seed, normalise(raw), raw, md, labels, kind, hn, info)


def _check_visible(m: Measured, w: Window) -> None:
    """A physical fault must be covered by at least two readings to be a fair label."""
    inside = ((m.t >= w.start_s) & (m.t <= w.end_s)).sum()
    if inside < 2:
        raise Infeasible("fault not sampled")


def _raw(m: Measured, t0: float, e_unit: str, p_unit: str, per_phase: bool) -> list[dict[str, Any]]:
    """Raw dicts in arrival order, duplicates re-sent right after the original."""
    out: list[dict[str, Any]] = []
    dup = set(m.duplicates)
    for i in m.order:
        block: list[dict[str, Any]] = []
        ts = t0 + float(m.t[i])
        block.append(raw_value(ts, ENERGY, float(m.energy[i]), e_unit))
        if not np.isnan(m.power[i]):
            if per_phase:
                for ph in ("L1", "L2", "L3"):
                    block.append(raw_value(ts, POWER, float(m.power[i]) / 3.0, p_unit, ph))
            else:
                block.append(raw_value(ts, POWER, float(m.power[i]), p_unit))
        if not np.isnan(m.soc[i]):
            block.append(raw_value(ts, SOC, float(m.soc[i]), "Percent"))
        if not np.isnan(m.current[i]):
            block.append(raw_value(ts, CURRENT, float(m.current[i]), "A"))
            block.append(raw_value(ts, VOLTAGE, float(m.voltage[i]), "V"))
        out.extend(block)
        if int(i) in dup:
            out.extend(dict(b) for b in block)
    return out
