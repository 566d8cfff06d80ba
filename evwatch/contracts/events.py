"""Events evwatch announces on `evwatch.events` (webhooks and integrations consume them)."""

from __future__ import annotations

from evwatch.contracts.fields import AwareDatetime, Camel


class SessionAnalyzed(Camel, frozen=True, kw_only=True, tag="session.analyzed", tag_field="type"):
    """A session was analysed by CSAR-2."""

    tenant_id: str
    session_id: str
    charging_station_id: str
    is_anomaly: bool
    anomaly_score: float
    categories: list[str]
    analyzed_at: AwareDatetime


class StationAnomalyDetected(Camel, frozen=True, kw_only=True, tag="station.anomaly_detected", tag_field="type"):
    """SHADE found a station-day anomalous (`isPartial` while the day is still open)."""

    tenant_id: str
    charging_station_id: str
    inference_id: str
    anomaly_type: str | None
    day_score: float
    is_partial: bool
    affected_period: str
    analyzed_at: AwareDatetime


Event = SessionAnalyzed | StationAnomalyDetected
