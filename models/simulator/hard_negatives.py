"""Hard negatives: legitimate charging behaviour that naive rules misflag, as adjustments to an ordinary session.

The session builder calls the hooks of one SessionAdjuster at fixed points of the build. The base class is
the ordinary behaviour; each hard negative overrides only the hooks where it differs. A hook that draws
from the generator does so at exactly that point of the build, which keeps every seed's session stable.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from models.simulator.anomalies import Infeasible
from models.simulator.chargers import Charger
from models.simulator.physics import Plan, peak_power_kw
from models.simulator.sampling import Measured
from models.simulator.vehicles import Vehicle

# legitimate behaviour that naive rules misflag; the order is part of how data set seeds map to sessions
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


class SessionAdjuster:
    """Hooks at the points of the session build where a hard negative acts; the defaults change nothing."""

    # decisions the builder makes itself; a hard negative only forces or bounds them
    forces_idle_tail: bool = False
    forces_smart_charging: bool = False
    forces_start_delay: bool = False
    start_delay_max_s: float = 240.0
    needs_power: bool = False  # the behaviour only shows in reported power
    energy_quanta_kwh: tuple[float, ...] = (0.001, 0.001, 0.01, 0.1)  # register resolution, drawn uniformly

    def adjust_equipment(self, rng: np.random.Generator, vehicle: Vehicle, charger: Charger) -> tuple[Vehicle, Charger]:
        """After the vehicle and charger are drawn."""
        return vehicle, charger

    def adjust_plan(self, rng: np.random.Generator, plan: Plan) -> None:
        """After the base plan (arrival SoC, target, dwell) is drawn."""

    def adjust_interval(self, rng: np.random.Generator, interval_s: float) -> float:
        """After the meter's nominal reading interval is drawn."""
        return interval_s

    def adjust_final_plan(self, rng: np.random.Generator, plan: Plan) -> None:
        """Once the departure time is known, before the trajectory is simulated for the last time."""

    def adjust_recorded_interval(self, interval_s: float) -> float:
        """After the reading times are drawn: only the interval the session records changes."""
        return interval_s

    def adjust_register_offset(self, rng: np.random.Generator, offset_kwh: float) -> float:
        """After the register's lifetime offset is drawn."""
        return offset_kwh

    def adjust_readings(self, rng: np.random.Generator, measured: Measured, charger: Charger) -> None:
        """After the meter is read and some values are dropped, before radio loss and any fault."""


ORDINARY = SessionAdjuster()


class IdleTail(SessionAdjuster):
    """The car stays plugged in well after it is full: a long zero-power tail that is no interruption."""

    forces_idle_tail = True
    needs_power = True


class SmartCharging(SessionAdjuster):
    """An operator charging profile caps the power: a low plateau that is no derating."""

    forces_smart_charging = True


class CvTaper(SessionAdjuster):
    """A fast DC charge from mid SoC to 100 %: the battery's steep taper is no derating."""

    def adjust_equipment(self, rng: np.random.Generator, vehicle: Vehicle, charger: Charger) -> tuple[Vehicle, Charger]:
        return vehicle, Charger("DC", 1, float(rng.choice([150.0, 300.0])), 400.0)

    def adjust_plan(self, rng: np.random.Generator, plan: Plan) -> None:
        plan.start_soc, plan.target_soc = float(rng.uniform(40, 70)), 100.0


class LowPowerVehicle(SessionAdjuster):
    """A car with a small on-board charger at a 22 kW station: a low rate that is the car's own limit."""

    def adjust_equipment(self, rng: np.random.Generator, vehicle: Vehicle, charger: Charger) -> tuple[Vehicle, Charger]:
        return replace(vehicle, max_ac_kw=float(rng.choice([3.7, 7.4]))), Charger("AC", 3, 22.0, 230.0)


class CoarseSampling(SessionAdjuster):
    """Readings every 10-15 minutes: large register steps that are no jumps."""

    def adjust_interval(self, rng: np.random.Generator, interval_s: float) -> float:
        return float(rng.uniform(600.0, 900.0))


class QuantisedRegister(SessionAdjuster):
    """A register that counts in 0.1 kWh steps: flat stretches that are no stalls."""

    energy_quanta_kwh = (0.1,)

    def adjust_recorded_interval(self, interval_s: float) -> float:
        # Kept only so seeds reproduce: it acts after the reading times are drawn, and nominal intervals are
        # already at least 10 s, so in practice it changes nothing.
        return max(interval_s, 10.0)


class LargeRegisterOffset(SessionAdjuster):
    """A lifetime register far from zero: a huge first value that is no jump."""

    def adjust_register_offset(self, rng: np.random.Generator, offset_kwh: float) -> float:
        return float(rng.uniform(1e5, 9e5))


class StartDelay(SessionAdjuster):
    """The car starts drawing up to ten minutes after the session opens: a zero-power start that is no fault."""

    forces_start_delay = True
    start_delay_max_s = 600.0


class ShortTopup(SessionAdjuster):
    """A few percent onto a nearly full battery: a short, tapering session that is no interruption."""

    def adjust_plan(self, rng: np.random.Generator, plan: Plan) -> None:
        plan.start_soc = float(rng.uniform(85, 96))
        plan.target_soc = min(100.0, plan.start_soc + float(rng.uniform(2, 6)))


class PowerOvershoot(SessionAdjuster):
    """The car draws the charger's full rating and the meter reads a few percent above it: no spike."""

    needs_power = True

    def adjust_equipment(self, rng: np.random.Generator, vehicle: Vehicle, charger: Charger) -> tuple[Vehicle, Charger]:
        # rated no higher than the car takes, so the car can actually reach the rating
        return vehicle, replace(charger, max_power_kw=peak_power_kw(vehicle, charger))

    def adjust_readings(self, rng: np.random.Generator, measured: Measured, charger: Charger) -> None:
        at_rating = np.flatnonzero(measured.power > 0.95 * charger.max_power_kw)
        if len(at_rating) == 0:
            raise Infeasible("never at rating")
        chosen = rng.choice(at_rating, size=max(1, len(at_rating) // 4), replace=False)
        measured.power[chosen] = np.round(charger.max_power_kw * rng.uniform(1.0, 1.05, size=len(chosen)), 3)


class BriefDip(SessionAdjuster):
    """Power pauses for under a minute mid-session: a dip that is no interruption."""

    needs_power = True

    def adjust_final_plan(self, rng: np.random.Generator, plan: Plan) -> None:
        start_s = float(rng.uniform(60.0, max(61.0, plan.duration_s * 0.7)))
        plan.pauses.append((start_s, start_s + float(rng.uniform(10.0, 45.0))))


HARD_NEGATIVE_ADJUSTERS: dict[str, SessionAdjuster] = {
    "idle_tail": IdleTail(),
    "smart_charging": SmartCharging(),
    "cv_taper": CvTaper(),
    "low_power_vehicle": LowPowerVehicle(),
    "coarse_sampling": CoarseSampling(),
    "quantised_register": QuantisedRegister(),
    "large_register_offset": LargeRegisterOffset(),
    "start_delay": StartDelay(),
    "short_topup": ShortTopup(),
    "power_overshoot": PowerOvershoot(),
    "brief_dip": BriefDip(),
}


def adjuster_for(hard_negative: str | None) -> SessionAdjuster:
    """The adjuster of a hard negative; ordinary behaviour for none (or, as always, an unknown name)."""
    if hard_negative is None:
        return ORDINARY
    return HARD_NEGATIVE_ADJUSTERS.get(hard_negative, ORDINARY)
