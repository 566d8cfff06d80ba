"""Turn unsorted, duplicated, multi-measurand readings into clean per-measurand series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evwatch.domain.ocpp import ENERGY, POWER, SOC
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
    """Clean series per measurand plus the evidence of duplicates and late arrivals."""

    series: dict[str, Series]
    dup_ts: np.ndarray  # timestamps of readings that repeated an earlier one
    late_ts: np.ndarray  # timestamps of readings that arrived after a later one
    all_ts: np.ndarray  # unique reading times, sorted
    soc_all_reconstructed: bool


def _collapse_phases(rows: list[Reading], combine: str) -> list[tuple[float, float]]:
    """Prefer phase-less rows; otherwise combine phase rows per timestamp (sum or mean)."""
    plain = [(r.ts, r.value) for r in rows if r.phase is None]
    if plain:
        return plain
    acc: dict[float, list[float]] = {}
    for r in rows:
        acc.setdefault(r.ts, []).append(r.value)
    return [(ts, float(np.sum(v) if combine == "sum" else np.mean(v))) for ts, v in acc.items()]


def clean(readings: Sequence[Reading]) -> Cleaned:
    """Group by measurand, drop non-finite values, record duplicate/out-of-order evidence, sort."""
    by: dict[str, list[Reading]] = {m: [] for m in KNOWN}
    dup: list[float] = []
    late: list[float] = []
    seen: set[tuple[str, str | None, float]] = set()
    last_ts: dict[tuple[str, str | None], float] = {}
    for r in readings:
        if r.measurand not in by or not np.isfinite(r.value) or not np.isfinite(r.ts):
            continue
        key = (r.measurand, r.phase, r.ts)
        if key in seen:
            dup.append(r.ts)
            continue
        seen.add(key)
        mk = (r.measurand, r.phase)
        if r.ts < last_ts.get(mk, -np.inf):
            late.append(r.ts)
        last_ts[mk] = max(r.ts, last_ts.get(mk, -np.inf))
        by[r.measurand].append(r)
    series: dict[str, Series] = {}
    soc_rows = by[SOC]
    soc_all_rec = bool(soc_rows) and all(r.reconstructed for r in soc_rows)
    for m, rows in by.items():
        if m == ENERGY:
            rows = [r for r in rows if not r.reconstructed]
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
