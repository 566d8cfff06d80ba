"""Baselines (rules, Isolation Forest features) and evaluation metrics."""

from __future__ import annotations

import numpy as np

from models.baselines.isolation_forest import IsolationForestBaseline, session_features
from models.baselines.rules import detect_session
from models.evaluation.metrics import auroc, iou, prf
from models.simulator import simulate_session


def test_auroc_matches_pairwise_definition() -> None:
    rng = np.random.default_rng(0)
    y = rng.uniform(size=200) < 0.3
    s = np.round(rng.normal(size=200) + y, 1)  # ties on purpose
    pos, neg = s[y], s[~y]
    pairs = (pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean()
    assert abs(auroc(y, s) - pairs) < 1e-9
    assert np.isnan(auroc(np.ones(3, bool), np.ones(3)))


def test_prf_and_iou() -> None:
    r = prf([{"A"}, {"A"}, set()], [{"A"}, set(), {"A"}], "A")
    assert (r.tp, r.fp, r.fn) == (1, 1, 1) and abs(r.f1 - 0.5) < 1e-9
    assert iou({1, 2, 3}, {2, 3, 4}) == 0.5


def test_rules_fire_on_crisp_cases_and_stay_quiet_on_clean() -> None:
    s = simulate_session(3, "KWH_JUMP", severity="severe")
    assert "KWH_JUMP" in detect_session(s.readings, s.context)
    s = simulate_session(3, "SOC_DROP", severity="severe")
    assert "SOC_DROP" in detect_session(s.readings, s.context)


def test_isolation_forest_scores_outliers_higher() -> None:
    x = np.stack([session_features(s.readings, s.context) for s in (simulate_session(i) for i in range(40))])
    assert x.shape == (40, 14) and np.isfinite(x).all()
    b = IsolationForestBaseline(0).fit(x)
    odd = x[:1] + 50.0
    assert b.score(odd)[0] > np.median(b.score(x))
