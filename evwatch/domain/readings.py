"""A meter reading as evwatch stores and analyses it: validated, in canonical units, UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
