"""Formulas behind `GET /v1/statistics` (pure; the SQL that feeds them lives in the storage layer).

Money is in the tenant's currency; a station without a tariff contributes energy but no money.

- totalRevenue = sum over sessions of tariff(station) x energy(session), where a session's energy
  is its register delta (last minus first `Energy.Active.Import.Register` reading, never < 0).
- revenueAtRisk = the same sum restricted to sessions with at least one billing-relevant
  anomaly (`BILLING_RELEVANT`): the whole bill of such a session is in doubt.
- revenueLeakEstimate = tariff x kWh that anomalies left unmetered or lost (`lost_kwh`), summed
  over session anomalies, plus, per station-day, SHADE's unbilled station energy
  (`station_lost_kwh`: idle consumption and a station meter above its connectors).
  Over-billing (KWH_JUMP, PHANTOM_ENERGY) is revenue at risk (refunds), not a leak.
- uptimePercentage = 100 x available connector-time / observed connector-time over the last 30
  days; uptimeDelta = that minus the same figure for the 30 days before, in percentage points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DAY_S = 86_400.0
UPTIME_WINDOW_S = 30 * DAY_S

# Categories that make a session's bill wrong or doubtful. ENERGY_PIT is included because a
# bill cut inside the pit uses a wrong reading; POWER_SPIKE, CHARGING_INTERRUPTION,
# POWER_DERATING, SOC_*, ZERO_ENERGY and DATA_GAP are service or data quality, not billing.
BILLING_RELEVANT: frozenset[str] = frozenset(
    {
        "KWH_DECREASE",
        "KWH_JUMP",
        "ENERGY_STALL",
        "PHANTOM_ENERGY",
        "POWER_ENERGY_MISMATCH",
        "ENERGY_PIT",
    }
)
# The subset whose energy was delivered but not billed (or billed and then lost).
UNDER_BILLING: frozenset[str] = frozenset({"KWH_DECREASE", "ENERGY_STALL", "POWER_ENERGY_MISMATCH"})
# SHADE types whose energy the operator pays for and no driver is billed for.
STATION_LEAK_TYPES: frozenset[str] = frozenset({"idle_consumption", "meter_mismatch"})


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
    return any(c in BILLING_RELEVANT for c in categories)


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


# ------------------------------------------------------------------ uptime


def merge_intervals(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Union of [from, to) intervals, sorted, overlaps and touching ends merged."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _clipped_length(intervals: list[tuple[float, float]], start: float, end: float) -> float:
    return sum(max(0.0, min(b, end) - max(a, start)) for a, b in intervals)


def uptime_percentage(
    first_seen: Mapping[str, float], down: Mapping[str, Iterable[tuple[float, float]]], start: float, end: float
) -> float | None:
    """100 x (observed connector-time - downtime) / observed connector-time over [start, end).

    `first_seen` maps each connector (any key, e.g. "station/connector") to when evwatch first
    heard of it: time before that is not observed. `down` maps connectors to their
    Unavailable/Faulted intervals (station-wide outages already copied to every connector).
    None when no connector-time was observed in the window.
    """
    observed = downtime = 0.0
    for key, seen in first_seen.items():
        lo = max(start, seen)
        if lo >= end:
            continue
        observed += end - lo
        downtime += _clipped_length(merge_intervals(down.get(key, ())), lo, end)
    if observed <= 0.0:
        return None
    return 100.0 * (observed - downtime) / observed


def uptime_with_delta(
    first_seen: Mapping[str, float],
    down: Mapping[str, Iterable[tuple[float, float]]],
    now: float,
    window_s: float = UPTIME_WINDOW_S,
) -> tuple[float, float]:
    """(uptime % over the last window, change against the window before in percentage points).

    No observed connector-time counts as 100 % (nothing was seen to be down); the delta is 0
    when the earlier window was not observed at all.
    """
    downs = {k: list(v) for k, v in down.items()}
    current = uptime_percentage(first_seen, downs, now - window_s, now)
    previous = uptime_percentage(first_seen, downs, now - 2 * window_s, now - window_s)
    current_value = 100.0 if current is None else current
    delta = 0.0 if previous is None or current is None else current - previous
    return round(current_value, 2), round(delta, 2)


DOWN_STATUSES: frozenset[str] = frozenset({"Unavailable", "Faulted"})
STATION_WIDE = "0"


def down_intervals(
    events: Iterable[tuple[str, str, float, str]], until: float
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Down intervals per (station, connector) from status changes (station, connector, ts, status).

    A status holds until the connector's next change (or `until`). Connector "0" stands for the
    whole station: its down intervals are returned under (station, "0"); `spread_station_wide`
    copies them to the station's connectors.
    """
    by_key: dict[tuple[str, str], list[tuple[float, str]]] = {}
    for station, connector, ts, status in events:
        by_key.setdefault((station, connector), []).append((ts, status))
    out: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for key, changes in by_key.items():
        changes.sort()
        spans = []
        for i, (ts, status) in enumerate(changes):
            end = changes[i + 1][0] if i + 1 < len(changes) else until
            if status in DOWN_STATUSES and end > ts:
                spans.append((ts, end))
        out[key] = merge_intervals(spans)
    return out


def spread_station_wide(
    down: Mapping[tuple[str, str], list[tuple[float, float]]], connectors: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Per charging connector: its own down intervals plus its station's station-wide ones."""
    out: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for station, connector in connectors:
        spans = list(down.get((station, connector), [])) + list(down.get((station, STATION_WIDE), []))
        out[(station, connector)] = merge_intervals(spans)
    return out
