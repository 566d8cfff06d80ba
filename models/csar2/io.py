"""Triton tensor contract of the csar2 model (names, dtypes, shapes without the batch dim)."""

from __future__ import annotations

from evwatch.domain.categories import CATEGORIES

MAX_UNITS = 512  # longest session grid; longer sessions get coarser units
N_FEATURES = 35  # per-unit feature vector length (see features.FEATURE_NAMES)
N_CATEGORIES = len(CATEGORIES)
DEFAULT_UNIT_SECONDS = 60.0
MAX_BATCH_SIZE = 64

INPUTS: dict[str, tuple[str, tuple[int, ...]]] = {
    "FEATURES": ("FP32", (MAX_UNITS, N_FEATURES)),
    "MASK": ("FP32", (MAX_UNITS,)),
}
OUTPUTS: dict[str, tuple[str, tuple[int, ...]]] = {
    "ANOMALY_SCORE": ("FP32", (1,)),  # highest category probability in the session, in [0, 1]
    "AE_SCORE": ("FP32", (1,)),  # calibrated layer-1 reconstruction score ("unfamiliar telemetry"), in [0, 1]
    "UNIT_PROBS": ("FP32", (MAX_UNITS, N_CATEGORIES)),  # per-unit probabilities, 0.5 = decision threshold
    "UNIT_ERROR": ("FP32", (MAX_UNITS,)),  # per-unit reconstruction error (diagnostics)
}
