"""`GET /v1/statistics`."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from serving.access import EVERY_ROLE, allow
from serving.auth import Caller
from serving.errors import ERROR_RESPONSES
from serving.statistics.schemas import Statistics
from serving.statistics.service import StatisticsService


class StatisticsController(Controller):
    """Tenant-wide summary figures, computed on request."""

    path = "/v1/statistics"
    tags = ["Statistics"]

    @get(
        "/",
        operation_id="get_statistics",
        opt=allow(EVERY_ROLE),
        summary="Get Statistics",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_statistics(
        self, caller: NamedDependency[Caller], statistics: NamedDependency[StatisticsService]
    ) -> Statistics:
        """Counts, uptime over 30 days and its delta, revenue, revenue at risk and leak estimate.

        Formulas: `evwatch/domain/billing.py` (revenue = tariff x session energy; at risk = revenue of
        sessions with billing-relevant anomalies; leak = tariff x unmetered or lost kWh) and
        `evwatch/domain/uptime.py` (available connector-time / observed connector-time); active =
        occurred in the last 7 days.
        """
        return statistics.statistics(caller.tenant_id)
