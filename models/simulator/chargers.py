"""Charging stations: AC single/three phase and DC fast chargers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Charger:
    """Connector type, phases and rating."""

    current_type: str  # "AC" / "DC"
    phases: int
    max_power_kw: float
    voltage: float  # nominal per-phase (AC) or pack-side (DC) voltage

    @property
    def is_dc(self) -> bool:
        """DC fast charger (the car's on-board charger is bypassed)."""
        return self.current_type == "DC"


def sample_charger(rng: np.random.Generator) -> Charger:
    """Draw a connector: AC 1-phase 3.7/7.4 kW, AC 3-phase 11/22 kW, or DC 50-350 kW."""
    r = rng.uniform()
    if r < 0.04:  # household socket / portable charger
        return Charger("AC", 1, 2.3, 230.0)
    if r < 0.2:
        return Charger("AC", 1, float(rng.choice([3.7, 7.4])), 230.0)
    if r < 0.6:
        return Charger("AC", 3, float(rng.choice([11.0, 22.0])), 230.0)
    return Charger("DC", 1, float(rng.choice([50.0, 75.0, 150.0, 150.0, 300.0, 350.0])), float(rng.uniform(350, 800)))
