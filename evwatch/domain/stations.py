"""Station records as stored and read back (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ConnectorInfo:
    """One connector as described by station metadata."""

    connector_id: str
    max_power_kw: float | None = None
    current_type: str | None = None


@dataclass(frozen=True, slots=True)
class StationRecord:
    """A row of `charging_stations` (FINAL)."""

    tenant_id: str
    charging_station_id: str
    id: str
    ocpp_charging_station_id: str
    time_zone: str = "UTC"
    address: str | None = None
    operator: str | None = None
    tariff_per_kwh: float | None = None
    currency: str | None = None
    connectors: tuple[ConnectorInfo, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    has_metadata: bool = False
    first_seen_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StationAggregate:
    """A row of `charging_stations_aggregated_mv`."""

    charging_station_id: str
    id: str
    ocpp_charging_station_id: str
    total_sessions: int
    anomalous_sessions: int
    total_anomalies: int
    ai_score: float | None
    last_anomaly_date: datetime | None


@dataclass(frozen=True, slots=True)
class ConnectorAggregate:
    """A row of `station_connectors_aggregated_mv`."""

    connector_id: str
    total_sessions: int
    anomalous_sessions: int
    anomaly_categories: dict[str, int]


@dataclass(frozen=True, slots=True)
class StationInferenceRow:
    """One SHADE result for a station-day (`station_inferences`)."""

    tenant_id: str
    charging_station_id: str
    inference_id: str
    day_start: datetime
    local_date: date
    time_zone: str
    analyzed_at: datetime
    day_score: float
    is_anomaly: bool
    is_partial: bool
    minutes_observed: int
    anomaly_type: str | None
    anomaly_at: datetime | None
    expected_energy_kwh: float
    actual_energy_kwh: float
    marker_start_minutes: tuple[int, ...]
    marker_end_minutes: tuple[int, ...]
    marker_scores: tuple[float, ...]
    detection_details: dict[str, Any]
    model_version: str


@dataclass(frozen=True, slots=True)
class MinuteEnergyRow:
    """Energy of one connector in one UTC minute (`station_minute_energy`)."""

    tenant_id: str
    charging_station_id: str
    connector_id: str
    minute: datetime
    energy_kwh: float
    session_active: bool


@dataclass(frozen=True, slots=True)
class StatusRow:
    """One connector status change (`station_availability`)."""

    tenant_id: str
    charging_station_id: str
    connector_id: str
    timestamp: datetime
    status: str
    error_code: str
    info: str | None
    source_key: str
