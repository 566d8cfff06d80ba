"""Baseline (b): Isolation Forest on session-level summary features (unsupervised, healthy fit)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.ensemble import IsolationForest

from models.baselines.session_series import series_of
from models.csar2.schema import Reading, SessionContext


def session_features(readings: Sequence[Reading], ctx: SessionContext) -> np.ndarray:
    """Scale-free session summary: energy, rates, steps, gaps, SoC behaviour."""
    s = series_of(readings, ctx)
    dur = max(float(s.all_ts[-1] - s.all_ts[0]), 1.0) if len(s.all_ts) else 1.0
    cap = s.max_kw or (float(s.p.max()) if len(s.p) else 50.0) or 1.0
    f = np.zeros(14)
    if len(s.e) >= 2:
        d = np.diff(s.e)
        dt = np.maximum(np.diff(s.te), 1.0)
        rate = d / dt * 3600.0 / cap
        total = float(s.e[-1] - s.e[0])
        f[0] = np.log1p(max(total, 0.0))
        f[1] = np.sign(rate.min()) * np.log1p(abs(rate.min()))
        f[2] = np.log1p(max(rate.max(), 0.0))
        f[3] = float((np.abs(d) < 1e-9).mean())
        if len(s.p) >= 2:
            integ = float(np.trapz(s.p, s.tp) / 3600.0)
            f[4] = np.clip(np.log((max(total, 0) + 0.1) / (integ + 0.1)), -5, 5)
    if len(s.p):
        f[5] = s.p.max() / cap
        f[6] = float((s.p < 0.1).mean())
        f[7] = float(np.mean(s.p)) / cap
    f[8] = np.log(dur / 3600.0)
    if len(s.all_ts) >= 3:
        g = np.diff(s.all_ts)
        f[9] = np.log(g.max() / max(np.median(g), 1.0))
        f[10] = np.log(max(np.median(g), 1.0))
    if len(s.soc) >= 2:
        ds = np.diff(s.soc)
        f[11] = ds.min()
        f[12] = ds.max()
    f[13] = np.log1p(s.n_dup + s.n_late)
    return np.nan_to_num(f)


class IsolationForestBaseline:
    """Fit on healthy sessions; higher score = more anomalous."""

    def __init__(self, seed: int = 0) -> None:
        self.model = IsolationForest(n_estimators=200, random_state=seed)
        self.threshold = 0.0

    def fit(self, x: np.ndarray, fpr: float = 0.02) -> IsolationForestBaseline:
        """Fit and set the threshold at the healthy (1 - fpr) quantile."""
        self.model.fit(x)
        self.threshold = float(np.quantile(self.score(x), 1.0 - fpr))
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        """Anomaly score (negated sklearn score_samples)."""
        return -self.model.score_samples(x)
