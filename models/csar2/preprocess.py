"""Readings + context -> fixed-shape, unbatched Triton inputs (pure numpy)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from models.csar2 import features, resample
from models.csar2.io import DEFAULT_UNIT_SECONDS, MAX_UNITS, N_FEATURES
from models.csar2.schema import Reading, SessionContext

assert len(features.FEATURE_NAMES) == N_FEATURES


@dataclass(frozen=True, slots=True)
class PreparedSession:
    """Triton inputs (unbatched) plus the grid and SoC facts post-processing needs."""

    inputs: dict[str, np.ndarray]
    n_units: int
    unit_seconds: float
    t0: float
    p_ref: float
    soc_reconstructed: bool
    reconstructed_soc: tuple[tuple[float, float], ...]
    # the kinds of readings the session shows: findings are raised only where they can be seen
    evidence: frozenset[str] = frozenset()

    def unit_start_ts(self, unit: int) -> float:
        """Epoch seconds at which a unit begins."""
        return self.t0 + unit * self.unit_seconds

    def unit_end_ts(self, unit: int) -> float:
        """Epoch seconds at which a unit ends."""
        return self.t0 + (unit + 1) * self.unit_seconds


def prepare(
    readings: Sequence[Reading], ctx: SessionContext, unit_seconds: float = DEFAULT_UNIT_SECONDS
) -> PreparedSession:
    """Clean, resample to units and compute features; needs >= 3 usable readings."""
    c = resample.clean(readings)
    n_read = sum(len(s) for s in c.series.values())
    if n_read < 3 or len(c.all_ts) == 0:
        raise ValueError(f"CSAR-2 needs at least 3 meter values, got {n_read}")
    t0 = float(c.all_ts[0])
    u, n = resample.unit_grid(t0, float(c.all_ts[-1]), unit_seconds, MAX_UNITS)
    uf = features.compute(c, ctx, t0, u, n)
    x = np.zeros((MAX_UNITS, N_FEATURES), dtype=np.float32)
    x[:n] = uf.x
    mask = np.zeros(MAX_UNITS, dtype=np.float32)
    mask[:n] = 1.0
    return PreparedSession(
        inputs={"FEATURES": x, "MASK": mask},
        n_units=n,
        unit_seconds=u,
        t0=t0,
        p_ref=uf.p_ref,
        soc_reconstructed=uf.soc_reconstructed,
        reconstructed_soc=uf.reconstructed_soc,
        evidence=c.evidence,
    )
