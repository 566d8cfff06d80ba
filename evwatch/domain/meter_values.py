"""Validated, normalised meter values: what evwatch stores and analyses."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from evwatch.contracts.meter_values import MeterValueIn
from evwatch.domain.errors import FieldProblem, InvalidInput
from evwatch.domain.units import UnitError, normalise


@dataclass(frozen=True, slots=True)
class StoredReading:
    """A normalised reading (energy kWh, power kW, SoC %), timestamp in UTC."""

    timestamp: datetime
    measurand: str
    unit: str | None
    value: float
    phase: str | None = None
    location: str | None = None
    reconstructed: bool = False


def normalise_meter_values(values: Sequence[MeterValueIn], prefix: str = "meterValues") -> list[StoredReading]:
    """Validate every reading and convert units; raises InvalidInput naming each bad field."""
    problems: list[FieldProblem] = []
    out: list[StoredReading] = []
    for i, mv in enumerate(values):
        where = f"{prefix}[{i}]"
        if not math.isfinite(mv.value):
            problems.append(FieldProblem(f"{where}.value", "must be a finite number"))
            continue
        try:
            measurand, unit, value = normalise(mv.measurand, mv.unit, mv.value)
        except UnitError as exc:
            problems.append(FieldProblem(f"{where}.{exc.field}", exc.message))
            continue
        out.append(
            StoredReading(
                timestamp=mv.timestamp.astimezone(UTC),
                measurand=measurand,
                unit=unit,
                value=value,
                phase=mv.phase,
                location=mv.location,
                reconstructed=bool(mv.reconstructed),
            )
        )
    if problems:
        raise InvalidInput(problems)
    return out


def to_wire(reading: StoredReading) -> MeterValueIn:
    """A stored reading as the contract's MeterValue (used in answers and republished messages)."""
    return MeterValueIn(
        timestamp=reading.timestamp,
        value=reading.value,
        measurand=reading.measurand,
        unit=reading.unit,
        phase=reading.phase,
        location=reading.location,
        reconstructed=reading.reconstructed,
    )


def utc_now() -> datetime:
    """Current time, tz-aware UTC, at the millisecond precision ClickHouse stores (one place to read the clock)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)
