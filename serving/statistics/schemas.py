"""Response struct of Get Statistics."""

from __future__ import annotations

import msgspec


class Statistics(msgspec.Struct, rename="camel", kw_only=True):
    """Tenant-wide figures (formulas: evwatch/domain/billing.py and uptime.py)."""

    active_anomalies_count: int
    sessions_with_anomalies_count: int
    connectors_with_anomalies_count: int
    total_anomalies_count: int
    charging_stations_with_anomalies_count: int
    uptime_percentage: float
    uptime_delta: float
    total_sessions: int
    total_revenue: float
    revenue_at_risk: float
    revenue_leak_estimate: float
