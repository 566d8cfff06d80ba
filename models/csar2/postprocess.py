"""Network outputs (unbatched) -> Csar2Result: runs of a category become findings."""

from __future__ import annotations

import numpy as np

from evwatch.domain.categories import CATEGORIES, observable
from models.csar2.metadata import model_version as committed_version
from models.csar2.preprocess import PreparedSession
from models.csar2.schema import Csar2Result, Finding

# Calibration lives in the network, so 0.5 is the decision threshold for the session score
# and for every category's unit probabilities (per-category shifts are buffers of the model).
THRESHOLD = 0.5
MERGE_GAP_UNITS = 2  # runs separated by <= this many quiet units are one finding


def runs(on: np.ndarray, merge_gap: int = MERGE_GAP_UNITS) -> list[tuple[int, int]]:
    """Inclusive [start, end] index runs of True, merging runs split by short gaps."""
    idx = np.flatnonzero(on)
    if len(idx) == 0:
        return []
    out: list[tuple[int, int]] = []
    start = prev = int(idx[0])
    for i in idx[1:]:
        i = int(i)
        if i - prev > merge_gap + 1:
            out.append((start, prev))
            start = i
        prev = i
    out.append((start, prev))
    return out


def findings_from_probs(prepared: PreparedSession, probs: np.ndarray) -> tuple[Finding, ...]:
    """One Finding per contiguous above-threshold run of each category."""
    n = prepared.n_units
    found: list[Finding] = []
    for c, cat in enumerate(CATEGORIES):
        p = probs[:n, c]
        for a, b in runs(p > THRESHOLD):
            seg = p[a : b + 1]
            found.append(
                Finding(
                    category=cat,
                    start_unit=a,
                    end_unit=b,
                    start_ts=prepared.unit_start_ts(a),
                    end_ts=prepared.unit_end_ts(b),
                    score=float(np.clip(seg.max(), 0.0, 1.0)),
                    # share of the run that is confidently on, weighted by how far above threshold
                    confidence=float(np.clip(2.0 * (seg[seg > THRESHOLD].mean() - THRESHOLD), 0.0, 1.0)),
                )
            )
    return tuple(sorted(found, key=lambda f: (f.start_unit, f.category)))


def observable_probs(prepared: PreparedSession, probs: np.ndarray) -> np.ndarray:
    """Unit probabilities with every category the session's measurands cannot show set to 0."""
    gate = np.array([observable(cat, prepared.evidence) for cat in CATEGORIES], dtype=np.float32)
    return probs * gate


def interpret(
    prepared: PreparedSession, outputs: dict[str, np.ndarray], model_version: str | None = None
) -> Csar2Result:
    """Build the session result: the score is the highest observable category probability.

    The autoencoder's score is reported as `unfamiliar_score` only: telemetry unlike what the model
    has seen is worth a look, but it is no anomaly category and raises no alarm by itself.
    """
    probs = observable_probs(prepared, np.asarray(outputs["UNIT_PROBS"], dtype=np.float32))
    score = float(np.clip(probs[: prepared.n_units].max(initial=0.0), 0.0, 1.0))
    findings = findings_from_probs(prepared, probs)
    is_anomaly = bool(findings)
    return Csar2Result(
        anomaly_score=score,
        is_anomaly=is_anomaly,
        # how far the score is from the decision threshold, in [0, 1]
        anomaly_confidence=float(np.clip(abs(score - THRESHOLD) / THRESHOLD, 0.0, 1.0)),
        findings=findings,
        soc_reconstructed=prepared.soc_reconstructed,
        reconstructed_soc=prepared.reconstructed_soc if prepared.soc_reconstructed else (),
        unit_seconds=prepared.unit_seconds,
        model_version=model_version or committed_version(),
        unfamiliar_score=float(np.clip(np.asarray(outputs["AE_SCORE"]).reshape(-1)[0], 0.0, 1.0)),
    )
