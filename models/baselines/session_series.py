"""Sorted per-measurand arrays of one session, shared by the baselines."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evwatch.domain.ocpp import ENERGY, POWER, SOC
from models.csar2.resample import clean
from models.csar2.schema import Reading, SessionContext


@dataclass(frozen=True, slots=True)
class SessionSeries:
    """Energy/power/SoC arrays plus delivery evidence (duplicates, late arrivals)."""

    te: np.ndarray
    e: np.ndarray
    tp: np.ndarray
    p: np.ndarray
    ts: np.ndarray
    soc: np.ndarray
    n_dup: int
    n_late: int
    all_ts: np.ndarray
    max_kw: float | None
    target_soc: float | None


def series_of(readings: Sequence[Reading], ctx: SessionContext) -> SessionSeries:
    """Clean and split a session's readings."""
    c = clean(readings)
    s = c.series
    return SessionSeries(
        s[ENERGY].ts,
        s[ENERGY].value,
        s[POWER].ts,
        s[POWER].value,
        s[SOC].ts,
        s[SOC].value,
        len(c.dup_ts),
        len(c.late_ts),
        c.all_ts,
        ctx.max_power_kw,
        ctx.target_soc,
    )
