"""SHADE's public interface: the station-day input, the history, the result, tensor names and shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from evwatch.domain.categories import STATION_ANOMALY_TYPES

MODEL_NAME = "shade"
MODEL_VERSION = "shade-1.0.0"

MINUTES = 1440
# 15-minute bins keep a day of history per connector at 96 floats.
PROFILE_BINS = 96
MINUTES_PER_BIN = MINUTES // PROFILE_BINS
MAX_CONNECTORS = 8
# Station-days close in bursts at local midnight: Triton merges them into batches of up to this many.
MAX_BATCH_SIZE = 64

# Class 0 is "normal", then the station anomaly types in their fixed order.
N_CLASSES = len(STATION_ANOMALY_TYPES) + 1

STATION_FEATURES = 16
CONNECTOR_FEATURES = 8

# Triton tensor names; shapes are per item (the batch axis is added by Triton / the runtime).
INPUT_STATION = "STATION"
INPUT_CONNECTORS = "CONNECTORS"
OUTPUT_MINUTE_PROBS = "MINUTE_PROBS"
OUTPUT_DAY_SCORE = "DAY_SCORE"
INPUT_SHAPES: dict[str, tuple[int, ...]] = {
    INPUT_STATION: (STATION_FEATURES, MINUTES),
    INPUT_CONNECTORS: (MAX_CONNECTORS, CONNECTOR_FEATURES, MINUTES),
}
OUTPUT_SHAPES: dict[str, tuple[int, ...]] = {
    OUTPUT_MINUTE_PROBS: (N_CLASSES, MINUTES),
    OUTPUT_DAY_SCORE: (1,),
}


@dataclass(frozen=True)
class StationDay:
    """One station-day (or the observed part of it): minute energy and masks per connector.

    Minute 0 is local midnight in `tz`; a DST day is still 1440 minutes (the extra or missing
    hour is folded into the grid by the window logic). Arrays are indexed [connector, minute] in
    the order of `connector_ids`; the station's own meter (connector 0) is `station_meter_kwh`.
    """

    day_start: int
    tz: str
    connector_ids: tuple[str, ...]
    energy_kwh: np.ndarray
    session_active: np.ndarray
    available: np.ndarray
    station_meter_kwh: np.ndarray | None = None
    max_power_kw: tuple[float, ...] | None = None
    minutes_observed: int = MINUTES

    def __post_init__(self) -> None:
        n = len(self.connector_ids)
        for name in ("energy_kwh", "session_active", "available"):
            arr = getattr(self, name)
            if arr.shape != (n, MINUTES):
                msg = f"{name} must have shape ({n}, {MINUTES}), got {arr.shape}"
                raise ValueError(msg)
        if self.station_meter_kwh is not None and self.station_meter_kwh.shape != (MINUTES,):
            msg = f"station_meter_kwh must have shape ({MINUTES},)"
            raise ValueError(msg)
        if self.max_power_kw is not None and len(self.max_power_kw) != n:
            msg = "max_power_kw must have one entry per connector"
            raise ValueError(msg)
        if not 0 < self.minutes_observed <= MINUTES:
            msg = f"minutes_observed must be in 1..{MINUTES}"
            raise ValueError(msg)


@dataclass(frozen=True)
class DayProfile:
    """A compact past day of a station: energy per connector in 15-minute bins."""

    day_start: int
    weekday: int  # 0 = Monday, local time
    connector_ids: tuple[str, ...]
    energy_kwh: np.ndarray  # [C, PROFILE_BINS]
    # The station meter in the same bins, so its usual excess over the connectors (auxiliary load,
    # conversion loss) is known. A class default, so profiles pickled before it existed still load.
    meter_kwh: np.ndarray | None = None  # [PROFILE_BINS]
    # Sessions begun and minutes charging (session active, drawing energy) per connector: the
    # station's usual energy per session and its usual power while charging.
    sessions: np.ndarray | None = None  # [C]
    charging_minutes: np.ndarray | None = None  # [C]

    @property
    def total_kwh(self) -> float:
        """Energy over all connectors that day."""
        return float(self.energy_kwh.sum())


@dataclass(frozen=True)
class History:
    """The station's previous days (oldest first), from which the expected profile is built."""

    days: tuple[DayProfile, ...] = ()


@dataclass(frozen=True)
class ShadeMarker:
    """Start of one anomalous stretch of the day."""

    start_minute: int
    end_minute: int
    score: float


@dataclass(frozen=True)
class ShadeResult:
    """SHADE's verdict on a station-day."""

    day_score: float
    is_anomaly: bool
    markers: tuple[ShadeMarker, ...]
    detection_details: dict[str, Any] = field(default_factory=dict)
    model_version: str = MODEL_VERSION
