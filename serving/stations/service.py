"""Station use cases of the API: the responses of /v1/stations, built from the station store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from evwatch.domain.errors import NotFound
from evwatch.domain.ocpp import STATION_CONNECTOR, connector_sort_key
from evwatch.domain.stations import StationInferenceRow, StationRecord
from evwatch.storage.stations import ClickHouseStationStore
from serving.pagination import Page, Pagination
from serving.stations.schemas import (
    ConnectorAnomalyBreakdown,
    ConnectorEnergyTimeline,
    ConnectorStats,
    CumulativeEnergyPoint,
    EnergyPoint,
    ListStationAnomaliesResponse,
    ListStationsResponse,
    ShadeAnomalyMarker,
    ShadeOverview,
    StationConnectorsResponse,
    StationDetail,
    StationEnergyResponse,
    StationIdLookupResponse,
    StationInference,
    StationInferenceRecord,
    StationSummary,
)

# Get Station Energy: hourly buckets over (at most) the 7 days up to the station's latest data.
ENERGY_BUCKET = timedelta(hours=1)
ENERGY_WINDOW = timedelta(days=7)
# Get Shade Overview: one cumulative point every 15 minutes of the scored station-day.
OVERVIEW_STEP_MINUTES = 15


def station_metadata(station: StationRecord) -> dict[str, Any]:
    """What Get Station Detail shows as `metadata`: the described facts plus free-form extras."""
    meta: dict[str, Any] = dict(station.metadata)
    described = {
        "address": station.address,
        "operator": station.operator,
        "timeZone": station.time_zone,
        "tariffPerKwh": station.tariff_per_kwh,
        "currency": station.currency,
    }
    meta.update({k: v for k, v in described.items() if v is not None})
    if station.connectors:
        meta["connectors"] = [
            {
                k: v
                for k, v in {
                    "connectorId": c.connector_id,
                    "maxPowerKw": c.max_power_kw,
                    "currentType": c.current_type,
                }.items()
                if v is not None
            }
            for c in station.connectors
        ]
    return meta


def _record(row: StationInferenceRow) -> StationInferenceRecord:
    return StationInferenceRecord(
        inference_id=row.inference_id,
        is_anomaly=row.is_anomaly,
        anomaly_score=row.day_score,
        detection_details=row.detection_details,
        analyzed_at=row.analyzed_at,
    )


def marker_instants(row: StationInferenceRow) -> list[datetime]:
    """Where a SHADE result's markers start, as instants (the anomaly time when it has none)."""
    instants = [row.day_start + timedelta(minutes=m) for m in row.marker_start_minutes]
    if not instants and row.anomaly_at is not None:
        instants = [row.anomaly_at]
    return instants


class StationService:
    """Stations, their aggregates and SHADE results, scoped to one tenant per call."""

    def __init__(self, store: ClickHouseStationStore) -> None:
        self.store = store

    def _station(self, tenant_id: str, station_id: str) -> StationRecord:
        station = self.store.get_station(tenant_id, station_id)
        if station is None:
            raise NotFound(f"Charging station {station_id!r} not found.")
        return station

    def list_stations(self, tenant_id: str, page: Page) -> ListStationsResponse:
        """A page of the aggregated view."""
        rows, total = self.store.list_station_aggregates(tenant_id, page.number, page.size)
        content = [
            StationSummary(
                id=r.id,
                ocpp_charging_station_id=r.ocpp_charging_station_id,
                charging_station_id=r.charging_station_id,
                ai_score=r.ai_score,
                total_anomalies=r.total_anomalies,
                last_anomaly_date=r.last_anomaly_date,
            )
            for r in rows
        ]
        return ListStationsResponse(content, Pagination.of(page, total))

    def lookup(self, tenant_id: str) -> StationIdLookupResponse:
        """Distinct station ids from the base table."""
        return StationIdLookupResponse(self.store.lookup_station_ids(tenant_id))

    def detail(self, tenant_id: str, station_id: str) -> StationDetail:
        """Station counts from the views, connectors from the views and the metadata."""
        station = self._station(tenant_id, station_id)
        aggregate = self.store.get_station_aggregate(tenant_id, station_id)
        by_connector = {c.connector_id: c for c in self.store.connector_aggregates(tenant_id, station_id)}
        ids = set(by_connector) | {c.connector_id for c in station.connectors}
        connectors = [
            ConnectorStats(
                connector_id=cid,
                total_sessions=by_connector[cid].total_sessions if cid in by_connector else 0,
                anomalous_sessions=by_connector[cid].anomalous_sessions if cid in by_connector else 0,
            )
            for cid in sorted(ids, key=connector_sort_key)
        ]
        return StationDetail(
            charging_station_id=station_id,
            connectors=connectors,
            total_sessions=aggregate.total_sessions if aggregate else 0,
            anomalous_sessions=aggregate.anomalous_sessions if aggregate else 0,
            metadata=station_metadata(station),
        )

    def connectors(self, tenant_id: str, station_id: str) -> StationConnectorsResponse:
        """Per-connector counts with the category breakdown (not paginated)."""
        station = self._station(tenant_id, station_id)
        by_connector = {c.connector_id: c for c in self.store.connector_aggregates(tenant_id, station_id)}
        ids = set(by_connector) | {c.connector_id for c in station.connectors}
        out = []
        for cid in sorted(ids, key=connector_sort_key):
            agg = by_connector.get(cid)
            out.append(
                ConnectorAnomalyBreakdown(
                    connector_id=cid,
                    total_sessions=agg.total_sessions if agg else 0,
                    anomalous_sessions=agg.anomalous_sessions if agg else 0,
                    anomaly_categories=dict(sorted(agg.anomaly_categories.items())) if agg else {},
                )
            )
        return StationConnectorsResponse(charging_station_id=station_id, connectors=out)

    def anomalies(self, tenant_id: str, station_id: str, page: Page) -> ListStationAnomaliesResponse:
        """The station's SHADE history, newest first, anomalous or not."""
        self._station(tenant_id, station_id)
        rows, total = self.store.list_station_inferences(tenant_id, station_id, page.number, page.size)
        return ListStationAnomaliesResponse([_record(r) for r in rows], Pagination.of(page, total))

    def _latest(self, tenant_id: str, station_id: str) -> StationInferenceRow:
        self._station(tenant_id, station_id)
        row = self.store.latest_station_inference(tenant_id, station_id)
        if row is None:
            raise NotFound(f"Charging station {station_id!r} has no SHADE result yet.")
        return row

    def inference(self, tenant_id: str, station_id: str) -> StationInference:
        """The latest SHADE result (404 while there is none)."""
        row = self._latest(tenant_id, station_id)
        return StationInference(
            charging_station_id=station_id,
            is_anomaly=row.is_anomaly,
            anomaly_score=row.day_score,
            detection_details=row.detection_details,
            analyzed_at=row.analyzed_at,
        )

    def energy(self, tenant_id: str, station_id: str) -> StationEnergyResponse:
        """Hourly energy per connector and for the station over the 7 days up to the latest data."""
        self._station(tenant_id, station_id)
        latest = self.store.latest_energy_minute(tenant_id, station_id)
        if latest is None:
            return StationEnergyResponse(
                charging_station_id=station_id,
                energy_delivered=0.0,
                energy_consumption_station=[],
                energy_consumption_connectors=[],
                anomaly_occurrences=[],
            )
        latest = latest.astimezone(UTC)
        end = latest.replace(minute=0, second=0, microsecond=0) + ENERGY_BUCKET
        start = end - ENERGY_WINDOW
        buckets = self.store.energy_buckets(tenant_id, station_id, start, end, int(ENERGY_BUCKET.total_seconds()))
        if buckets:
            start = max(start, min(b.start for b in buckets).astimezone(UTC))
        hours = [start + i * ENERGY_BUCKET for i in range(int((end - start) / ENERGY_BUCKET))]
        per_connector: dict[str, dict[datetime, float]] = {}
        for b in buckets:
            per_connector.setdefault(b.connector_id, {})[b.start.astimezone(UTC)] = b.energy_kwh
        station_points = [
            EnergyPoint(h, round(sum(v.get(h, 0.0) for c, v in per_connector.items() if c != STATION_CONNECTOR), 4))
            for h in hours
        ]
        timelines = [
            ConnectorEnergyTimeline(connector_id=cid, energy=[EnergyPoint(h, round(v.get(h, 0.0), 4)) for h in hours])
            for cid, v in sorted(per_connector.items(), key=lambda kv: connector_sort_key(kv[0]))
        ]
        occurrences = sorted(
            t
            for row in self.store.station_anomalies_between(tenant_id, station_id, start, end)
            for t in marker_instants(row)
            if start <= t.astimezone(UTC) < end
        )
        return StationEnergyResponse(
            charging_station_id=station_id,
            energy_delivered=round(sum(p.energy for p in station_points), 4),
            energy_consumption_station=station_points,
            energy_consumption_connectors=timelines,
            anomaly_occurrences=occurrences,
        )

    def shade_overview(self, tenant_id: str, station_id: str) -> ShadeOverview:
        """Cumulative energy of the latest scored station-day, with SHADE's markers."""
        row = self._latest(tenant_id, station_id)
        day_start = row.day_start.astimezone(UTC)
        observed = max(int(row.minutes_observed), 1)
        end = day_start + timedelta(minutes=observed)
        buckets = self.store.energy_buckets(tenant_id, station_id, day_start, end, OVERVIEW_STEP_MINUTES * 60)
        per_step: dict[datetime, float] = {}
        for b in buckets:
            if b.connector_id != STATION_CONNECTOR:
                t = b.start.astimezone(UTC)
                per_step[t] = per_step.get(t, 0.0) + b.energy_kwh
        timeline = [CumulativeEnergyPoint(day_start, 0.0)]
        total = 0.0
        for k in range(0, observed, OVERVIEW_STEP_MINUTES):
            t = day_start + timedelta(minutes=k)
            total += per_step.get(t, 0.0)
            timeline.append(
                CumulativeEnergyPoint(min(t + timedelta(minutes=OVERVIEW_STEP_MINUTES), end), round(total, 4))
            )
        markers = [
            ShadeAnomalyMarker(start_minute=m, timestamp=day_start + timedelta(minutes=m), score=s)
            for m, s in zip(row.marker_start_minutes, row.marker_scores, strict=True)
        ]
        return ShadeOverview(
            charging_station_id=station_id,
            day_score=row.day_score,
            is_anomaly=row.is_anomaly,
            energy_timeline=timeline,
            anomaly_markers=markers,
            analyzed_at=row.analyzed_at,
        )
