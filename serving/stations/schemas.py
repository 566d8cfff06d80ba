"""Response structs for the station endpoints, named and nested exactly as the contract."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from serving.pagination import Pagination


class StationSummary(msgspec.Struct, rename="camel", kw_only=True):
    """One row of List Stations."""

    id: str
    ocpp_charging_station_id: str
    charging_station_id: str
    total_anomalies: int
    ai_score: float | None = None
    last_anomaly_date: datetime | None = None


class ListStationsResponse(msgspec.Struct, rename="camel"):
    """A page of stations."""

    content: list[StationSummary]
    pagination: Pagination


class StationIdLookupResponse(msgspec.Struct, rename="camel"):
    """Distinct station ids."""

    items: list[str]


class ConnectorStats(msgspec.Struct, rename="camel", kw_only=True):
    """Session counts of one connector."""

    connector_id: str
    total_sessions: int
    anomalous_sessions: int


class StationDetail(msgspec.Struct, rename="camel", kw_only=True):
    """One station with connectors, anomaly statistics and metadata."""

    charging_station_id: str
    connectors: list[ConnectorStats]
    total_sessions: int
    anomalous_sessions: int
    metadata: dict[str, Any] | None = None


class StationInferenceRecord(msgspec.Struct, rename="camel", kw_only=True):
    """One SHADE result in a station's history."""

    inference_id: str
    is_anomaly: bool
    anomaly_score: float
    detection_details: dict[str, Any]
    analyzed_at: datetime


class ListStationAnomaliesResponse(msgspec.Struct, rename="camel"):
    """A page of SHADE results."""

    content: list[StationInferenceRecord]
    pagination: Pagination


class ConnectorAnomalyBreakdown(msgspec.Struct, rename="camel", kw_only=True):
    """Connector counts plus anomalous sessions per category."""

    connector_id: str
    total_sessions: int
    anomalous_sessions: int
    anomaly_categories: dict[str, int]


class StationConnectorsResponse(msgspec.Struct, rename="camel", kw_only=True):
    """The station's connectors with their category breakdown."""

    charging_station_id: str
    connectors: list[ConnectorAnomalyBreakdown]


class EnergyPoint(msgspec.Struct, rename="camel"):
    """Energy (kWh) in the interval starting at `timestamp`."""

    timestamp: datetime
    energy: float


class ConnectorEnergyTimeline(msgspec.Struct, rename="camel", kw_only=True):
    """One connector's timeline."""

    connector_id: str
    energy: list[EnergyPoint]


class StationEnergyResponse(msgspec.Struct, rename="camel", kw_only=True):
    """Energy timelines of a station and the instants SHADE flagged."""

    charging_station_id: str
    energy_delivered: float
    energy_consumption_station: list[EnergyPoint]
    energy_consumption_connectors: list[ConnectorEnergyTimeline]
    anomaly_occurrences: list[datetime]


class StationInference(msgspec.Struct, rename="camel", kw_only=True):
    """The latest SHADE result."""

    charging_station_id: str
    is_anomaly: bool
    anomaly_score: float
    detection_details: dict[str, Any]
    analyzed_at: datetime


class CumulativeEnergyPoint(msgspec.Struct, rename="camel"):
    """Energy accumulated since the start of the station-day."""

    timestamp: datetime
    cumulative_kwh: float


class ShadeAnomalyMarker(msgspec.Struct, rename="camel", kw_only=True):
    """Start of an anomalous stretch of the station-day."""

    start_minute: int
    timestamp: datetime
    score: float


class ShadeOverview(msgspec.Struct, rename="camel", kw_only=True):
    """SHADE overview of the latest scored station-day."""

    charging_station_id: str
    day_score: float
    is_anomaly: bool
    energy_timeline: list[CumulativeEnergyPoint]
    anomaly_markers: list[ShadeAnomalyMarker]
    analyzed_at: datetime
