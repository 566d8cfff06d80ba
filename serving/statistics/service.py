"""Get Statistics: tenant-wide facts from storage put through the formulas of `evwatch.domain`.

Revenue formulas: `evwatch/domain/billing.py`; uptime: `evwatch/domain/uptime.py`. Active anomalies
are the unresolved issues (people resolve them) plus the anomalous SHADE station-days within
`ACTIVE_WINDOW` (station findings open no issues).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from evwatch.clock import utc_now
from evwatch.domain import billing, uptime
from evwatch.domain.categories import UNDER_BILLING_CATEGORIES
from evwatch.domain.stations import StationRecord
from evwatch.storage.stations import ClickHouseStationStore
from evwatch.storage.statistics import ClickHouseStatisticsFacts, ReadingFact, SessionAnomalyFact, ShadeAnomalyFact
from serving.statistics.schemas import Statistics

ACTIVE_WINDOW = timedelta(days=7)


class StatisticsService:
    """Computes a tenant's figures on request."""

    def __init__(
        self,
        facts: ClickHouseStatisticsFacts,
        stations: ClickHouseStationStore,
        open_issues: Callable[[str], int],
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.facts = facts
        self.stations = stations
        self.open_issues = open_issues
        self.clock = clock

    def statistics(self, tenant_id: str) -> Statistics:
        """Counts, uptime over 30 days and its delta, revenue, revenue at risk and leak estimate."""
        now = self.clock()
        total_sessions, anomalous_sessions = self.facts.session_counts(tenant_id)
        session_anomalies = self.facts.latest_session_anomalies(tenant_id)
        shade = self.facts.shade_anomalies(tenant_id)
        stations = {s.charging_station_id: s for s in self.stations.list_station_records(tenant_id)}
        since = now - ACTIVE_WINDOW
        active = self.open_issues(tenant_id) + sum(1 for s in shade if s.analyzed_at >= since)
        connectors = {(a.charging_station_id, a.connector_id) for a in session_anomalies if a.connector_id is not None}
        connectors |= {(s.charging_station_id, s.connector_id) for s in shade if s.connector_id is not None}
        stations_with = {a.charging_station_id for a in session_anomalies} | {s.charging_station_id for s in shade}
        money = self._revenue(tenant_id, session_anomalies, shade, stations)
        uptime_pct, delta = self._uptime(tenant_id, stations, now)
        return Statistics(
            active_anomalies_count=active,
            sessions_with_anomalies_count=anomalous_sessions,
            connectors_with_anomalies_count=len(connectors),
            total_anomalies_count=len(session_anomalies) + len(shade),
            charging_stations_with_anomalies_count=len(stations_with),
            uptime_percentage=uptime_pct,
            uptime_delta=delta,
            total_sessions=total_sessions,
            total_revenue=money.total_revenue,
            revenue_at_risk=money.revenue_at_risk,
            revenue_leak_estimate=money.revenue_leak_estimate,
        )

    def _revenue(
        self,
        tenant_id: str,
        session_anomalies: list[SessionAnomalyFact],
        shade: list[ShadeAnomalyFact],
        stations: dict[str, StationRecord],
    ) -> billing.RevenueFigures:
        def tariff(station_id: str) -> float | None:
            record = stations.get(station_id)
            return record.tariff_per_kwh if record else None

        categories: dict[str, set[str]] = defaultdict(set)
        for a in session_anomalies:
            categories[a.session_id].add(a.category)
        leaking = [a for a in session_anomalies if a.category in UNDER_BILLING_CATEGORIES]
        readings: dict[str, list[ReadingFact]] = defaultdict(list)
        for r in self.facts.session_readings(tenant_id, sorted({a.session_id for a in leaking})):
            readings[r.session_id].append(r)
        lost: dict[str, float] = defaultdict(float)
        for a in leaking:
            lost[a.session_id] += billing.lost_kwh_in(a.category, a.start_ts, a.end_ts, readings[a.session_id])
        money = [
            billing.SessionMoney(kwh, tariff(station), frozenset(categories.get(sid, ())), lost.get(sid, 0.0))
            for sid, (station, kwh) in self.facts.session_energy(tenant_id).items()
        ]
        leaks = [
            (
                billing.station_lost_kwh(s.anomaly_type, s.expected_energy_kwh, s.actual_energy_kwh),
                tariff(s.charging_station_id),
            )
            for s in shade
        ]
        return billing.revenue_figures(money, leaks)

    def _uptime(self, tenant_id: str, stations: dict[str, StationRecord], now: datetime) -> tuple[float, float]:
        first_seen = {key: ts.timestamp() for key, ts in self.facts.connector_first_seen(tenant_id).items()}
        for record in stations.values():
            for c in record.connectors:
                if record.first_seen_at is not None:
                    key = (record.charging_station_id, c.connector_id)
                    first_seen[key] = min(first_seen.get(key, float("inf")), record.first_seen_at.timestamp())
        events = [(s, c, ts.timestamp(), status) for s, c, ts, status in self.facts.status_events(tenant_id)]
        down = uptime.spread_station_wide(uptime.down_intervals(events, now.timestamp()), first_seen)
        return uptime.uptime_with_delta(
            {f"{s}/{c}": t for (s, c), t in first_seen.items()},
            {f"{s}/{c}": spans for (s, c), spans in down.items()},
            now.timestamp(),
        )
