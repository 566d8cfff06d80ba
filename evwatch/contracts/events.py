"""Events evwatch announces on `evwatch.events` (webhooks and integrations consume them).

Delivery is at least once: after a crash the pipeline may announce an event again. `eventId` is
derived from what the event is about, so a repeat carries the same id and consumers drop it.
"""

from __future__ import annotations

from evwatch.contracts.fields import AwareDatetime, Camel


class SessionAnalyzed(Camel, frozen=True, kw_only=True, tag="session.analyzed", tag_field="type"):
    """A session was analysed by CSAR-2; `eventId` is the analysis' inference id."""

    event_id: str
    tenant_id: str
    session_id: str
    charging_station_id: str
    is_anomaly: bool
    anomaly_score: float
    categories: list[str]
    analyzed_at: AwareDatetime


class StationAnomalyDetected(Camel, frozen=True, kw_only=True, tag="station.anomaly_detected", tag_field="type"):
    """SHADE found a station-day anomalous (`isPartial` while the day is still open)."""

    event_id: str
    tenant_id: str
    charging_station_id: str
    inference_id: str
    anomaly_type: str | None
    day_score: float
    is_partial: bool
    affected_period: str
    analyzed_at: AwareDatetime


class AnomalyDetected(Camel, frozen=True, kw_only=True, tag="anomaly.detected", tag_field="type"):
    """A session shows a category it did not show before; `eventId` names the anomaly and the analysis."""

    event_id: str
    tenant_id: str
    session_id: str
    anomaly_id: str
    anomaly_type: str
    anomaly_type_id: str
    charging_station_id: str
    connector_id: str
    risk_score: float
    period_start: AwareDatetime
    period_end: AwareDatetime
    detected_at: AwareDatetime


class IncidentCreated(Camel, frozen=True, kw_only=True, tag="incident.created", tag_field="type"):
    """An incident opened an issue (`OPEN`); `eventId` is the issue id. Incidents that attach to an
    issue already open on the connector announce nothing new."""

    event_id: str
    tenant_id: str
    issue_id: str
    session_id: str
    anomaly_type: str
    anomaly_type_id: str
    charging_station_id: str
    connector_id: str
    status: str
    opened_at: AwareDatetime


class WebhookTest(Camel, frozen=True, kw_only=True, tag="webhook.test", tag_field="type"):
    """Test Webhook asked for a delivery; it is queued directly, never announced on the topic."""

    event_id: str
    tenant_id: str
    webhook_id: str
    requested_at: AwareDatetime


class WebhookDisabled(Camel, frozen=True, kw_only=True, tag="webhook.disabled", tag_field="type"):
    """A webhook was disabled after `failureCount` failed attempts in a row; `eventId` names the disabling."""

    event_id: str
    tenant_id: str
    webhook_id: str
    failure_count: int
    disabled_at: AwareDatetime


Event = SessionAnalyzed | StationAnomalyDetected | AnomalyDetected | IncidentCreated
