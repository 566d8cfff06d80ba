"""Session records and analysis records, as stored and as the API returns them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """A charging session's identity and mutable attributes."""

    tenant_id: str
    session_id: str
    charging_station_id: str
    connector_id: str | None
    evse_id: str | None
    status: str
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AnomalyRecord:
    """One anomaly (a contiguous run of a category) found by an analysis."""

    category: str
    start_unit: int
    end_unit: int
    start_ts: datetime
    end_ts: datetime
    score: float
    confidence: float


@dataclass(frozen=True, slots=True)
class AnalysisRecord:
    """One CSAR-2 analysis of a session, as stored in session_inferences/session_anomalies."""

    tenant_id: str
    session_id: str
    inference_id: str
    charging_station_id: str
    connector_id: str | None
    analyzed_at: datetime
    anomaly_score: float
    is_anomaly: bool
    anomaly_confidence: float
    is_incident: bool
    is_recurring: bool
    soc_reconstructed: bool
    reading_count: int
    unit_seconds: float
    model_version: str
    anomalies: tuple[AnomalyRecord, ...] = ()
    reconstructed_soc: tuple[tuple[datetime, float], ...] = field(default=())


DEFAULT_STATUS = "active"
