"""Uptime behind `GET /v1/statistics` (pure).

uptimePercentage = 100 x available connector-time / observed connector-time over the last 30
days; uptimeDelta = that minus the same figure for the 30 days before, in percentage points.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from evwatch.domain.ocpp import STATION_CONNECTOR, UNAVAILABLE_STATUSES

DAY_S = 86_400.0
UPTIME_WINDOW_S = 30 * DAY_S


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
            if status in UNAVAILABLE_STATUSES and end > ts:
                spans.append((ts, end))
        out[key] = merge_intervals(spans)
    return out


def spread_station_wide(
    down: Mapping[tuple[str, str], list[tuple[float, float]]], connectors: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Per charging connector: its own down intervals plus its station's station-wide ones."""
    out: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for station, connector in connectors:
        spans = list(down.get((station, connector), [])) + list(down.get((station, STATION_CONNECTOR), []))
        out[(station, connector)] = merge_intervals(spans)
    return out
