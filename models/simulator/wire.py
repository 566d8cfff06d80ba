"""How charging backends put meter values on the wire, as transformations of one session's values.

A station reads its meter; what reaches evwatch depends on the station's and the backend's habits,
none of which says anything about the charge: measurands in separate frames with their own
timestamps, a measurand that is never reported, the register sent as per-interval energy, per-phase
values, `Outlet`/`Inlet` locations, `Transaction.Begin`/`End` readings, identical retransmits,
a buffer flushed out of order, local-time offsets, Wh or kWh. The simulator draws habits for every
session independently of its label; evaluation applies one habit at a time to healthy and real
sessions (`VARIANTS`) to measure what each habit alone does to the findings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import numpy as np

from evwatch.domain.ocpp import CURRENT, ENERGY, INTERVAL_ENERGY, OUTLET, POWER, SOC, VOLTAGE
from evwatch.domain.units import MEASURANDS, convert
from models.csar2.resample import clean
from models.csar2.schema import Reading

BEGIN, END, PERIODIC = "Transaction.Begin", "Transaction.End", "Sample.Periodic"


@dataclass(frozen=True, slots=True)
class Value:
    """One sampled value in canonical units (kWh, kW, %, A, V); `frame` groups what one message carries."""

    ts: float
    measurand: str
    value: float
    frame: int
    phase: str | None = None
    location: str | None = None
    context: str = PERIODIC


Values = list[Value]


def evidence(values: Sequence[Value]) -> frozenset[str]:
    """The kinds of readings a session shows, exactly as CSAR-2's cleaning sees them."""
    return clean(readings_of(values)).evidence


# --- one habit each; all pure and deterministic given their arguments ---


def keep_measurands(values: Values, keep: frozenset[str]) -> Values:
    """Only these measurands are reported (current and voltage go with power)."""
    allowed = set(keep) | ({CURRENT, VOLTAGE} if POWER in keep else set())
    return [v for v in values if v.measurand in allowed]


def energy_as_interval(values: Values) -> Values:
    """The register becomes `Energy.Active.Import.Interval`: energy since the previous sample."""
    out: Values = []
    previous: float | None = None
    for v in sorted(values, key=lambda v: (v.ts, v.frame)):
        if v.measurand != ENERGY:
            out.append(v)
            continue
        delta = 0.0 if previous is None else v.value - previous
        previous = v.value
        out.append(replace(v, measurand=INTERVAL_ENERGY, value=round(delta, 6)))
    return sorted(out, key=lambda v: v.frame)


def split_frames(values: Values, offsets_s: dict[str, float]) -> Values:
    """Each measurand in its own frame, stamped `offsets_s[measurand]` after the register."""
    out = []
    for v in values:
        offset = offsets_s.get(v.measurand, 0.0)
        if offset:
            out.append(replace(v, ts=v.ts + offset, frame=v.frame * 8 + 1 + sorted(offsets_s).index(v.measurand)))
        else:
            out.append(replace(v, frame=v.frame * 8))
    return sorted(out, key=lambda v: (v.frame, v.ts))


def per_phase(values: Values, imbalance: Sequence[float] = (0.34, 0.33, 0.33)) -> Values:
    """Power and current reported per phase (L1, L2, L3) instead of as one total."""
    out: Values = []
    for v in values:
        if v.measurand == POWER:
            out.extend(
                replace(v, value=round(v.value * share, 6), phase=phase)
                for share, phase in zip(imbalance, ("L1", "L2", "L3"), strict=True)
            )
        elif v.measurand == CURRENT:
            out.extend(replace(v, phase=phase) for phase in ("L1", "L2", "L3"))
        else:
            out.append(v)
    return out


def located(values: Values, location: str) -> Values:
    """Every value names where it was measured."""
    return [replace(v, location=location) for v in values]


def with_inlet_register(values: Values, loss: float = 0.03) -> Values:
    """The grid-side (`Inlet`) register beside the car-side (`Outlet`) one: same times, the charger's losses on top."""
    out: Values = []
    first = next((v.value for v in values if v.measurand == ENERGY), 0.0)
    for v in values:
        if v.measurand == ENERGY:
            out.append(replace(v, location=OUTLET))
            out.append(replace(v, location="Inlet", value=round(first + (v.value - first) * (1.0 + loss), 6)))
        else:
            out.append(v)
    return out


def transaction_readings(values: Values, lead_s: float = 2.0) -> Values:
    """The register read at `Transaction.Begin` (just before the first sample) and `Transaction.End` (just after the last)."""
    energy = sorted((v for v in values if v.measurand == ENERGY), key=lambda v: v.ts)
    if not energy:
        return values
    frames = [v.frame for v in values]
    begin = replace(energy[0], ts=energy[0].ts - lead_s, frame=min(frames) - 1, context=BEGIN)
    end = replace(energy[-1], ts=energy[-1].ts + lead_s, frame=max(frames) + 1, context=END)
    return [begin, *values, end]


def retransmit(values: Values, frames: Sequence[int]) -> Values:
    """These frames are sent again, identical, right after the original (a lost acknowledgement)."""
    again = set(frames)
    out: Values = []
    by_frame = _frames(values)
    for frame in sorted(by_frame):
        out.extend(by_frame[frame])
        if frame in again:
            out.extend(by_frame[frame])
    return out


def flush_late(values: Values, first: int, last: int) -> Values:
    """Frames first..last are held in the station's buffer and delivered after all the others."""
    held = [v for v in values if first <= v.frame <= last]
    return [v for v in values if not first <= v.frame <= last] + held


def _frames(values: Values) -> dict[int, Values]:
    by_frame: dict[int, Values] = {}
    for v in values:
        by_frame.setdefault(v.frame, []).append(v)
    return by_frame


# --- rendering: the backend's units and clock ---


@dataclass(frozen=True, slots=True)
class Rendering:
    """Units and UTC offset a backend writes its values in."""

    energy_unit: str = "kWh"
    power_unit: str = "kW"
    utc_offset_minutes: int = 0


def rfc3339(ts: float, utc_offset_minutes: int = 0) -> str:
    """Epoch seconds as RFC 3339 in the given offset (Z for UTC), with milliseconds when it has them."""
    stamp = datetime.fromtimestamp(ts, UTC).astimezone(timezone(timedelta(minutes=utc_offset_minutes)))
    spec = "milliseconds" if abs(ts - round(ts)) > 1e-6 else "seconds"
    return stamp.isoformat(timespec=spec).replace("+00:00", "Z")


def render(values: Sequence[Value], rendering: Rendering = Rendering()) -> list[dict[str, Any]]:
    """OCPP-style meter value dicts, in delivery order."""
    units = {ENERGY: rendering.energy_unit, INTERVAL_ENERGY: rendering.energy_unit, POWER: rendering.power_unit}
    out = []
    for v in values:
        family = MEASURANDS[v.measurand]
        unit = units.get(v.measurand, family.canonical or "")
        raw: dict[str, Any] = {
            "timestamp": rfc3339(v.ts, rendering.utc_offset_minutes),
            "value": round(v.value / family.factors[unit], 6),
            "measurand": v.measurand,
            "unit": unit,
        }
        if v.phase is not None:
            raw["phase"] = v.phase
        if v.location is not None:
            raw["location"] = v.location
        if v.context != PERIODIC:
            raw["context"] = v.context
        out.append(raw)
    return out


def normalise(raw: Sequence[dict[str, Any]]) -> list[Reading]:
    """Raw dicts -> the model's Readings: units to canonical as evwatch's edge converts them, time to epoch.

    The edge's plausibility bounds are not applied: severe simulated spikes exceed them on purpose.
    """
    out = []
    for r in raw:
        ts = datetime.fromisoformat(str(r["timestamp"]).replace("Z", "+00:00")).timestamp()
        measurand, _, value = convert(str(r["measurand"]), str(r["unit"]), float(r["value"]))
        out.append(Reading(ts, measurand, value, r.get("phase"), location=r.get("location")))
    return out


# --- habits drawn for a simulated session, independently of its label ---


@dataclass(frozen=True, slots=True)
class Habits:
    """The wire habits of one session's station and backend."""

    keep: frozenset[str]
    interval_energy: bool
    offsets_s: dict[str, float]
    phases: bool
    location: str | None
    inlet: bool
    transaction: bool
    retransmit_share: float
    late_run: bool
    rendering: Rendering


def draw_habits(rng: np.random.Generator, *, reports: frozenset[str], three_phase: bool) -> Habits:
    """Habits of a backend; `reports` are the measurands the station reads at all."""
    keep = set(reports)
    if rng.uniform() < 0.08 and keep - {ENERGY} & {POWER, SOC}:
        keep.discard(ENERGY)  # some stations never send the register in MeterValues
    offsets = {}
    if rng.uniform() < 0.35:
        scale = float(rng.choice([3.0, 15.0, 60.0, 180.0]))
        offsets = {m: float(round(rng.uniform(0.3, 1.0) * scale, 1)) for m in (POWER, SOC) if m in keep}
    location = str(rng.choice([OUTLET, "Inlet"])) if rng.uniform() < 0.4 else None
    return Habits(
        keep=frozenset(keep),
        interval_energy=bool(rng.uniform() < 0.05),
        offsets_s=offsets,
        phases=three_phase and bool(rng.uniform() < 0.15),
        location=location,
        inlet=bool(rng.uniform() < 0.05),
        transaction=bool(rng.uniform() < 0.3),
        retransmit_share=float(rng.uniform(0.01, 0.08)) if rng.uniform() < 0.15 else 0.0,
        late_run=bool(rng.uniform() < 0.1),
        rendering=Rendering(
            energy_unit="Wh" if rng.uniform() < 0.5 else "kWh",
            power_unit="W" if rng.uniform() < 0.5 else "kW",
            utc_offset_minutes=int(rng.choice([0, 0, 0, 0, 60, 120, -300, 330, 540])),
        ),
    )


def apply_habits(values: Values, habits: Habits, rng: np.random.Generator) -> Values:
    """The values as this backend delivers them (still canonical units; `render` writes the units)."""
    out = keep_measurands(values, habits.keep | {CURRENT, VOLTAGE})
    if habits.transaction:
        out = transaction_readings(out)
    if habits.inlet:
        out = with_inlet_register(out)
    elif habits.location is not None:
        out = located(out, habits.location)
    if habits.interval_energy:
        out = energy_as_interval(out)
    if habits.phases:
        out = per_phase(out)
    if habits.offsets_s:
        out = split_frames(out, habits.offsets_s)
    frames = sorted({v.frame for v in out})
    if habits.retransmit_share > 0 and len(frames) > 4:
        k = max(1, int(len(frames) * habits.retransmit_share))
        out = retransmit(out, [int(f) for f in rng.choice(frames, size=k, replace=False)])
    if habits.late_run and len(frames) > 8:
        first = int(rng.integers(1, len(frames) - 4))
        out = flush_late(out, frames[first], frames[min(first + int(rng.integers(1, 6)), len(frames) - 2)])
    return out


# --- one habit at a time, for evaluation rows and counterfactual tests ---

Variant = Callable[[Values], Values]


def _power_after_energy(values: Values) -> Values:
    return split_frames(values, {POWER: 3.0, SOC: 3.0})


VARIANTS: dict[str, Variant] = {
    "one frame per timestamp": lambda values: values,
    "power and SoC 3 s after energy": _power_after_energy,
    "power 2 min after energy": lambda values: split_frames(values, {POWER: 120.0, SOC: 120.0}),
    "power only": lambda values: keep_measurands(values, frozenset({POWER})),
    "energy register only": lambda values: keep_measurands(values, frozenset({ENERGY})),
    "energy as interval values": energy_as_interval,
    "per-phase power": per_phase,
    "Outlet and Inlet registers": with_inlet_register,
    "Transaction.Begin/End readings": transaction_readings,
    "every frame sent twice": lambda values: retransmit(values, sorted({v.frame for v in values})),
}


def values_from_readings(readings: Sequence[Reading]) -> Values:
    """Normalised readings back to one frame per timestamp (for real sessions given as readings)."""
    stamps = sorted({r.ts for r in readings})
    frame_of = {ts: i for i, ts in enumerate(stamps)}
    return [
        Value(r.ts, r.measurand, r.value, frame_of[r.ts], r.phase, r.location)
        for r in sorted(readings, key=lambda r: r.ts)
    ]


def readings_of(values: Sequence[Value], rendering: Rendering = Rendering()) -> list[Reading]:
    """What evwatch's edge makes of these values."""
    return normalise(render(values, rendering))
