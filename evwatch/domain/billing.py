"""Revenue formulas behind `GET /v1/statistics` (pure; the SQL that feeds them lives in storage).

Money is in the tenant's currency; a station without a tariff contributes energy but no money.

- totalRevenue = sum over sessions of tariff(station) x energy(session), where a session's energy
  is its register delta (last minus first `Energy.Active.Import.Register` reading, never < 0).
- revenueAtRisk = the same sum restricted to sessions with at least one billing-relevant
  anomaly (`BILLING_CATEGORIES`): the whole bill of such a session is in doubt.
- revenueLeakEstimate = tariff x kWh that anomalies left unmetered or lost (`lost_kwh`), summed
  over session anomalies, plus, per station-day, SHADE's unbilled station energy
  (`station_lost_kwh`: idle consumption and a station meter above its connectors).
  Over-billing (KWH_JUMP, PHANTOM_ENERGY) is revenue at risk (refunds), not a leak.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from evwatch.domain.categories import BILLING_CATEGORIES, STATION_LEAK_TYPES
from evwatch.domain.ocpp import ENERGY, POWER


@dataclass(frozen=True)
class SessionMoney:
    """What the revenue figures need to know about one session."""

    energy_kwh: float
    tariff_per_kwh: float | None
    categories: frozenset[str] = frozenset()
    lost_kwh: float = 0.0


def revenue(energy_kwh: float, tariff_per_kwh: float | None) -> float:
    """tariff x energy; 0 without a tariff, never negative."""
    if tariff_per_kwh is None:
        return 0.0
    return max(energy_kwh, 0.0) * tariff_per_kwh


def is_billing_relevant(categories: Iterable[str]) -> bool:
    """Whether any of a session's anomaly categories puts its bill in doubt."""
    return any(c in BILLING_CATEGORIES for c in categories)


def lost_kwh(
    category: str, metered_kwh: float, power_integrated_kwh: float | None = None, register_drop_kwh: float = 0.0
) -> float:
    """kWh one session anomaly left unbilled, over the anomaly's time range.

    KWH_DECREASE: the size of the drop (the register, hence the bill, lost it).
    ENERGY_STALL and POWER_ENERGY_MISMATCH: integrated power minus the register delta, when the
    register shows less (energy delivered, not metered); 0 without power readings.
    Everything else: 0.
    """
    if category == "KWH_DECREASE":
        return max(register_drop_kwh, 0.0)
    if category in ("ENERGY_STALL", "POWER_ENERGY_MISMATCH") and power_integrated_kwh is not None:
        return max(power_integrated_kwh - metered_kwh, 0.0)
    return 0.0


class Metered(Protocol):
    """An energy (kWh) or power (kW) reading: `StoredReading`, or a row read for the statistics."""

    @property
    def timestamp(self) -> datetime: ...
    @property
    def measurand(self) -> str: ...
    @property
    def value(self) -> float: ...


def register_delta_kwh(readings: Sequence[Metered]) -> float | None:
    """A session's energy: its last minus its first register reading (never < 0); None without one."""
    energy = sorted((r for r in readings if r.measurand == ENERGY), key=lambda r: r.timestamp)
    if not energy:
        return None
    return max(energy[-1].value - energy[0].value, 0.0)


def lost_kwh_in(category: str, start: datetime, end: datetime, readings: Sequence[Metered]) -> float:
    """`lost_kwh` of one anomaly, from the session's readings (in time order) inside its time range."""
    inside = [r for r in readings if start <= r.timestamp <= end]
    energy = [r for r in inside if r.measurand == ENERGY]
    power = [r for r in inside if r.measurand == POWER]
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
    return lost_kwh(category, metered, integrated, drop)


def station_lost_kwh(anomaly_type: str | None, expected_kwh: float, actual_kwh: float) -> float:
    """Unbilled station energy of one SHADE result, from its detection details.

    idle_consumption: the energy drawn while no session ran, i.e. actual - expected (>= 0).
    meter_mismatch: station meter (actual) minus the connectors' sum (expected), when the
    station meter shows more; a meter showing less is a metering fault, not lost energy.
    """
    if anomaly_type not in STATION_LEAK_TYPES:
        return 0.0
    return max(actual_kwh - expected_kwh, 0.0)


@dataclass(frozen=True)
class RevenueFigures:
    """The three money figures of the statistics response."""

    total_revenue: float
    revenue_at_risk: float
    revenue_leak_estimate: float


def revenue_figures(
    sessions: Iterable[SessionMoney], station_leaks: Iterable[tuple[float, float | None]] = ()
) -> RevenueFigures:
    """Total revenue, revenue at risk and leak estimate; `station_leaks` are (lost kWh, tariff)."""
    total = at_risk = leak = 0.0
    for s in sessions:
        r = revenue(s.energy_kwh, s.tariff_per_kwh)
        total += r
        if is_billing_relevant(s.categories):
            at_risk += r
        leak += revenue(s.lost_kwh, s.tariff_per_kwh)
    for kwh, tariff in station_leaks:
        leak += revenue(kwh, tariff)
    return RevenueFigures(round(total, 2), round(at_risk, 2), round(leak, 2))
