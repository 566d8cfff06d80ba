"""Station scenarios for integration and e2e tests: simulated days turned into the messages evwatch ingests."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from models.shade.simulator import DAY_S, EPOCH_MONDAY, SimulatedDay, StationSpec, simulate_day

READING_EVERY_MIN = 5


@dataclass
class StationScenario:
    """Everything a test sends for one station, plus what it should find afterwards."""

    tenant_id: str
    station_id: str
    spec: StationSpec
    days: list[SimulatedDay]
    tariff_per_kwh: float
    sessions: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def first_day_start(self) -> datetime:
        """Local (UTC) midnight of the first simulated day."""
        return datetime.fromtimestamp(self.days[0].day.day_start, UTC)

    def anomalous_days(self) -> dict[str, str]:
        """ISO date -> injected anomaly type."""
        return {
            datetime.fromtimestamp(d.day.day_start, UTC).date().isoformat(): d.label
            for d in self.days
            if d.label is not None
        }

    def downtime_s(self) -> float:
        """Connector-seconds of Faulted status the scenario reports."""
        total = 0.0
        for d in self.days:
            total += float((~d.day.available).sum()) * 60.0
        return total


def day_index(day: datetime) -> int:
    """Simulator day index of a UTC date (day 0 is the simulator's Monday)."""
    return (int(day.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()) - EPOCH_MONDAY) // DAY_S


def _iso(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).isoformat().replace("+00:00", "Z")


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def _reported(sim: SimulatedDay) -> SimulatedDay:
    available = sim.day.available.copy()
    for span in sim.anomalies:
        if span.anomaly_type == "connector_outage" and span.connector_index is not None:
            available[span.connector_index, span.start_minute : span.end_minute] = False
    return replace(sim, day=replace(sim.day, available=available))


def build_scenario(
    tenant_id: str,
    station_id: str,
    spec: StationSpec,
    first_day: datetime,
    n_days: int,
    anomalies: dict[int, str],
    seed: int,
    tariff_per_kwh: float = 0.4,
    report_outages: bool = False,
) -> StationScenario:
    """Simulate `n_days` from `first_day` (UTC) with anomalies at the given day offsets (severity 1).

    With `report_outages`, every injected connector outage is reported Faulted (the simulator
    leaves some silent, and a silent outage on a quiet day can be within chance for SHADE).
    """
    start = day_index(first_day)
    days = [
        simulate_day(spec, start + k, seed, anomaly=anomalies.get(k), severity=1.0 if k in anomalies else None)
        for k in range(n_days)
    ]
    if report_outages:
        days = [_reported(d) for d in days]
    sc = StationScenario(tenant_id, station_id, spec, days, tariff_per_kwh)
    sc.metadata = {
        "type": "StationMetadata",
        "tenantId": tenant_id,
        "chargingStationId": station_id,
        "address": f"{station_id} street 1",
        "operator": "TestOp",
        "timeZone": "UTC",
        "tariffPerKwh": tariff_per_kwh,
        "currency": "EUR",
        "connectors": [
            {"connectorId": c, "maxPowerKw": p} for c, p in zip(spec.connector_ids, spec.max_power_kw, strict=True)
        ],
    }
    # Every connector reports Available at the start, so uptime has a known observation start.
    day0 = days[0].day.day_start
    for c in spec.connector_ids:
        sc.statuses.append(_status(tenant_id, station_id, c, "Available", day0))
    # Lifetime registers: energy drawn between sessions (idle consumption) shows in the next delta.
    lifetime = dict.fromkeys(spec.connector_ids, 1000.0)
    n = 0
    for d in days:
        day = d.day
        for i, c in enumerate(spec.connector_ids):
            for a, b in _runs(~day.available[i]):
                sc.statuses.append(_status(tenant_id, station_id, c, "Faulted", day.day_start + a * 60))
                sc.statuses.append(_status(tenant_id, station_id, c, "Available", day.day_start + b * 60))
            before = np.concatenate([[0.0], np.cumsum(day.energy_kwh[i])])  # energy of minutes < m
            for a, b in _runs(day.session_active[i]):
                minutes = sorted(set(range(a, b, READING_EVERY_MIN)) | {b})
                values = [
                    {
                        "timestamp": _iso(day.day_start + m * 60),
                        "value": round(float(lifetime[c] + before[m]) * 1000.0, 1),
                        "measurand": "Energy.Active.Import.Register",
                        "unit": "Wh",
                    }
                    for m in minutes
                ]
                n += 1
                sc.sessions.append(
                    {
                        "tenantId": tenant_id,
                        "sessionId": f"{station_id}-s{n}",
                        "chargingStationId": station_id,
                        "connectorId": c,
                        "meterValues": values,
                        "metadata": {"maxPowerKw": spec.max_power_kw[i]},
                    }
                )
            lifetime[c] += float(before[-1])
    sc.statuses.sort(key=lambda s: s["timestamp"])
    return sc


def _status(tenant_id: str, station_id: str, connector: str, status: str, epoch_s: float) -> dict[str, Any]:
    return {
        "tenantId": tenant_id,
        "chargingStationId": station_id,
        "connectorId": connector,
        "status": status,
        "errorCode": "NoError" if status == "Available" else "OtherError",
        "timestamp": _iso(epoch_s),
    }


def closing_reading(scenario: StationScenario, connector: str) -> dict[str, Any]:
    """A tiny session just after the last day, so the last day closes on next-day data."""
    last = scenario.days[-1].day.day_start + DAY_S
    # Past the 30-minute close grace, but short of the hour an intra-day score needs.
    at = datetime.fromtimestamp(last, UTC) + timedelta(minutes=40)
    return {
        "tenantId": scenario.tenant_id,
        "sessionId": f"{scenario.station_id}-closing",
        "chargingStationId": scenario.station_id,
        "connectorId": connector,
        "meterValues": [
            {
                "timestamp": _iso(at.timestamp()),
                "value": 1.0,
                "measurand": "Energy.Active.Import.Register",
                "unit": "Wh",
            }
        ],
    }
