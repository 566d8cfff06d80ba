"""Deterministic stand-ins for the CSAR-2 and SHADE networks: right shapes, simple rules."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from evwatch.domain.categories import CATEGORIES
from models.csar2.features import FEATURE_NAMES
from models.csar2.io import OUTPUTS as CSAR2_OUTPUTS
from models.shade.schema import MINUTES, N_CLASSES, OUTPUT_DAY_SCORE, OUTPUT_MINUTE_PROBS

_NEG_STEP = FEATURE_NAMES.index("neg_step")
_KWH_DECREASE = CATEGORIES.index("KWH_DECREASE")


class FakeCsar2:
    """Flags KWH_DECREASE on every unit where the register stepped down; counts its calls."""

    def __init__(self) -> None:
        self.batch_sizes: list[int] = []

    def __call__(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        features, mask = inputs["FEATURES"], inputs["MASK"]
        batch, units = mask.shape
        self.batch_sizes.append(batch)
        probs = np.zeros((batch, units, len(CATEGORIES)), dtype=np.float32)
        probs[..., _KWH_DECREASE] = np.where((features[..., _NEG_STEP] < 0) & (mask > 0), 0.95, 0.0)
        score = probs.max(axis=(1, 2)).astype(np.float32).reshape(batch, 1)
        out = {
            "ANOMALY_SCORE": score,
            "AE_SCORE": np.full((batch, 1), 0.1, dtype=np.float32),
            "UNIT_PROBS": probs,
            "UNIT_ERROR": np.zeros((batch, units), dtype=np.float32),
        }
        assert set(out) == set(CSAR2_OUTPUTS)
        return out


class FakeShade:
    """Scores every station-day normal."""

    def __call__(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        batch = len(next(iter(inputs.values())))
        probs = np.zeros((batch, N_CLASSES, MINUTES), dtype=np.float32)
        probs[:, 0, :] = 1.0
        return {OUTPUT_MINUTE_PROBS: probs, OUTPUT_DAY_SCORE: np.zeros((batch, 1), dtype=np.float32)}
