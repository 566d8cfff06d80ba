"""`/v1/stations` handlers: thin translations between HTTP and the station views."""

from __future__ import annotations

from anyio import to_thread
from clickhouse_connect.driver.client import Client
from litestar import Controller, get
from litestar.datastructures import State

from serving.auth import Caller
from serving.pagination import PageParam, PageSizeParam
from serving.stations import views
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


def _client(state: State) -> Client:
    return state.runtime.client  # type: ignore[no-any-return]


class StationController(Controller):
    """Stations, their aggregates and SHADE results; every query is scoped to the caller's tenant."""

    path = "/v1/stations"
    tags = ["Stations"]

    @get("/", operation_id="list_stations", summary="List Stations")
    async def list_stations(
        self, caller: Caller, state: State, page: PageParam = 0, page_size: PageSizeParam = 20
    ) -> ListStationsResponse:
        """Stations with aggregated anomaly statistics (view refreshed every 60 s), by id."""
        return await to_thread.run_sync(views.list_stations, _client(state), caller.tenant_id, page, page_size)

    # Declared before the templated routes: `lookup` is never a station id.
    @get("/lookup", operation_id="lookup_station_ids", summary="Lookup Station Ids")
    async def lookup_station_ids(self, caller: Caller, state: State) -> StationIdLookupResponse:
        """Distinct station ids from the base table (no refresh lag), ascending."""
        return await to_thread.run_sync(views.lookup, _client(state), caller.tenant_id)

    @get("/{charging_station_id:str}", operation_id="get_station_detail", summary="Get Station Detail")
    async def get_station_detail(self, caller: Caller, state: State, charging_station_id: str) -> StationDetail:
        """Connectors, anomaly statistics and metadata of one station."""
        return await to_thread.run_sync(views.detail, _client(state), caller.tenant_id, charging_station_id)

    @get(
        "/{charging_station_id:str}/anomalies", operation_id="list_station_anomalies", summary="List Station Anomalies"
    )
    async def list_station_anomalies(
        self,
        caller: Caller,
        state: State,
        charging_station_id: str,
        page: PageParam = 0,
        page_size: PageSizeParam = 20,
    ) -> ListStationAnomaliesResponse:
        """SHADE results of the station, newest first, including non-anomalous ones."""
        return await to_thread.run_sync(
            views.anomalies, _client(state), caller.tenant_id, charging_station_id, page, page_size
        )

    @get(
        "/{charging_station_id:str}/connectors", operation_id="get_station_connectors", summary="Get Station Connectors"
    )
    async def get_station_connectors(
        self, caller: Caller, state: State, charging_station_id: str
    ) -> StationConnectorsResponse:
        """Connectors with anomalous sessions per category (not paginated)."""
        return await to_thread.run_sync(views.connectors, _client(state), caller.tenant_id, charging_station_id)

    @get("/{charging_station_id:str}/energy", operation_id="get_station_energy", summary="Get Station Energy")
    async def get_station_energy(self, caller: Caller, state: State, charging_station_id: str) -> StationEnergyResponse:
        """Hourly kWh per connector and for the station over the 7 days up to its latest data."""
        return await to_thread.run_sync(views.energy, _client(state), caller.tenant_id, charging_station_id)

    @get("/{charging_station_id:str}/inference", operation_id="get_station_inference", summary="Get Station Inference")
    async def get_station_inference(self, caller: Caller, state: State, charging_station_id: str) -> StationInference:
        """The latest SHADE result; 404 while the station has none."""
        return await to_thread.run_sync(views.inference, _client(state), caller.tenant_id, charging_station_id)

    @get("/{charging_station_id:str}/shade-overview", operation_id="get_shade_overview", summary="Get Shade Overview")
    async def get_shade_overview(self, caller: Caller, state: State, charging_station_id: str) -> ShadeOverview:
        """Cumulative energy of the latest scored station-day with SHADE's markers; 404 without a result."""
        return await to_thread.run_sync(views.shade_overview, _client(state), caller.tenant_id, charging_station_id)
