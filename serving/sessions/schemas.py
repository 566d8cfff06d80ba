"""Response structs for the session endpoints, named and nested exactly as the contract."""

from __future__ import annotations

from datetime import datetime

import msgspec

from evwatch.contracts.meter_values import MeterValueIn
from evwatch.domain.meter_values import to_wire
from evwatch.domain.sessions import AnalysisRecord
from evwatch.session_service import SessionDetailView, SessionView
from evwatch.storage.sessions import SessionListItem
from serving.pagination import Pagination


class BucketRange(msgspec.Struct, rename="camel"):
    """Span of an anomaly in analysis units."""

    start_unit: int
    end_unit: int


class TimeRange(msgspec.Struct, rename="camel"):
    """Span of an anomaly in time."""

    start_timestamp: datetime | None
    end_timestamp: datetime | None


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

    meter_values: list[MeterValueIn]


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


class ListSessionsResponse(msgspec.Struct):
    """A page of sessions."""

    content: list[SessionSummary]
    pagination: Pagination


def _anomalies(analysis: AnalysisRecord) -> list[AnomalyCategoryResult]:
    return [
        AnomalyCategoryResult(
            category=a.category,
            score=a.score,
            confidence=a.confidence,
            bucket_range=BucketRange(a.start_unit, a.end_unit),
            time_range=TimeRange(a.start_ts, a.end_ts),
        )
        for a in analysis.anomalies
    ]


def _analysis_fields(analysis: AnalysisRecord | None) -> dict[str, object]:
    if analysis is None:
        return {}
    return {
        "is_anomaly": analysis.is_anomaly,
        "anomaly_score": analysis.anomaly_score,
        "anomaly_confidence": analysis.anomaly_confidence,
        "is_incident": analysis.is_incident,
        "is_recurring": analysis.is_recurring,
        "anomalies": _anomalies(analysis),
        "analyzed_at": analysis.analyzed_at,
        "soc_reconstructed": analysis.soc_reconstructed,
    }


def session_analysis(view: SessionView) -> SessionAnalysis:
    """The response of POST/PUT/PATCH."""
    return SessionAnalysis(
        session_id=view.session.session_id,
        status=view.session.status,
        message=view.message,
        created_at=view.session.created_at,
        **_analysis_fields(view.analysis),  # type: ignore[arg-type]
    )


def session_summary(item: SessionListItem) -> SessionSummary:
    """A list row."""
    return SessionSummary(
        session_id=item.session.session_id,
        charging_station_id=item.session.charging_station_id,
        is_anomaly=item.is_anomaly,
        anomaly_score=item.anomaly_score,
        anomaly_count=item.anomaly_count,
        status=item.session.status,
        created_at=item.session.created_at,
        last_analyzed_at=item.last_analyzed_at,
    )


def session_detail(view: SessionDetailView) -> SessionDetail:
    """The response of Get Session Detail."""
    return SessionDetail(
        session_id=view.session.session_id,
        status=view.session.status,
        created_at=view.session.created_at,
        meter_values=[to_wire(r) for r in view.readings],
        **_analysis_fields(view.analysis),  # type: ignore[arg-type]
    )
