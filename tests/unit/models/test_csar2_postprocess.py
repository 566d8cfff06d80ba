"""interpret(): runs of categories become findings; session decision rule."""

from __future__ import annotations

import numpy as np

from evwatch.domain.categories import CATEGORIES
from evwatch.domain.ocpp import ENERGY
from models.csar2.io import MAX_UNITS, N_CATEGORIES
from models.csar2.postprocess import interpret, runs
from models.csar2.preprocess import prepare
from models.csar2.schema import Reading, SessionContext

T0 = 1_700_000_000.0


def _prepared():  # type: ignore[no-untyped-def]
    readings = [Reading(T0 + 60 * k, ENERGY, 0.1 * k) for k in range(60)]
    return prepare(readings, SessionContext())


def _outputs(score: float, probs: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "ANOMALY_SCORE": np.array([score], np.float32),
        "AE_SCORE": np.array([score], np.float32),
        "UNIT_PROBS": probs.astype(np.float32),
        "UNIT_ERROR": np.zeros(MAX_UNITS, np.float32),
    }


def test_runs_merge_short_gaps() -> None:
    on = np.zeros(30, bool)
    on[[2, 3, 4, 6, 7, 20]] = True
    assert runs(on, merge_gap=2) == [(2, 7), (20, 20)]
    assert runs(on, merge_gap=0) == [(2, 4), (6, 7), (20, 20)]
    assert runs(np.zeros(5, bool)) == []


def test_findings_per_run_with_times() -> None:
    p = _prepared()
    probs = np.zeros((MAX_UNITS, N_CATEGORIES))
    c = CATEGORIES.index("ENERGY_STALL")
    probs[10:15, c] = 0.9
    probs[40:42, c] = 0.7
    probs[100:, :] = 0.99  # padding beyond n_units is ignored
    res = interpret(p, _outputs(0.95, probs), "test")
    assert [(f.category, f.start_unit, f.end_unit) for f in res.findings] == [
        ("ENERGY_STALL", 10, 14),
        ("ENERGY_STALL", 40, 41),
    ]
    f = res.findings[0]
    assert f.start_ts == T0 + 600 and f.end_ts == T0 + 900
    assert 0 <= f.confidence <= 1 and f.score == np.float32(0.9)
    assert res.is_anomaly and res.model_version == "test"
    assert res.unit_seconds == 60.0


def test_quiet_session_is_not_anomalous() -> None:
    p = _prepared()
    res = interpret(p, _outputs(0.1, np.full((MAX_UNITS, N_CATEGORIES), 0.1)), "t")
    assert not res.is_anomaly and res.findings == ()
    assert 0.0 <= res.anomaly_confidence <= 1.0
    assert res.soc_reconstructed and len(res.reconstructed_soc) == 60
