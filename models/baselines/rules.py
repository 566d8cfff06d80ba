"""Baseline (a): careful hand-written physical threshold rules, one per category."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from models.baselines.session_series import SessionSeries, series_of
from models.csar2.schema import Reading, SessionContext


def _runs(on: np.ndarray) -> list[tuple[int, int]]:
    idx = np.flatnonzero(np.diff(np.concatenate([[0], on.astype(int), [0]])))
    return list(zip(idx[::2], idx[1::2] - 1, strict=True))


def detect(s: SessionSeries) -> set[str]:
    """Categories whose rule fires for this session."""
    out: set[str] = set()
    cap = s.max_kw or (float(np.max(s.p)) if len(s.p) else 350.0)
    if len(s.e) >= 2:
        d = np.diff(s.e)
        dt = np.maximum(np.diff(s.te), 1.0)
        runmax = np.maximum.accumulate(s.e)
        neg = np.flatnonzero(d < -0.01)
        if len(neg):
            # a register that never regains its previous maximum went down for good
            out.add("KWH_DECREASE" if s.e[-1] < runmax[neg[-1]] - 0.01 else "ENERGY_PIT")
        if (d > cap * 1.2 * dt / 3600.0 + 0.05).any():
            out.add("KWH_JUMP")
        total = float(s.e[-1] - s.e[0])
        if total < 0.1 and s.te[-1] - s.te[0] > 300:
            out.add("ZERO_ENERGY")
        if len(s.p) >= 2:
            p_at_e = np.interp(s.te, s.tp, s.p)
            flat = (np.abs(d) < 1e-9) & (p_at_e[1:] > 1.0)
            for a, b in _runs(flat):
                if b - a + 1 >= 3 and s.te[b + 1] - s.te[a] >= 300:
                    out.add("ENERGY_STALL")
            # both ends of a register step idle, so energy delivered before a stop is not counted
            idle = (p_at_e[1:] < 0.1) & (p_at_e[:-1] < 0.1)
            for a, b in _runs(idle):
                if s.e[b + 1] - s.e[a] > 0.05 and s.te[b + 1] - s.te[a] >= 300:
                    out.add("PHANTOM_ENERGY")
            # spikes are their own category: clip them before integrating
            integ = float(np.trapz(np.minimum(s.p, 1.1 * cap), s.tp) / 3600.0)
            if integ > 1.0 and abs(total / integ - 1.0) > 0.1:
                out.add("POWER_ENERGY_MISMATCH")
    if len(s.p) >= 2:
        pmed = float(np.median(s.p[s.p > 0.5])) if (s.p > 0.5).any() else 0.0
        if (s.max_kw and s.p.max() > 1.1 * s.max_kw) or (not s.max_kw and pmed > 0 and s.p.max() > 3 * pmed):
            out.add("POWER_SPIKE")
        pc = np.minimum(s.p, 1.1 * cap)
        top = float(np.percentile(pc, 95))  # robust peak: a spike must not define "full power"
        charging = pc > 0.2 * top
        if charging.any() and top > 0.2:
            first = int(np.argmax(charging))
            for a, b in _runs(pc < 0.1):
                if a > first and b - a + 1 >= 2 and s.tp[b] - s.tp[a] >= 120:
                    resumes = b + 1 < len(pc) and charging[b + 1 :].any()
                    # a stop that ends the session is only an interruption when SoC shows the car was
                    # clearly not done (cars also stop abruptly at their own target, e.g. 80 %)
                    stopped_early = bool(len(s.soc)) and float(np.interp(s.tp[a], s.ts, s.soc)) < (
                        s.target_soc - 3.0 if s.target_soc else 60.0
                    )
                    if resumes or stopped_early:
                        out.add("CHARGING_INTERRUPTION")
            low = (pc < 0.5 * top) & (pc > 0.1)
            soc_at_p = np.interp(s.tp, s.ts, s.soc) if len(s.soc) else np.zeros(len(pc))
            for a, b in _runs(low & (soc_at_p < 80.0)):
                later = b + 1 < len(pc) and (pc[b + 1 :] > 0.8 * top).any()
                if later and s.tp[b] - s.tp[a] >= 600:
                    out.add("POWER_DERATING")
    if len(s.soc) >= 2:
        ds = np.diff(s.soc)
        if (ds <= -2).any():
            out.add("SOC_DROP")
        if len(s.e) >= 2:
            de = np.diff(np.interp(s.ts, s.te, s.e))
            # 1 kWh moves a 100 kWh pack by ~1 %, smaller packs more; allow 3 % per kWh
            if ((ds >= 5) & (ds > 3.0 * np.maximum(de, 0) + 2)).any():
                out.add("SOC_JUMP")
    if len(s.all_ts) >= 3:
        gaps = np.diff(s.all_ts)
        if s.n_dup or s.n_late or gaps.max() > max(3.0 * np.median(gaps), 120.0):
            out.add("DATA_GAP")
    return out


def detect_session(readings: Sequence[Reading], ctx: SessionContext) -> set[str]:
    """Rules applied to raw readings."""
    return detect(series_of(readings, ctx))
