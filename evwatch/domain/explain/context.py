"""The facts of a session as plain JSON-ready data, named with their units: what an LLM is shown."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from evwatch.domain.explain.facts import ReadingPoint, SessionFacts


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat().replace("+00:00", "Z")


def _point(p: ReadingPoint | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"timestamp": _iso(p.timestamp), "energyKwh": p.energy_kwh, "powerKw": p.power_kw}


def context(facts: SessionFacts) -> dict[str, Any]:
    """The facts as plain JSON-ready data, named with their units, for an LLM."""
    a = facts.analysis
    s = facts.station
    r = facts.revenue
    return {
        "session": {
            "sessionId": facts.session_id,
            "chargingStationId": facts.station_id,
            "connectorId": facts.connector_id,
            "status": facts.status,
            "createdAt": _iso(facts.created_at),
            "meterValueCount": facts.reading_count,
            "firstReadingAt": _iso(facts.first_reading_at),
            "lastReadingAt": _iso(facts.last_reading_at),
            "peakPowerKw": facts.peak_power_kw,
        },
        "analysisState": facts.state,
        "minimumMeterValuesForAnalysis": facts.min_readings,
        "analysis": None
        if a is None
        else {
            "model": "CSAR-2",
            "modelVersion": a.model_version,
            "analyzedAt": _iso(a.analyzed_at),
            "anomalyScore": a.anomaly_score,
            "anomalyConfidence": a.anomaly_confidence,
            "isAnomaly": a.is_anomaly,
            "isIncident": a.is_incident,
            "isRecurring": a.is_recurring,
            "anomalies": [
                {
                    "category": c.category,
                    "score": c.score,
                    "confidence": c.confidence,
                    "start": _iso(c.start),
                    "end": _iso(c.end),
                    "readingsBefore": [_point(p) for p in c.before],
                    "readingsDuring": [_point(p) for p in c.during],
                    "readingsAfter": [_point(p) for p in c.after],
                    "peakPowerKwDuring": c.peak_power_kw,
                    "unbilledKwh": c.lost_kwh,
                }
                for c in a.categories
            ],
        },
        "revenue": {
            "energyDeliveredKwh": r.energy_kwh,
            "tariffPerKwh": r.tariff_per_kwh,
            "currency": r.currency,
            "revenue": r.revenue,
            "billInDoubt": r.billing_relevant,
            "unbilledKwh": r.lost_kwh,
            "unbilledRevenue": r.lost_revenue,
        },
        "station": {
            "chargingStationId": s.station_id,
            "sessionsRecorded": s.total_sessions,
            "anomalousSessions": s.anomalous_sessions,
            "recentShadeDays": [
                {
                    "date": d.local_date.isoformat(),
                    "isAnomaly": d.is_anomaly,
                    "isPartialDay": d.is_partial,
                    "anomalyType": d.anomaly_type,
                    "dayScore": d.day_score,
                    "expectedKwh": d.expected_kwh,
                    "actualKwh": d.actual_kwh,
                }
                for d in s.recent_days
            ],
        },
        "openIssues": [
            {"issueId": i.issue_id, "category": i.category, "status": i.status, "assignedTo": i.assigned_to}
            for i in facts.issues
        ],
    }
