"""`GET /v1/statistics`."""

from __future__ import annotations

from anyio import to_thread
from litestar import Controller, get
from litestar.datastructures import State

from evwatch.domain.meter_values import utc_now
from evwatch.statistics_service import tenant_statistics
from serving.auth import Caller
from serving.statistics.schemas import Statistics


class StatisticsController(Controller):
    """Tenant-wide summary figures, computed on request."""

    path = "/v1/statistics"
    tags = ["Statistics"]

    @get("/", operation_id="get_statistics", summary="Get Statistics")
    async def get_statistics(self, caller: Caller, state: State) -> Statistics:
        """Counts, uptime over 30 days and its delta, revenue, revenue at risk and leak estimate.

        Formulas: `evwatch/statistics.py` (revenue = tariff x session energy; at risk = revenue of
        sessions with billing-relevant anomalies; leak = tariff x unmetered or lost kWh; uptime =
        available connector-time / observed connector-time; active = occurred in the last 7 days).
        """
        figures = await to_thread.run_sync(tenant_statistics, state.runtime.client, caller.tenant_id, utc_now())
        return Statistics(**{f: getattr(figures, f) for f in Statistics.__struct_fields__})
