"""The committed weights' metadata (threshold, version, metrics) without importing torch."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from models.shade.interpret import DEFAULT_THRESHOLD

WEIGHTS_DIR = Path(__file__).parent / "weights"
META_FILE = "shade.json"


@cache
def load_meta(weights_dir: Path = WEIGHTS_DIR) -> dict[str, Any]:
    """Parsed `shade.json` of a weights directory."""
    meta: dict[str, Any] = json.loads((weights_dir / META_FILE).read_text())
    return meta


def threshold(weights_dir: Path = WEIGHTS_DIR) -> float:
    """Calibrated day-score threshold shipped with the weights (Triton serves the raw network)."""
    return float(load_meta(weights_dir).get("threshold", DEFAULT_THRESHOLD))
