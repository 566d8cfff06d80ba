"""Labelled SHADE samples from the simulator: station histories, then scored days with injected anomalies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from evwatch.domain.categories import STATION_ANOMALY_TYPES
from models.shade.features import PreparedDay, prepare, profile_of
from models.shade.schema import INPUT_CONNECTORS, INPUT_STATION, MINUTES, History
from models.shade.simulator import SimulatedDay, random_station, simulate_day, truncate

HISTORY_DAYS = 14


@dataclass(frozen=True)
class Sample:
    """One prepared station-day with its ground truth."""

    prepared: PreparedDay
    minute_labels: np.ndarray  # [MINUTES] int, 0 past the observed minutes
    label: str | None  # day-level anomaly type, None when healthy (or not yet visible)
    severity: float


def _visible(sim: SimulatedDay, observed: int) -> tuple[np.ndarray, str | None]:
    labels = sim.minute_labels.copy()
    labels[observed:] = 0
    # A partial day only counts as anomalous once enough of the anomaly has been seen.
    label = sim.label if (labels > 0).sum() >= 30 else None
    return labels, label


def iter_samples(
    n_stations: int,
    seed: int,
    days_per_station: int = 10,
    healthy_share: float = 0.35,
    partial_share: float = 0.2,
    short_history_share: float = 0.1,
) -> Iterator[Sample]:
    """Deterministic stream of samples: `n_stations` stations x `days_per_station` scored days."""
    rng = np.random.default_rng(seed)
    for s in range(n_stations):
        spec = random_station(rng)
        station_seed = int(rng.integers(0, 2**31))
        total = HISTORY_DAYS + days_per_station
        healthy = [simulate_day(spec, d, station_seed).day for d in range(total)]
        profiles = [profile_of(d) for d in healthy]
        for d in range(HISTORY_DAYS, total):
            types = [t for t in STATION_ANOMALY_TYPES if t != "meter_mismatch" or spec.has_station_meter]
            anomaly = None if rng.random() < healthy_share else str(rng.choice(types))
            severity = float(rng.uniform(0.0, 1.0))
            sim = (
                simulate_day(spec, d, station_seed, anomaly=anomaly, severity=severity)
                if anomaly
                else SimulatedDay(healthy[d], np.zeros(MINUTES, dtype=np.int64), ())
            )
            n_hist = HISTORY_DAYS if rng.random() >= short_history_share else int(rng.integers(0, 4))
            past = list(profiles[d - n_hist : d]) if n_hist else []
            if past and rng.random() < 0.2:
                # Real histories contain bad days too.
                j = int(rng.integers(0, len(past)))
                bad = simulate_day(spec, d - len(past) + j, station_seed + s + 1, anomaly=str(rng.choice(types)))
                past[j] = profile_of(bad.day)
            day = sim.day
            observed = MINUTES
            if rng.random() < partial_share:
                observed = int(rng.integers(360, MINUTES))
                day = truncate(day, observed)
            labels, label = _visible(sim, observed)
            yield Sample(prepare(day, History(tuple(past))), labels, label, severity)


def to_arrays(samples: list[Sample]) -> dict[str, np.ndarray]:
    """Stack samples into training tensors (inputs, minute labels, day labels, observed masks)."""
    return {
        INPUT_STATION: np.stack([s.prepared.inputs[INPUT_STATION] for s in samples]),
        INPUT_CONNECTORS: np.stack([s.prepared.inputs[INPUT_CONNECTORS] for s in samples]),
        "minute_labels": np.stack([s.minute_labels for s in samples]),
        "day_labels": np.array([0 if s.label is None else 1 + STATION_ANOMALY_TYPES.index(s.label) for s in samples]),
        "observed": np.stack([np.arange(MINUTES) < s.prepared.day.minutes_observed for s in samples]),
    }
