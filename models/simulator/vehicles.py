"""Vehicle batteries and their charge acceptance (constant current / constant voltage taper)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Vehicle:
    """Battery size and the power the car accepts on AC and DC."""

    capacity_kwh: float
    max_ac_kw: float
    max_dc_kw: float
    dc_knee_soc: float  # SoC (%) where the DC taper starts
    ac_knee_soc: float  # SoC (%) where the AC taper starts (on-board chargers taper late)
    efficiency: float  # battery energy / metered energy


def sample_vehicle(rng: np.random.Generator, capacity_range: tuple[float, float] = (20.0, 120.0)) -> Vehicle:
    """Draw a plausible EV (20-120 kWh, 3.7-22 kW AC, 40-300 kW DC)."""
    capacity = float(rng.uniform(*capacity_range))
    max_ac = float(rng.choice([3.7, 7.4, 11.0, 11.0, 22.0]))
    # bigger packs usually take more DC power; spread keeps the relation loose
    max_dc = float(np.clip(capacity * rng.uniform(0.8, 2.6), 40.0, 300.0))
    return Vehicle(
        capacity_kwh=capacity,
        max_ac_kw=max_ac,
        max_dc_kw=max_dc,
        dc_knee_soc=float(rng.uniform(45.0, 80.0)),
        ac_knee_soc=float(rng.uniform(88.0, 97.0)),
        efficiency=float(rng.uniform(0.86, 0.95)),
    )


def acceptance_kw(vehicle: Vehicle, soc: float, dc: bool) -> float:
    """Power the battery accepts at this SoC: flat until the knee, then a CV-like taper."""
    peak = vehicle.max_dc_kw if dc else vehicle.max_ac_kw
    knee = vehicle.dc_knee_soc if dc else vehicle.ac_knee_soc
    if soc >= 100.0:
        return 0.0
    if soc <= knee:
        return peak
    # exponential-ish taper reaching ~5 % of peak at 100 % SoC
    frac = (soc - knee) / max(100.0 - knee, 1e-6)
    return float(peak * max(0.05, (1.0 - frac) ** 1.6))
