"""Tenant statistics: the facts from storage put through the formulas of `evwatch.statistics`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from clickhouse_connect.driver.client import Client

from evwatch import statistics as formulas
from evwatch.storage import stations as station_store
from evwatch.storage import statistics as store

# An anomaly counts as active (not yet resolved) while it occurred within this window; anomaly
# issues, where a tenant tracks resolution by hand, are a separate resource.
ACTIVE_WINDOW = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class TenantStatistics:
    """Every figure of `GET /v1/statistics`."""

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


def _lost_kwh(fact: store.SessionAnomalyFact, readings: list[store.ReadingFact]) -> float:
    """kWh one anomaly left unbilled, from the session's readings inside the anomaly's time range."""
    inside = [r for r in readings if fact.start_ts <= r.timestamp <= fact.end_ts]
    energy = [r for r in inside if r.measurand == store.ENERGY]
    power = [r for r in inside if r.measurand == store.POWER]
    metered = max(energy[-1].value - energy[0].value, 0.0) if len(energy) >= 2 else 0.0
    integrated = None
    if len(power) >= 2:
        integrated = sum(
            (b.timestamp - a.timestamp).total_seconds() / 3600.0 * (a.value + b.value) / 2.0
            for a, b in zip(power, power[1:], strict=False)
        )
    drop = 0.0
    peak = float("-inf")
    for r in energy:  # the largest fall of the register below its running maximum
        peak = max(peak, r.value)
        drop = max(drop, peak - r.value)
    return formulas.lost_kwh(fact.category, metered, integrated, drop)


def tenant_statistics(client: Client, tenant_id: str, now: datetime) -> TenantStatistics:
    """Compute the tenant's figures now (formulas documented in evwatch/statistics.py)."""
    total_sessions, anomalous_sessions = store.session_counts(client, tenant_id)
    session_anomalies = store.latest_session_anomalies(client, tenant_id)
    shade = store.shade_anomalies(client, tenant_id)
    stations = {s.charging_station_id: s for s in station_store.list_station_records(client, tenant_id)}

    since = now - ACTIVE_WINDOW
    active = sum(1 for a in session_anomalies if a.end_ts >= since) + sum(1 for s in shade if s.analyzed_at >= since)
    connectors = {(a.charging_station_id, a.connector_id) for a in session_anomalies if a.connector_id is not None}
    connectors |= {(s.charging_station_id, s.connector_id) for s in shade if s.connector_id is not None}
    stations_with = {a.charging_station_id for a in session_anomalies} | {s.charging_station_id for s in shade}

    def tariff(station_id: str) -> float | None:
        record = stations.get(station_id)
        return record.tariff_per_kwh if record else None

    energy = store.session_energy(client, tenant_id)
    categories: dict[str, set[str]] = defaultdict(set)
    for a in session_anomalies:
        categories[a.session_id].add(a.category)
    leaking = [a for a in session_anomalies if a.category in formulas.UNDER_BILLING]
    readings: dict[str, list[store.ReadingFact]] = defaultdict(list)
    for r in store.session_readings(client, tenant_id, sorted({a.session_id for a in leaking})):
        readings[r.session_id].append(r)
    lost: dict[str, float] = defaultdict(float)
    for a in leaking:
        lost[a.session_id] += _lost_kwh(a, readings[a.session_id])
    money = [
        formulas.SessionMoney(kwh, tariff(station), frozenset(categories.get(sid, ())), lost.get(sid, 0.0))
        for sid, (station, kwh) in energy.items()
    ]
    leaks = [
        (
            formulas.station_lost_kwh(s.anomaly_type, s.expected_energy_kwh, s.actual_energy_kwh),
            tariff(s.charging_station_id),
        )
        for s in shade
    ]
    figures = formulas.revenue_figures(money, leaks)

    first_seen = {key: ts.timestamp() for key, ts in store.connector_first_seen(client, tenant_id).items()}
    for record in stations.values():
        for c in record.connectors:
            if record.first_seen_at is not None:
                key = (record.charging_station_id, c.connector_id)
                first_seen[key] = min(first_seen.get(key, float("inf")), record.first_seen_at.timestamp())
    events = [(s, c, ts.timestamp(), status) for s, c, ts, status in store.status_events(client, tenant_id)]
    down = formulas.spread_station_wide(formulas.down_intervals(events, now.timestamp()), first_seen)
    uptime, delta = formulas.uptime_with_delta(
        {f"{s}/{c}": t for (s, c), t in first_seen.items()},
        {f"{s}/{c}": spans for (s, c), spans in down.items()},
        now.timestamp(),
    )
    return TenantStatistics(
        active_anomalies_count=active,
        sessions_with_anomalies_count=anomalous_sessions,
        connectors_with_anomalies_count=len(connectors),
        total_anomalies_count=len(session_anomalies) + len(shade),
        charging_stations_with_anomalies_count=len(stations_with),
        uptime_percentage=uptime,
        uptime_delta=delta,
        total_sessions=total_sessions,
        total_revenue=figures.total_revenue,
        revenue_at_risk=figures.revenue_at_risk,
        revenue_leak_estimate=figures.revenue_leak_estimate,
    )
