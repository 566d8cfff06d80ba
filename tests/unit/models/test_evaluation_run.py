"""The evaluate command end to end on a tiny held-out set."""

from __future__ import annotations

from pathlib import Path

from models.evaluation.run import evaluate


def test_evaluate_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "EVAL.md"
    report = evaluate(seed=5, n=20, out=out, iforest_n=30)
    assert out.read_text() == report
    for needle in ("macro", "AUROC", "false-positive rate, healthy", "KWH_DECREASE", "## Model"):
        assert needle in report
