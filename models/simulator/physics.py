"""True (unmeasured) power/energy/SoC trajectory of one session on a fine time grid."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.simulator.chargers import Charger
from models.simulator.vehicles import Vehicle, acceptance_kw


@dataclass(slots=True)
class Plan:
    """What happens physically: SoC goal, dwell, smart-charging limits and physical faults."""

    duration_s: float
    start_soc: float
    target_soc: float
    start_delay_s: float = 0.0
    setpoints: list[tuple[float, float]] = field(default_factory=list)  # (from_s, limit_kw)
    pauses: list[tuple[float, float]] = field(default_factory=list)  # power forced to 0
    derates: list[tuple[float, float, float]] = field(default_factory=list)  # (from, to, factor)
    zero_energy: bool = False
    trickle_kw: float = 0.0  # zero-energy sessions may show a tiny trickle


@dataclass(frozen=True, slots=True)
class Trajectory:
    """Fine-grid truth: seconds since start, metered power kW, metered energy kWh, SoC %."""

    t: np.ndarray
    power: np.ndarray
    energy: np.ndarray
    soc: np.ndarray
    full_at_s: float | None


def peak_power_kw(vehicle: Vehicle, charger: Charger) -> float:
    """The most this car can draw at this charger (before any taper)."""
    return min(charger.max_power_kw, vehicle.max_dc_kw if charger.is_dc else vehicle.max_ac_kw)


def _limited_power_kw(power_kw: float, ti: float, setpoints: list[tuple[float, float]], plan: Plan) -> float:
    """Apply smart-charging setpoints, derating and pauses in force at time ti to the accepted power."""
    for t_from, limit_kw in setpoints:
        if ti >= t_from:
            power_kw = min(power_kw, limit_kw)
    for a, b, f in plan.derates:
        if a <= ti < b:
            # thermal derating ramps in over ~2 minutes rather than stepping
            ramp = min(1.0, (ti - a) / 120.0)
            power_kw *= 1.0 - (1.0 - f) * ramp
    for a, b in plan.pauses:
        if a <= ti < b:
            power_kw = 0.0
    return power_kw


def simulate_trajectory(vehicle: Vehicle, charger: Charger, plan: Plan, rng: np.random.Generator) -> Trajectory:
    """Integrate the CC-CV charge with limits, pauses and derating on a 10-20 s grid."""
    dt = 10.0 if plan.duration_s < 4 * 3600 else 20.0
    n = int(np.ceil(plan.duration_s / dt)) + 1
    t = np.arange(n) * dt
    power = np.zeros(n)
    energy = np.zeros(n)
    soc = np.zeros(n)
    dc = charger.is_dc
    cap = charger.max_power_kw if dc else min(charger.max_power_kw, vehicle.max_ac_kw)
    s = plan.start_soc
    e = 0.0
    full_at: float | None = None
    ripple = 0.0
    sp = sorted(plan.setpoints)
    for i in range(n):
        ti = t[i]
        p = 0.0
        if not plan.zero_energy and ti >= plan.start_delay_s and s < plan.target_soc:
            p = _limited_power_kw(min(cap, acceptance_kw(vehicle, s, dc)), ti, sp, plan)
            ripple = 0.9 * ripple + 0.1 * rng.normal(0.0, 0.01)
            p *= 1.0 + ripple
        elif plan.zero_energy:
            p = plan.trickle_kw
        if s >= plan.target_soc and full_at is None:
            full_at = float(ti)
        power[i] = max(p, 0.0)
        energy[i] = e
        soc[i] = s
        e += power[i] * dt / 3600.0
        if not plan.zero_energy:
            s = min(100.0, s + power[i] * dt / 3600.0 * vehicle.efficiency / vehicle.capacity_kwh * 100.0)
    return Trajectory(t=t, power=power, energy=energy, soc=soc, full_at_s=full_at)
