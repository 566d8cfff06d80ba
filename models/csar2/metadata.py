"""Committed weights location and their JSON metadata (architecture, calibration, provenance)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

WEIGHTS_DIR = Path(__file__).parent / "weights"
WEIGHTS_PATH = WEIGHTS_DIR / "csar2.pt"


def metadata_path(weights: Path) -> Path:
    """The JSON sidecar of a weights file."""
    return weights.with_suffix(".json")


def read_metadata(weights: Path = WEIGHTS_PATH) -> dict[str, Any]:
    """Metadata of a weights file ({} if absent)."""
    p = metadata_path(weights)
    return json.loads(p.read_text()) if p.exists() else {}


@lru_cache(maxsize=1)
def model_version() -> str:
    """Version string of the committed weights."""
    return str(read_metadata().get("version", "csar2-untrained"))
