"""Anomaly families: how each category enters a simulated session.

Physical faults are planned into what the car draws and labelled where they were planned; meter faults
corrupt the readings; PHANTOM_ENERGY does both (a zero-power stretch, then a creeping register);
DATA_GAP changes which readings arrive. The session builder calls the same hooks for every family.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.simulator.anomalies import (
    MEASURED_INJECTORS,
    Infeasible,
    Window,
    creep_register,
    gap_plan,
    inject_gap,
    inject_measured,
    plan_physical,
)
from models.simulator.physics import Plan, Trajectory
from models.simulator.sampling import Measured


@dataclass(frozen=True, slots=True)
class MeteredSession:
    """What a family may corrupt, and what it may look at while doing so."""

    measured: Measured
    trajectory: Trajectory
    max_power_kw: float
    interval_s: float
    duration_s: float
    planned: Window | None  # the physical fault's span, if the family planned one


class AnomalyFamily:
    """Hooks of one family at the points of the session build; the defaults are a session without a fault."""

    allows_radio_loss: bool = True

    def cap_interval(self, interval_s: float) -> float:
        """The nominal reading interval this family can be seen at."""
        return interval_s

    def plan(
        self, rng: np.random.Generator, severity: str, plan: Plan, trajectory: Trajectory, interval_s: float
    ) -> Window | None:
        """Change the plan for a physical fault and return its span; None when nothing physical happens."""
        return None

    def inject(
        self, rng: np.random.Generator, severity: str, metered: MeteredSession
    ) -> tuple[Measured, Window | None]:
        """The readings as delivered and the labelled span; no span when there is no fault."""
        return metered.measured, None


NO_ANOMALY = AnomalyFamily()


class MeterFault(AnomalyFamily):
    """The car charges normally; the meter or the reporting corrupts the readings."""

    def __init__(self, category: str) -> None:
        self.category = category

    def inject(self, rng: np.random.Generator, severity: str, metered: MeteredSession) -> tuple[Measured, Window]:
        window = inject_measured(
            self.category, severity, metered.measured, metered.trajectory, metered.max_power_kw, rng
        )
        return metered.measured, window


class PhysicalFault(AnomalyFamily):
    """Something happens to the charge itself; the label is where it was planned."""

    def __init__(self, category: str) -> None:
        self.category = category

    def plan(
        self, rng: np.random.Generator, severity: str, plan: Plan, trajectory: Trajectory, interval_s: float
    ) -> Window:
        return plan_physical(self.category, severity, plan, trajectory, interval_s, rng)

    def inject(self, rng: np.random.Generator, severity: str, metered: MeteredSession) -> tuple[Measured, Window]:
        window = _planned(metered)
        _check_visible(metered.measured, window)
        return metered.measured, window


class PhantomEnergy(PhysicalFault):
    """A planned zero-power stretch in which the register then counts up."""

    def __init__(self) -> None:
        super().__init__("PHANTOM_ENERGY")

    def inject(self, rng: np.random.Generator, severity: str, metered: MeteredSession) -> tuple[Measured, Window]:
        # the creep checks its own sampling; the zero-power stretch alone is not the fault
        return metered.measured, creep_register(severity, metered.measured, _planned(metered), rng)


class DataGap(AnomalyFamily):
    """No readings arrive for a stretch (of any measurand)."""

    # ordinary radio loss would add unlabelled holes next to the labelled one
    allows_radio_loss = False

    def inject(self, rng: np.random.Generator, severity: str, metered: MeteredSession) -> tuple[Measured, Window]:
        kind, length_s = gap_plan(severity, metered.interval_s, metered.duration_s, rng)
        return inject_gap(kind, length_s, metered.measured, rng)


def _planned(metered: MeteredSession) -> Window:
    """The span the family planned; a physical family always plans one before it injects."""
    assert metered.planned is not None
    return metered.planned


def _check_visible(measured: Measured, window: Window) -> None:
    """A physical fault must be covered by at least two readings to be a fair label."""
    inside = ((measured.t >= window.start_s) & (measured.t <= window.end_s)).sum()
    if inside < 2:
        raise Infeasible("fault not sampled")


ANOMALY_FAMILIES: dict[str, AnomalyFamily] = {
    **{category: MeterFault(category) for category in MEASURED_INJECTORS},
    **{category: PhysicalFault(category) for category in ("CHARGING_INTERRUPTION", "POWER_DERATING", "ZERO_ENERGY")},
    "PHANTOM_ENERGY": PhantomEnergy(),
    "DATA_GAP": DataGap(),
}


def family_for(category: str | None) -> AnomalyFamily:
    """The family that injects this category; no anomaly for None."""
    return NO_ANOMALY if category is None else ANOMALY_FAMILIES[category]
