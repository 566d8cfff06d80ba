"""Turn unsorted, duplicated, multi-measurand readings into clean per-measurand series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evwatch.domain.categories import ENERGY_EVIDENCE, POWER_EVIDENCE, SOC_EVIDENCE
from evwatch.domain.ocpp import ENERGY, INTERVAL_ENERGY, OUTLET, POWER, SOC
from models.csar2.schema import Reading

KNOWN = (ENERGY, POWER, SOC)


@dataclass(frozen=True, slots=True)
class Series:
    """A time-sorted, de-duplicated series of one measurand (ts, value)."""

    ts: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.ts)


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Clean series per measurand plus the evidence of conflicting resends and late arrivals."""

    series: dict[str, Series]
    dup_ts: np.ndarray  # timestamps re-sent with a different value (an identical resend is no evidence)
    late_ts: np.ndarray  # timestamps of readings that arrived after a later one
    all_ts: np.ndarray  # unique reading times, sorted
    soc_all_reconstructed: bool

    @property
    def evidence(self) -> frozenset[str]:
        """The kinds of readings the session shows (`evwatch.domain.categories.observable`)."""
        out = set()
        if len(self.series[ENERGY]):
            out.add(ENERGY_EVIDENCE)
        if len(self.series[POWER]):
            out.add(POWER_EVIDENCE)
        if len(self.series[SOC]) and not self.soc_all_reconstructed:
            out.add(SOC_EVIDENCE)
        return frozenset(out)


def _collapse_phases(rows: list[Reading], combine: str) -> list[tuple[float, float]]:
    """Prefer phase-less rows; otherwise combine phase rows per timestamp (sum or mean)."""
    plain = [(r.ts, r.value) for r in rows if r.phase is None]
    if plain:
        return plain
    acc: dict[float, list[float]] = {}
    for r in rows:
        acc.setdefault(r.ts, []).append(r.value)
    return [(ts, float(np.sum(v) if combine == "sum" else np.mean(v))) for ts, v in acc.items()]


def _one_location(rows: list[Reading]) -> list[Reading]:
    """Readings of one place only: the car side (`Outlet`, OCPP's default) when present, else the most common."""
    places: dict[str | None, int] = {}
    for r in rows:
        place = r.location or OUTLET
        places[place] = places.get(place, 0) + 1
    if len(places) <= 1:
        return rows
    chosen = OUTLET if OUTLET in places else max(places, key=lambda p: (places[p], p or ""))
    return [r for r in rows if (r.location or OUTLET) == chosen]


def _register_from_intervals(rows: list[Reading]) -> list[Reading]:
    """Per-interval energy summed into a register that starts at 0 (only used when no register is sent)."""
    out: list[Reading] = []
    total = 0.0
    for r in sorted(rows, key=lambda r: r.ts):
        total += r.value
        out.append(Reading(r.ts, ENERGY, total, r.phase, r.reconstructed, r.location))
    return out


def clean(readings: Sequence[Reading]) -> Cleaned:
    """Group by measurand, drop non-finite values, record resend/out-of-order evidence, sort."""
    by: dict[str, list[Reading]] = {m: [] for m in (*KNOWN, INTERVAL_ENERGY)}
    dup: list[float] = []
    late: list[float] = []
    seen: dict[tuple[str, str | None, str | None, float], float] = {}
    last_ts: dict[tuple[str, str | None, str | None], float] = {}
    for r in readings:
        if r.measurand not in by or not np.isfinite(r.value) or not np.isfinite(r.ts):
            continue
        place = r.location or OUTLET
        key = (r.measurand, r.phase, place, r.ts)
        if key in seen:
            # an identical resend (lost acknowledgement) is benign; a different value is a conflict
            if seen[key] != r.value:
                dup.append(r.ts)
            continue
        seen[key] = r.value
        mk = (r.measurand, r.phase, place)
        if r.ts < last_ts.get(mk, -np.inf):
            late.append(r.ts)
        last_ts[mk] = max(r.ts, last_ts.get(mk, -np.inf))
        by[r.measurand].append(r)
    intervals = by.pop(INTERVAL_ENERGY)
    if not [r for r in by[ENERGY] if not r.reconstructed] and intervals:
        by[ENERGY] = _register_from_intervals(_one_location(intervals))
    series: dict[str, Series] = {}
    soc_rows = by[SOC]
    soc_all_rec = bool(soc_rows) and all(r.reconstructed for r in soc_rows)
    for m, rows in by.items():
        if m == ENERGY:
            rows = [r for r in rows if not r.reconstructed]
        rows = _one_location(rows)
        pts = _collapse_phases(rows, "sum" if m in (ENERGY, POWER) else "mean") if rows else []
        if not pts:
            series[m] = Series(np.zeros(0), np.zeros(0))
            continue
        arr = np.asarray(sorted(pts), dtype=np.float64)
        series[m] = Series(arr[:, 0], arr[:, 1])
    all_ts = np.unique(np.concatenate([s.ts for s in series.values()])) if series else np.zeros(0)
    return Cleaned(series, np.asarray(dup, dtype=np.float64), np.asarray(late, dtype=np.float64), all_ts, soc_all_rec)


def unit_grid(t_first: float, t_last: float, unit_seconds: float, max_units: int) -> tuple[float, int]:
    """Unit length and count: default length, grown (to a multiple of 15 s) if the session would not fit."""
    duration = max(t_last - t_first, 0.0)
    u = unit_seconds
    if duration / u + 1 > max_units:
        u = float(np.ceil(duration / (max_units - 1) / 15.0) * 15.0)
        while duration / u + 1 > max_units:
            u += 15.0
    n = int(duration // u) + 1
    return u, min(n, max_units)


def bin_index(ts: np.ndarray, t0: float, u: float, n: int) -> np.ndarray:
    """Unit index of each timestamp, clipped to the grid."""
    return np.clip(((ts - t0) // u).astype(np.int64), 0, n - 1)
