"""Pure data types shared by preprocessing, the network, post-processing and callers."""

from __future__ import annotations

from dataclasses import dataclass

MODEL_NAME = "csar2"  # Triton model name


@dataclass(frozen=True, slots=True)
class Reading:
    """One normalised meter value (energy kWh, power kW, SoC %, current A, voltage V)."""

    ts: float
    measurand: str
    value: float
    phase: str | None = None
    reconstructed: bool = False
    location: str | None = None  # OCPP location; None means the default, Outlet


@dataclass(frozen=True, slots=True)
class SessionContext:
    """Optional session metadata the model uses when present."""

    max_power_kw: float | None = None
    charging_profile_limit_kw: float | None = None
    battery_capacity_kwh: float | None = None
    target_soc: float | None = None
    current_type: str | None = None  # "AC" / "DC"


@dataclass(frozen=True, slots=True)
class Finding:
    """One contiguous run of units classified as one category."""

    category: str
    start_unit: int
    end_unit: int  # inclusive
    start_ts: float
    end_ts: float
    score: float
    confidence: float


@dataclass(frozen=True, slots=True)
class Csar2Result:
    """Session-level CSAR-2 answer."""

    anomaly_score: float
    is_anomaly: bool
    anomaly_confidence: float
    findings: tuple[Finding, ...]
    soc_reconstructed: bool
    reconstructed_soc: tuple[tuple[float, float], ...]
    unit_seconds: float
    model_version: str
    # layer 1's calibrated reconstruction score: how unlike familiar telemetry the session looks.
    # Recorded, never a finding by itself.
    unfamiliar_score: float = 0.0
