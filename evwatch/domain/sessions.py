"""Session records and analysis records, and the rules about session ids and statuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from evwatch.domain.errors import FieldProblem, InvalidInput

# A session that names no status is running.
DEFAULT_STATUS = "active"
# `/v1/sessions/batch` is a literal path, so a session with this id could never be addressed.
RESERVED_SESSION_ID = "batch"
# CSAR-2 needs at least this many readings to say anything about a session.
MIN_READINGS = 3


def check_session_id(session_id: str) -> None:
    """Refuse ids the API could not address (422 on the API, a dead letter on Kafka)."""
    if session_id == RESERVED_SESSION_ID:
        raise InvalidInput([FieldProblem("sessionId", f"`{session_id}` is reserved and cannot be a sessionId")])


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
    """One CSAR-2 analysis of a session (`session_analyses`): of the readings shown at `base_revision`."""

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
    base_revision: int = 0
    # how unlike familiar telemetry the session looks (CSAR-2 layer 1); recorded, never an alarm
    unfamiliar_score: float = 0.0


@dataclass(frozen=True, slots=True)
class AnalysisFailure:
    """The latest analysis of a session that failed for reasons of its own (not an outage)."""

    failed_at: datetime
    reason: str
    # What it failed on: the readings shown at `base_revision`, `reading_count` of them.
    base_revision: int = 0
    reading_count: int = 0


def failure_applies(failure: AnalysisFailure | None, analysis: AnalysisRecord | None, base_revision: int) -> bool:
    """Whether the readings the session shows (since `base_revision`) failed to analyse, and no analysis
    of them succeeded since."""
    if failure is None or failure.base_revision != base_revision:
        return False
    return analysis is None or analysis.analyzed_at < failure.failed_at


@dataclass(frozen=True, slots=True)
class SessionFilters:
    """Filters of `GET /v1/sessions`; None means "no filter"."""

    charging_station_id: str | None = None
    evse_id: str | None = None
    is_anomaly: bool | None = None
    min_score: float | None = None
    min_confidence: float | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class SessionListItem:
    """One row of the session list with its latest analysis (None fields while never analysed)."""

    session: SessionRecord
    is_anomaly: bool | None
    anomaly_score: float | None
    anomaly_count: int | None
    last_analyzed_at: datetime | None
