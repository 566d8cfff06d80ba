"""Response structs for the session endpoints, named and nested exactly as the contract."""

from __future__ import annotations

from datetime import datetime

import msgspec

from evwatch.contracts.meter_values import MeterValue
from serving.pagination import Pagination


class BucketRange(msgspec.Struct, rename="camel"):
    """Span of an anomaly in analysis units."""

    start_unit: int
    end_unit: int


class TimeRange(msgspec.Struct, rename="camel"):
    """Span of an anomaly in time."""

    start_timestamp: datetime | None = None
    end_timestamp: datetime | None = None


class AnomalyCategoryResult(msgspec.Struct, rename="camel", omit_defaults=True):
    """One anomaly category found by CSAR-2."""

    category: str
    score: float
    confidence: float
    bucket_range: BucketRange | None = None
    time_range: TimeRange | None = None


class SessionAnalysis(msgspec.Struct, rename="camel", omit_defaults=True, kw_only=True):
    """A session and its latest analysis; analysis fields are omitted until inference ran."""

    session_id: str
    status: str
    is_anomaly: bool | None = None
    anomaly_score: float | None = None
    anomaly_confidence: float | None = None
    is_incident: bool | None = None
    is_recurring: bool | None = None
    anomalies: list[AnomalyCategoryResult] | None = None
    analyzed_at: datetime | None = None
    soc_reconstructed: bool | None = None
    message: str | None = None
    created_at: datetime | None = None


class SessionDetail(SessionAnalysis, kw_only=True):
    """Get Session Detail: the analysis plus required createdAt and meterValues."""

    created_at: datetime
    meter_values: list[MeterValue]


class SessionSummary(msgspec.Struct, rename="camel"):
    """One row of List Sessions; inference fields are null while never analysed."""

    session_id: str
    charging_station_id: str
    is_anomaly: bool | None
    anomaly_score: float | None
    anomaly_count: int | None
    status: str
    created_at: datetime
    last_analyzed_at: datetime | None


class ListSessionsResponse(msgspec.Struct, rename="camel"):
    """A page of sessions."""

    content: list[SessionSummary]
    pagination: Pagination
