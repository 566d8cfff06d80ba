"""A meter reading as evwatch stores and analyses it: validated, in canonical units, UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from evwatch.domain.ocpp import Location, Phase


@dataclass(frozen=True, slots=True)
class StoredReading:
    """A normalised reading (energy kWh, power kW, SoC %), timestamp in UTC."""

    timestamp: datetime
    measurand: str
    unit: str | None
    value: float
    phase: Phase | None = None
    location: Location | None = None
    reconstructed: bool = False
