"""One simulated charging session: vehicle + charger + plan -> trajectory -> readings + labels.

simulate_session builds a session in named steps: the charge itself (equipment, plan, reading interval,
start delay, smart-charging limit, trajectory up to departure), the meter (fault planning, reading times,
register, injection) and what the backend sends (timestamps, raw values, metadata, labels). Hard
negatives act through their SessionAdjuster hooks, anomaly categories through their AnomalyFamily.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evwatch.domain.categories import CATEGORIES, ENERGY_EVIDENCE, POWER_EVIDENCE, SOC_EVIDENCE, observable
from evwatch.domain.ocpp import CURRENT, ENERGY, POWER, SOC, VOLTAGE
from models.csar2.context import context_from_metadata
from models.csar2.schema import Reading, SessionContext
from models.simulator import wire
from models.simulator.anomalies import SEVERITIES, Infeasible, Window
from models.simulator.chargers import Charger, sample_charger
from models.simulator.families import AnomalyFamily, MeteredSession, family_for
from models.simulator.hard_negatives import HARD_NEGATIVES, SessionAdjuster, adjuster_for
from models.simulator.physics import Plan, Trajectory, peak_power_kw, simulate_trajectory
from models.simulator.sampling import (
    Measured,
    drop_isolated,
    drop_measurand_values,
    measure,
    sample_interval,
    sample_times,
)
from models.simulator.vehicles import Vehicle, sample_vehicle

__all__ = ["HARD_NEGATIVES", "PROFILES", "Label", "Profile", "SimulatedSession", "simulate_session"]


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
    # the frozen test set's own draws, never used for any choice (models/EVALUATION.md)
    "frozen": Profile(common_interval_share=0.45, max_jitter=0.3, capacity_range=(16.0, 130.0)),
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
        first_unit = int(max(0.0, self.start_ts - t0) // unit_seconds)
        last_unit = int(max(0.0, self.end_ts - t0) // unit_seconds)
        return first_unit, max(first_unit, last_unit)


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
    # the meter's values before the backend's habits (evaluation re-sends them one habit at a time)
    values: list[wire.Value] = field(default_factory=list)

    @property
    def context(self) -> SessionContext:
        """SessionContext built from the known metadata keys."""
        return context_from_metadata(self.metadata)

    @property
    def categories(self) -> set[str]:
        """Set of injected categories."""
        return {label.category for label in self.labels}


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
    if hard_negative is not None and hard_negative not in HARD_NEGATIVES:
        raise ValueError(f"unknown hard negative {hard_negative}")
    request = _Request(seed, category, severity, hard_negative, start_ts, PROFILES[profile])
    rng = np.random.default_rng(seed)
    # a rejected attempt goes on with the same stream, so the retries are part of what a seed means
    for _ in range(200):
        try:
            return _attempt(rng, request)
        except Infeasible:
            continue
    raise RuntimeError(f"could not place {category} (seed {seed})")


# The build below draws from one generator in a fixed order: the data sets are defined by their seeds,
# so every draw (even one whose value ends up unused, and every draw that a condition short-circuits)
# must stay exactly where it is. Hard negatives and anomaly families act only through their hooks.


@dataclass(frozen=True, slots=True)
class _Request:
    """One simulate_session call."""

    seed: int
    category: str | None
    severity: str | None
    hard_negative: str | None
    start_ts: float | None
    profile: Profile

    @property
    def adjuster(self) -> SessionAdjuster:
        """The hooks of the requested hard negative (ordinary behaviour without one)."""
        return adjuster_for(self.hard_negative)

    @property
    def family(self) -> AnomalyFamily:
        """The hooks of the requested category's family (no anomaly without one)."""
        return family_for(self.category)


@dataclass(frozen=True, slots=True)
class _Measurands:
    """Which optional measurands the station reports."""

    power: bool
    soc: bool


@dataclass(slots=True)
class _Charging:
    """What happens at the charger: the car, the station, the plan and the true trajectory it produces."""

    vehicle: Vehicle
    charger: Charger
    plan: Plan
    trajectory: Trajectory
    interval_s: float  # the meter's nominal reading interval
    profile_limit_kw: float | None  # smart-charging cap, if the operator set one


@dataclass(frozen=True, slots=True)
class _Metering:
    """What the backend receives: readings as delivered, the fault's span, and how they were taken."""

    measured: Measured
    window: Window | None
    interval_s: float
    duration_s: float
    measurands: _Measurands


def _attempt(rng: np.random.Generator, request: _Request) -> SimulatedSession:
    """One try at building the session; raises Infeasible when the draws cannot host the request."""
    severity = request.severity or str(rng.choice(SEVERITIES))
    charging = _simulate_charging(rng, request)
    metering = _meter_session(rng, request, severity, charging)
    return _report(rng, request, severity, charging, metering)


# --- the charge itself ---


def _simulate_charging(rng: np.random.Generator, request: _Request) -> _Charging:
    """Car and station, the plan for the session and the true trajectory up to the car's departure."""
    vehicle, charger = _choose_equipment(rng, request)
    plan = _base_plan(rng, vehicle, charger)
    request.adjuster.adjust_plan(rng, plan)
    interval_s = _choose_interval(rng, request)
    _choose_start_delay(rng, plan, request.adjuster)
    profile_limit_kw = _choose_profile_limit(rng, request, plan, peak_power_kw(vehicle, charger), charger.max_power_kw)
    trajectory = _simulate_until_departure(rng, vehicle, charger, plan, request.adjuster)
    return _Charging(vehicle, charger, plan, trajectory, interval_s, profile_limit_kw)


def _choose_equipment(rng: np.random.Generator, request: _Request) -> tuple[Vehicle, Charger]:
    """Draw the car, then the station; a hard negative may replace either."""
    vehicle = sample_vehicle(rng, request.profile.capacity_range)
    charger = sample_charger(rng)
    return request.adjuster.adjust_equipment(rng, vehicle, charger)


def _base_plan(rng: np.random.Generator, vehicle: Vehicle, charger: Charger) -> Plan:
    """Arrival SoC, the driver's target and a dwell long enough to reach it with some slack."""
    start_soc = float(rng.uniform(3.0, 75.0))
    # the list holds a fresh draw, so that uniform is drawn before the choice
    driver_target = rng.choice([80.0, 90.0, 100.0, rng.uniform(60.0, 100.0)])
    target_soc = float(min(100.0, max(start_soc + 10.0, driver_target)))
    needed_kwh = (target_soc - start_soc) / 100.0 * vehicle.capacity_kwh / vehicle.efficiency
    # DC tapers early, so it averages well below its peak; AC holds it almost to the end
    average_kw = peak_power_kw(vehicle, charger) * (0.7 if charger.is_dc else 0.95)
    time_to_target_s = needed_kwh / max(average_kw, 0.5) * 3600.0
    return Plan(
        duration_s=float(min(14 * 3600.0, time_to_target_s * 1.6 + 900.0)), start_soc=start_soc, target_soc=target_soc
    )


def _choose_interval(rng: np.random.Generator, request: _Request) -> float:
    """The meter's nominal reading interval."""
    interval_s = sample_interval(rng, request.profile.common_interval_share)
    return request.adjuster.adjust_interval(rng, interval_s)


def _choose_start_delay(rng: np.random.Generator, plan: Plan, adjuster: SessionAdjuster) -> None:
    """Some cars start drawing power a while after the session opens."""
    occasional = rng.uniform() < 0.15  # drawn even when a hard negative forces the delay
    if occasional or adjuster.forces_start_delay:
        plan.start_delay_s = float(rng.uniform(30.0, adjuster.start_delay_max_s))


def _choose_profile_limit(
    rng: np.random.Generator, request: _Request, plan: Plan, peak_kw: float, rating_kw: float
) -> float | None:
    """Smart charging: an operator profile caps the power from some time early in the session on.

    Any session may have one, whatever its label; some profiles sit at the connector's rating and
    change nothing, as many operators' default profiles do.
    """
    if not (request.adjuster.forces_smart_charging or rng.uniform() < 0.15):
        return None
    if not request.adjuster.forces_smart_charging and rng.uniform() < 0.4:
        return float(rating_kw)
    limit_kw = float(round(peak_kw * rng.uniform(0.2, 0.7), 1))
    plan.setpoints.append((float(rng.uniform(0.0, 1800.0)), limit_kw))
    return limit_kw


def _simulate_until_departure(
    rng: np.random.Generator, vehicle: Vehicle, charger: Charger, plan: Plan, adjuster: SessionAdjuster
) -> Trajectory:
    """Simulate once to learn when the battery is full, choose when the car leaves, then simulate again."""
    first_pass = simulate_trajectory(vehicle, charger, plan, rng)
    _choose_departure(rng, plan, first_pass, force_idle_tail=adjuster.forces_idle_tail)
    adjuster.adjust_final_plan(rng, plan)
    return simulate_trajectory(vehicle, charger, plan, rng)


def _choose_departure(rng: np.random.Generator, plan: Plan, trajectory: Trajectory, force_idle_tail: bool) -> None:
    """Choose when the car leaves: before full, at full, or after an idle tail."""
    full_s = trajectory.full_at_s if trajectory.full_at_s is not None else trajectory.t[-1]
    draw = rng.uniform()  # drawn even when the tail is forced
    if force_idle_tail:
        plan.duration_s = full_s + float(rng.uniform(900.0, 7200.0))
    elif draw < 0.35:  # the driver leaves before the target
        plan.duration_s = max(300.0, full_s * rng.uniform(0.3, 0.97))
    elif draw < 0.7:  # about when it is full
        plan.duration_s = full_s + float(rng.uniform(0.0, 120.0))
    elif draw < 0.95:  # some time after
        plan.duration_s = full_s + float(rng.exponential(1800.0))
    elif draw < 0.985:  # parked overnight after full
        plan.duration_s = full_s + float(rng.uniform(2 * 3600.0, 8 * 3600.0))
    else:  # parked for days (airports, fleets, holidays)
        plan.duration_s = full_s + float(rng.uniform(20 * 3600.0, 72 * 3600.0))
    plan.duration_s = float(min(plan.duration_s, 80 * 3600.0))


# --- the meter ---


def _meter_session(rng: np.random.Generator, request: _Request, severity: str, charging: _Charging) -> _Metering:
    """Plan the fault, read the meter over the session, then inject the fault into what is delivered."""
    measurands = _choose_measurands(rng, request, charging.charger)
    interval_s = request.family.cap_interval(charging.interval_s)
    planned = _plan_fault(rng, request.family, severity, charging, interval_s)
    duration_s = _session_duration(charging.plan)
    times = sample_times(rng, duration_s, interval_s, request.profile.max_jitter)
    interval_s = request.adjuster.adjust_recorded_interval(interval_s)
    measured = _read_meter(rng, request.adjuster, charging, times, measurands)
    measured = _lose_isolated_readings(rng, request.family, measured)
    metered = MeteredSession(
        measured, charging.trajectory, charging.charger.max_power_kw, interval_s, duration_s, planned
    )
    measured, window = request.family.inject(rng, severity, metered)
    _unreported(measured, measurands)
    if len(measured.t) < 3:
        raise Infeasible("too few readings")
    return _Metering(measured, window, interval_s, duration_s, measurands)


def _choose_measurands(rng: np.random.Generator, request: _Request, charger: Charger) -> _Measurands:
    """Whether power and SoC are read at all (the backend's habits may still leave some out)."""
    has_power = bool(rng.uniform() < 0.85)
    # SoC comes from the car, which DC chargers talk to far more often than AC ones
    has_soc = bool(rng.uniform() < (0.8 if charger.is_dc else 0.25))
    # independent of the label: a fault the measurands cannot show is simply not labelled (see _labels)
    return _Measurands(power=has_power, soc=has_soc)


def _unreported(measured: Measured, measurands: _Measurands) -> None:
    """Blank what the station does not report, after the fault: its presence is independent of the label."""
    if not measurands.power:
        measured.power[:] = np.nan
    if not measurands.soc:
        measured.soc[:] = np.nan


def _plan_fault(
    rng: np.random.Generator, family: AnomalyFamily, severity: str, charging: _Charging, interval_s: float
) -> Window | None:
    """A physical fault changes what the car draws, so the trajectory is simulated again with it."""
    planned = family.plan(rng, severity, charging.plan, charging.trajectory, interval_s)
    if planned is not None:
        charging.trajectory = simulate_trajectory(charging.vehicle, charging.charger, charging.plan, rng)
    return planned


def _session_duration(plan: Plan) -> float:
    """The planned duration, if it leaves room for four readings at the shortest interval (10 s)."""
    duration_s = float(plan.duration_s)
    if duration_s < 4 * 10.0:
        raise Infeasible("too short")
    return duration_s


def _read_meter(
    rng: np.random.Generator, adjuster: SessionAdjuster, charging: _Charging, times: np.ndarray, measurands: _Measurands
) -> Measured:
    """The meter's readings at the given times, with its resolution, offset and missing values."""
    energy_quantum_kwh, register_offset_kwh = _choose_register(rng, adjuster)
    charger = charging.charger
    # drawn here, before measure() draws its noise
    has_current = bool(rng.uniform() < 0.3)
    soc_decimals = bool(rng.uniform() < 0.3)
    measured = measure(
        rng,
        charging.trajectory,
        times,
        register_offset=round(register_offset_kwh, 3),
        energy_quant_kwh=energy_quantum_kwh,
        # read everything: a fault happens whether or not the station reports what shows it
        has_power=True,
        has_soc=True,
        has_current=has_current,
        phases=charger.phases if not charger.is_dc else 1,
        voltage=charger.voltage,
        soc_decimals=soc_decimals,
    )
    drop_measurand_values(measured, rng)
    adjuster.adjust_readings(rng, measured, charger)
    return measured


def _choose_register(rng: np.random.Generator, adjuster: SessionAdjuster) -> tuple[float, float]:
    """The register's resolution and the lifetime energy already on it, in kWh."""
    energy_quantum_kwh = float(rng.choice(list(adjuster.energy_quanta_kwh)))
    return energy_quantum_kwh, adjuster.adjust_register_offset(rng, _ordinary_register_offset(rng))


def _ordinary_register_offset(rng: np.random.Generator) -> float:
    """Lifetime energy on the register before this session; a new or reset meter starts at zero."""
    return 0.0 if rng.uniform() < 0.4 else float(rng.uniform(0.0, 5e4))


def _lose_isolated_readings(rng: np.random.Generator, family: AnomalyFamily, measured: Measured) -> Measured:
    """Ordinary radio loss: a few single readings never arrive."""
    if family.allows_radio_loss and rng.uniform() < 0.3:
        return drop_isolated(measured, rng)
    return measured


# --- what the backend sends ---


def _report(
    rng: np.random.Generator, request: _Request, severity: str, charging: _Charging, metering: _Metering
) -> SimulatedSession:
    """What the backend sends (its wire habits), metadata, the labels the data can show, and a summary."""
    start_ts = _session_start_ts(rng, request.start_ts)
    charger = charging.charger
    values = _values(metering.measured, start_ts)
    habits = wire.draw_habits(
        rng,
        reports=frozenset(
            {ENERGY} | ({POWER} if metering.measurands.power else set()) | ({SOC} if metering.measurands.soc else set())
        ),
        three_phase=(not charger.is_dc) and charger.phases == 3,
    )
    delivered = wire.apply_habits(values, habits, rng)
    raw = wire.render(delivered, habits.rendering)
    metadata = _metadata(rng, request.adjuster, charging)
    seen = wire.evidence(delivered)
    labels = [
        label
        for label in _labels(request.category, metering.window, start_ts, severity)
        if observable(label.category, seen)
    ]
    kind = "anomalous" if labels else ("hard_negative" if request.hard_negative else "healthy")
    info = {
        "interval_s": metering.interval_s,
        "severity": severity if labels else None,
        "has_power": POWER_EVIDENCE in seen,
        "has_soc": SOC_EVIDENCE in seen,
        "has_energy": ENERGY_EVIDENCE in seen,
        "unobservable": request.category if request.category and not labels and metering.window else None,
        "habits": habits,
        "current_type": charger.current_type,
        "duration_s": metering.duration_s,
        "start_ts": start_ts,
    }
    return SimulatedSession(
        request.seed, wire.normalise(raw), raw, metadata, labels, kind, request.hard_negative, info, values
    )


def _session_start_ts(rng: np.random.Generator, start_ts: float | None) -> float:
    """Epoch time of the session start: the caller's, or a random time from late 2023 on."""
    if start_ts is not None:
        return float(start_ts)
    session_start_ts = float(1.70e9 + float(rng.integers(0, 80_000_000)))
    if rng.uniform() < 0.2:
        session_start_ts += round(float(rng.uniform(0.0, 1.0)), 3)  # millisecond timestamps
    return session_start_ts


def _metadata(rng: np.random.Generator, adjuster: SessionAdjuster, charging: _Charging) -> dict[str, Any]:
    """Session metadata; each key is sent only by some backends."""
    metadata: dict[str, Any] = {}
    if rng.uniform() < 0.8:
        metadata["maxPowerKw"] = charging.charger.max_power_kw
    if rng.uniform() < 0.4:
        metadata["batteryCapacityKwh"] = round(charging.vehicle.capacity_kwh, 1)
    if rng.uniform() < 0.9:
        metadata["currentType"] = charging.charger.current_type
    if rng.uniform() < 0.3:
        metadata["targetSoc"] = round(charging.plan.target_soc, 0)
    # the smart_charging hard negative always sends its limit, so the cap that explains its power is known
    limit_kw = charging.profile_limit_kw
    if limit_kw is not None and (adjuster.forces_smart_charging or rng.uniform() < 0.7):
        metadata["chargingProfileLimitKw"] = limit_kw
    return metadata


def _labels(category: str | None, window: Window | None, start_ts: float, severity: str) -> list[Label]:
    """The injected fault as an epoch time range; none for a session without one."""
    if category is None or window is None:
        return []
    return [Label(category, start_ts + window.start_s, start_ts + window.end_s, severity)]


def _values(measured: Measured, start_ts: float) -> wire.Values:
    """The meter's values, one frame per reading, in time order (the wire habits reorder and resend)."""
    out: wire.Values = []
    for i in range(len(measured.t)):
        ts = start_ts + float(measured.t[i])
        block = [wire.Value(ts, ENERGY, float(measured.energy[i]), i)]
        for measurand, series in (
            (POWER, measured.power),
            (SOC, measured.soc),
            (CURRENT, measured.current),
            (VOLTAGE, measured.voltage),
        ):
            if not np.isnan(series[i]):
                block.append(wire.Value(ts, measurand, float(series[i]), i))
        out.extend(block)
    return out
