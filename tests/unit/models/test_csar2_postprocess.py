"""interpret(): runs of categories become findings; session decision rule."""

from __future__ import annotations

import numpy as np

from evwatch.domain.categories import CATEGORIES
from evwatch.domain.ocpp import ENERGY, POWER
from models.csar2.io import MAX_UNITS, N_CATEGORIES
from models.csar2.postprocess import interpret, runs
from models.csar2.preprocess import prepare
from models.csar2.schema import Reading, SessionContext

T0 = 1_700_000_000.0


def _prepared(measurands: tuple[str, ...] = (ENERGY, POWER)):  # type: ignore[no-untyped-def]
    readings = [Reading(T0 + 60 * k, m, 0.1 * k if m == ENERGY else 6.0) for k in range(60) for m in measurands]
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


def test_a_category_the_measurands_cannot_show_is_never_raised() -> None:
    probs = np.zeros((MAX_UNITS, N_CATEGORIES))
    probs[10:15, CATEGORIES.index("POWER_ENERGY_MISMATCH")] = 0.95
    probs[20:25, CATEGORIES.index("SOC_JUMP")] = 0.95
    energy_only = interpret(_prepared((ENERGY,)), _outputs(0.95, probs), "t")
    assert energy_only.findings == () and not energy_only.is_anomaly and energy_only.anomaly_score == 0.0
    both = interpret(_prepared(), _outputs(0.95, probs), "t")
    assert [f.category for f in both.findings] == ["POWER_ENERGY_MISMATCH"]  # still no SoC


def test_unfamiliar_telemetry_alone_is_recorded_not_raised() -> None:
    res = interpret(_prepared(), _outputs(0.99, np.full((MAX_UNITS, N_CATEGORIES), 0.1)), "t")
    assert not res.is_anomaly and res.findings == ()
    assert res.unfamiliar_score == np.float32(0.99) and res.anomaly_score == np.float32(0.1)


def test_quiet_session_is_not_anomalous() -> None:
    p = _prepared((ENERGY,))
    res = interpret(p, _outputs(0.1, np.full((MAX_UNITS, N_CATEGORIES), 0.1)), "t")
    assert not res.is_anomaly and res.findings == ()
    assert 0.0 <= res.anomaly_confidence <= 1.0
    assert res.soc_reconstructed and len(res.reconstructed_soc) == 60
