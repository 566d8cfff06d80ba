"""Per-unit physics features of a session (the CSAR-2 input)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evwatch.domain.ocpp import ENERGY, POWER, SOC
from models.csar2.resample import KNOWN, Cleaned, bin_index
from models.csar2.schema import SessionContext
from models.csar2.soc import estimate_capacity, reconstruct

FEATURE_NAMES: tuple[str, ...] = (
    "e_rate",
    "p_mean",
    "p_max",
    "p_observed",
    "pe_residual",
    "pe_logratio",
    "pe_logratio_win",
    "soc",
    "soc_delta",
    "soc_residual",
    "soc_observed",
    "soc_reconstructed",
    "level_vs_peak",
    "neg_step",
    "jump_excess",
    "drawdown",
    "drawdown_recovers",
    "e_flat_time",
    "gap_rel",
    "gap_abs",
    "n_readings",
    "duplicates",
    "late",
    "elapsed_frac",
    "soc_drawdown",
    "has_power",
    "has_soc",
    "is_dc",
    "max_power_known",
    "log_p_ref",
    "profile_limit",
    "log_unit",
    "p_self",
    "e_self",
    "has_energy",
)
# features the layer-1 autoencoder reconstructs (the physical state, not the flags)
RECON_IDX: tuple[int, ...] = (0, 1, 2, 4, 5, 6, 7, 8, 9, 13, 14, 15, 17, 18, 32, 33)


def slog(x: np.ndarray) -> np.ndarray:
    """Signed log1p: keeps small values linear and huge ones (lifetime totals, 1000x spikes) bounded."""
    return np.sign(x) * np.log1p(np.abs(x))


@dataclass(frozen=True, slots=True)
class UnitFeatures:
    """Feature matrix [n_units, F] plus what post-processing and SoC reporting need."""

    x: np.ndarray
    p_ref: float
    soc_reconstructed: bool
    reconstructed_soc: tuple[tuple[float, float], ...]


def reference_power(c: Cleaned, ctx: SessionContext) -> float:
    """Power scale: the connector rating if known, else what the session itself shows."""
    if ctx.max_power_kw and ctx.max_power_kw > 0:
        return float(ctx.max_power_kw)
    p = c.series[POWER].value
    e = c.series[ENERGY]
    cands = [1.0]
    if len(p):
        cands.append(float(np.percentile(p, 90)))
    if len(e) >= 2:
        rates = np.diff(e.value) / np.maximum(np.diff(e.ts), 1.0) * 3600.0
        rates = rates[rates > 0]
        if len(rates):
            cands.append(float(np.percentile(rates, 75)))
    return max(cands)


def window_sum(v: np.ndarray, half: int) -> np.ndarray:
    """Sum over a centred window of 2*half+1 units (truncated at the edges)."""
    c = np.concatenate([[0.0], np.cumsum(v)])
    i = np.arange(len(v))
    return c[np.minimum(i + half + 1, len(v))] - c[np.maximum(i - half, 0)]


def plausible_delivered(ts: np.ndarray, e: np.ndarray, p_ref: float) -> np.ndarray:
    """Energy delivered since start, counting only steps the connector could have delivered."""
    d = np.diff(e)
    cap = (p_ref * 1.15 + 0.5) * np.maximum(np.diff(ts), 1.0) / 3600.0
    return np.concatenate([[0.0], np.cumsum(np.clip(d, 0.0, cap))])


def _bin_mean(idx: np.ndarray, v: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    cnt = np.bincount(idx, minlength=n).astype(np.float64)
    s = np.bincount(idx, weights=v, minlength=n)
    return np.divide(s, np.maximum(cnt, 1.0)), cnt


def _bin_max(idx: np.ndarray, v: np.ndarray, n: int, fill: float) -> np.ndarray:
    out = np.full(n, fill)
    np.maximum.at(out, idx, v)
    return out


def _gap_features(c: Cleaned, t0: float, u: float, n: int, mids: np.ndarray, x: np.ndarray, f: dict[str, int]) -> None:
    """Gaps judged per measurand: a unit is covered when any measurand reads around it at its own cadence.

    Measurands sent in separate frames with their own timestamps, or one measurand left out of some
    frames, are no gap; a stretch where no measurand reads is.
    """
    rel = np.full(n, np.inf)
    cover = np.full(n, np.inf)
    counts = np.zeros(n)
    medians = []
    for m in KNOWN:
        ts = c.series[m].ts
        if len(ts) < 2:
            continue
        med = max(float(np.median(np.diff(ts))), 1.0)
        medians.append(med)
        k = np.clip(np.searchsorted(ts, mids), 1, len(ts) - 1)
        span = ts[k] - ts[k - 1]
        inside = (mids >= ts[0]) & (mids <= ts[-1])
        rel = np.minimum(rel, np.where(inside, span / med, np.inf))
        cover = np.minimum(cover, np.where(inside, span, np.inf))
        counts = np.maximum(counts, np.bincount(bin_index(ts, t0, u, n), minlength=n))
    if not medians:
        return
    rel = np.where(np.isfinite(rel), rel, 1.0)
    cover = np.where(np.isfinite(cover), cover, min(medians))
    x[:, f["gap_rel"]] = slog(rel - 1.0)
    x[:, f["gap_abs"]] = np.log1p(cover / 60.0)
    x[:, f["n_readings"]] = np.log1p(counts)
    x[:, f["log_unit"]] = np.log(min(medians) / 60.0) / 3.0


def compute(c: Cleaned, ctx: SessionContext, t0: float, u: float, n: int) -> UnitFeatures:
    """All per-unit features on the grid (t0, unit length u, n units)."""
    p_ref = reference_power(c, ctx)
    e_ref = p_ref * u / 3600.0  # energy one unit can hold at the reference power
    mids = t0 + (np.arange(n) + 0.5) * u
    bounds = t0 + np.arange(n + 1) * u
    x = np.zeros((n, len(FEATURE_NAMES)), dtype=np.float64)
    f = {name: i for i, name in enumerate(FEATURE_NAMES)}

    es = c.series[ENERGY]
    has_energy = len(es) > 0
    if has_energy:
        e_b = np.interp(bounds, es.ts, es.value)
        e_delta = np.diff(e_b)
    else:
        e_delta = np.zeros(n)
    e_rate = e_delta / max(e_ref, 1e-9)  # in units of reference power
    x[:, f["e_rate"]] = slog(e_rate)

    ps = c.series[POWER]
    has_power = len(ps) > 0
    if has_power:
        pi = bin_index(ps.ts, t0, u, n)
        p_bin, p_cnt = _bin_mean(pi, ps.value, n)
        p_interp = np.interp(mids, ps.ts, ps.value)
        p_mean = np.where(p_cnt > 0, p_bin, p_interp) / p_ref
        p_max = np.maximum(_bin_max(pi, ps.value, n, -np.inf), np.where(p_cnt > 0, -np.inf, p_interp)) / p_ref
        x[:, f["p_mean"]] = p_mean
        x[:, f["p_max"]] = slog(p_max)
        x[:, f["p_observed"]] = p_cnt > 0
    if has_power and has_energy:
        # power against energy only where both are reported: a missing register is no zero rate
        x[:, f["pe_residual"]] = slog(p_mean - e_rate)
        both = (p_mean > 0.03) | (e_rate > 0.03)
        x[:, f["pe_logratio"]] = np.where(
            both, np.clip(np.log((e_rate.clip(0) + 0.02) / (p_mean.clip(0) + 0.02)), -4, 4), 0.0
        )
        es_w = window_sum(e_rate.clip(0), 4)
        ps_w = window_sum(p_mean.clip(0), 4)
        x[:, f["pe_logratio_win"]] = np.where(
            (es_w > 0.1) | (ps_w > 0.1), np.clip(np.log((es_w + 0.1) / (ps_w + 0.1)), -4, 4), 0.0
        )
    if has_power:
        p95 = max(float(np.percentile(ps.value, 95)), 0.05 * p_ref, 1e-3)
        x[:, f["p_self"]] = np.clip(p_mean * p_ref / p95, -2, 5)
    rate_pos = e_rate[e_rate > 0]
    r95 = max(float(np.percentile(rate_pos, 95)) if len(rate_pos) else 0.0, 0.05)
    x[:, f["e_self"]] = np.clip(e_rate / r95, -5, 5)

    # SoC: observed, or reconstructed from delivered energy
    ss = c.series[SOC]
    soc_rec = (len(ss) == 0 or c.soc_all_reconstructed) and len(es) > 0
    cap = estimate_capacity(ctx, p_ref)
    rec_pts: tuple[tuple[float, float], ...] = ()
    if soc_rec:
        delivered = plausible_delivered(es.ts, es.value, p_ref)
        soc_b = reconstruct(np.interp(bounds, es.ts, delivered), ctx, cap)
        rec = reconstruct(delivered, ctx, cap)
        rec_pts = tuple((float(t), float(round(s, 2))) for t, s in zip(es.ts, rec, strict=True))
        x[:, f["soc_reconstructed"]] = 1.0
    elif len(ss):
        soc_b = np.interp(bounds, ss.ts, ss.value)
        si = bin_index(ss.ts, t0, u, n)
        x[:, f["soc_observed"]] = np.bincount(si, minlength=n) > 0
    else:
        soc_b = np.zeros(n + 1)
    soc_delta = np.diff(soc_b)
    if len(ss) and not soc_rec:
        # a SoC that fell below its running max (and maybe came back): drops, not jumps
        x[:, f["soc_drawdown"]] = slog(np.maximum.accumulate(soc_b[1:]) - soc_b[1:])
    x[:, f["soc"]] = soc_b[1:] / 100.0
    x[:, f["soc_delta"]] = slog(soc_delta)
    if len(ss) and not soc_rec:
        # session's own SoC-per-kWh gain, so a wrong capacity guess does not look like an anomaly
        ok = (e_delta > 0.2 * e_ref) & (soc_delta >= 0)
        gain = (
            float(np.sum(soc_delta[ok]) / np.sum(e_delta[ok]))
            if ok.sum() >= 3 and np.sum(e_delta[ok]) > 0
            else 100.0 * 0.91 / cap
        )
        gain = float(np.clip(gain, 100.0 * 0.8 / 200.0, 100.0 / 10.0))
        x[:, f["soc_residual"]] = slog(soc_delta - gain * e_delta.clip(0))

    # charging level against the best level reached so far (derating and interruptions drop it,
    # a late CV taper drops it too but with high SoC, which the model also sees)
    level = x[:, f["p_self"]] if has_power else x[:, f["e_self"]]
    smooth = window_sum(level, 2) / np.minimum(5, window_sum(np.ones(n), 2))
    peak = np.maximum.accumulate(np.maximum(smooth, 0.0))
    x[:, f["level_vs_peak"]] = np.where(peak > 0.05, np.clip(smooth / np.maximum(peak, 1e-6), -1.0, 2.0), 1.0)
    if len(es):
        ei = bin_index(es.ts, t0, u, n)
        d = np.diff(es.value)
        dt = np.maximum(np.diff(es.ts), 1.0)
        di = ei[1:]
        neg = np.bincount(di, weights=np.minimum(d, 0.0), minlength=n) / max(e_ref, 1e-9)
        x[:, f["neg_step"]] = slog(neg)
        cap_kw = p_ref * 1.15 + 0.5
        feasible = cap_kw * dt / 3600.0 + 0.002
        excess = np.maximum(d / feasible - 1.0, 0.0)
        x[:, f["jump_excess"]] = slog(_bin_max(di, excess, n, 0.0)) if len(d) else 0.0
        runmax = np.maximum.accumulate(es.value)
        draw = runmax - es.value
        futmax = np.maximum.accumulate(es.value[::-1])[::-1]
        recovers = (draw > 0) & (futmax >= runmax - 1e-9)
        scale = max(e_ref * 5.0, 0.05)
        x[:, f["drawdown"]] = slog(_bin_max(ei, draw / scale, n, 0.0))
        x[:, f["drawdown_recovers"]] = _bin_max(ei, recovers.astype(float), n, 0.0)
        # how long the register has not moved at each unit end, relative to the unit
        changed_ts = es.ts[np.concatenate([[True], np.abs(d) > 1e-9])]
        j = np.searchsorted(changed_ts, bounds[1:], side="right") - 1
        flat = bounds[1:] - changed_ts[np.clip(j, 0, len(changed_ts) - 1)]
        x[:, f["e_flat_time"]] = slog(np.minimum(flat, bounds[1:] - es.ts[0]).clip(0) / u)

    _gap_features(c, t0, u, n, mids, x, f)
    if len(c.dup_ts):
        x[:, f["duplicates"]] = np.log1p(np.bincount(bin_index(c.dup_ts, t0, u, n), minlength=n))
    if len(c.late_ts):
        x[:, f["late"]] = np.log1p(np.bincount(bin_index(c.late_ts, t0, u, n), minlength=n))
    x[:, f["elapsed_frac"]] = np.arange(n) / max(n - 1, 1)
    x[:, f["has_power"]] = float(has_power)
    x[:, f["has_soc"]] = float(len(ss) > 0 and not c.soc_all_reconstructed)
    x[:, f["is_dc"]] = {"DC": 1.0, "AC": 0.0}.get((ctx.current_type or "").upper(), 0.5)
    x[:, f["max_power_known"]] = float(bool(ctx.max_power_kw))
    x[:, f["log_p_ref"]] = np.log(p_ref) / 5.0
    x[:, f["has_energy"]] = float(has_energy)
    if ctx.charging_profile_limit_kw and ctx.charging_profile_limit_kw > 0:
        # how far the operator's profile cuts below the rating: a profile at or above it is no limit
        x[:, f["profile_limit"]] = 1.0 - min(ctx.charging_profile_limit_kw / p_ref, 1.0)
    x = np.nan_to_num(x, nan=0.0, posinf=10.0, neginf=-10.0)
    return UnitFeatures(x=x.astype(np.float32), p_ref=p_ref, soc_reconstructed=bool(soc_rec), reconstructed_soc=rec_pts)
