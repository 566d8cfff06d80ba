"""The evaluate command end to end on a tiny set."""

from __future__ import annotations

from pathlib import Path

from models.evaluation.run import evaluate
from models.evaluation.sets import FROZEN, SetSpec, build_set
from models.simulator import wire


def test_evaluate_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "EVAL.md"
    report = evaluate(SetSpec("tiny", seed=5, n=20, profile="holdout"), out=out, iforest_n=30, variants_n=8)
    assert out.read_text() == report
    for needle in ("macro", "AUROC", "false-positive rate, healthy", "KWH_DECREASE", "## Model", "## Targets"):
        assert needle in report
    assert "not the frozen test set" in report
    for variant in wire.VARIANTS:
        assert f"| {variant} |" in report


def test_sets_are_deterministic_and_the_frozen_one_is_its_own_seed_space() -> None:
    a, b = (
        build_set(SetSpec("x", seed=6, n=4, profile="frozen")),
        build_set(SetSpec("x", seed=6, n=4, profile="frozen")),
    )
    assert a.digest == b.digest
    assert FROZEN.seed not in (1, 501, 9) and FROZEN.profile == "frozen"
