"""`/v1/stations`: HTTP in, the station service, HTTP out."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from serving.access import EVERY_ROLE, allow
from serving.auth import Caller
from serving.errors import ERROR_RESPONSES
from serving.pagination import Page
from serving.stations.schemas import (
    ListStationAnomaliesResponse,
    ListStationsResponse,
    ShadeOverview,
    StationConnectorsResponse,
    StationDetail,
    StationEnergyResponse,
    StationIdLookupResponse,
    StationInference,
)
from serving.stations.service import StationService


class StationController(Controller):
    """Stations, their aggregates and SHADE results; every query is scoped to the caller's tenant."""

    path = "/v1/stations"
    tags = ["Stations"]

    @get(
        "/",
        operation_id="list_stations",
        opt=allow(EVERY_ROLE),
        summary="List Stations",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_stations(
        self,
        caller: NamedDependency[Caller],
        stations: NamedDependency[StationService],
        paging: NamedDependency[Page],
    ) -> ListStationsResponse:
        """Stations with aggregated anomaly statistics (view refreshed every 60 s), by id."""
        return stations.list_stations(caller.tenant_id, paging)

    # Declared before the templated routes: `lookup` is never a station id.
    @get(
        "/lookup",
        operation_id="lookup_station_ids",
        opt=allow(EVERY_ROLE),
        summary="Lookup Station Ids",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def lookup_station_ids(
        self, caller: NamedDependency[Caller], stations: NamedDependency[StationService]
    ) -> StationIdLookupResponse:
        """Distinct station ids from the base table (no refresh lag), ascending."""
        return stations.lookup(caller.tenant_id)

    @get(
        "/{charging_station_id:str}",
        operation_id="get_station_detail",
        opt=allow(EVERY_ROLE),
        summary="Get Station Detail",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_station_detail(
        self,
        caller: NamedDependency[Caller],
        stations: NamedDependency[StationService],
        charging_station_id: FromPath[str],
    ) -> StationDetail:
        """Connectors, anomaly statistics and metadata of one station."""
        return stations.detail(caller.tenant_id, charging_station_id)

    @get(
        "/{charging_station_id:str}/anomalies",
        operation_id="list_station_anomalies",
        opt=allow(EVERY_ROLE),
        summary="List Station Anomalies",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_station_anomalies(
        self,
        caller: NamedDependency[Caller],
        stations: NamedDependency[StationService],
        charging_station_id: FromPath[str],
        paging: NamedDependency[Page],
    ) -> ListStationAnomaliesResponse:
        """SHADE results of the station, newest first, including non-anomalous ones."""
        return stations.anomalies(caller.tenant_id, charging_station_id, paging)

    @get(
        "/{charging_station_id:str}/connectors",
        operation_id="get_station_connectors",
        opt=allow(EVERY_ROLE),
        summary="Get Station Connectors",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_station_connectors(
        self,
        caller: NamedDependency[Caller],
        stations: NamedDependency[StationService],
        charging_station_id: FromPath[str],
    ) -> StationConnectorsResponse:
        """Connectors with anomalous sessions per category (not paginated)."""
        return stations.connectors(caller.tenant_id, charging_station_id)

    @get(
        "/{charging_station_id:str}/energy",
        operation_id="get_station_energy",
        opt=allow(EVERY_ROLE),
        summary="Get Station Energy",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_station_energy(
        self,
        caller: NamedDependency[Caller],
        stations: NamedDependency[StationService],
        charging_station_id: FromPath[str],
    ) -> StationEnergyResponse:
        """Hourly kWh per connector and for the station over the 7 days up to its latest data."""
        return stations.energy(caller.tenant_id, charging_station_id)

    @get(
        "/{charging_station_id:str}/inference",
        operation_id="get_station_inference",
        opt=allow(EVERY_ROLE),
        summary="Get Station Inference",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_station_inference(
        self,
        caller: NamedDependency[Caller],
        stations: NamedDependency[StationService],
        charging_station_id: FromPath[str],
    ) -> StationInference:
        """The latest SHADE result; 404 while the station has none."""
        return stations.inference(caller.tenant_id, charging_station_id)

    @get(
        "/{charging_station_id:str}/shade-overview",
        operation_id="get_shade_overview",
        opt=allow(EVERY_ROLE),
        summary="Get Shade Overview",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_shade_overview(
        self,
        caller: NamedDependency[Caller],
        stations: NamedDependency[StationService],
        charging_station_id: FromPath[str],
    ) -> ShadeOverview:
        """Cumulative energy of the latest scored station-day with SHADE's markers; 404 without a result."""
        return stations.shade_overview(caller.tenant_id, charging_station_id)
