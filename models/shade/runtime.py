"""Load the committed SHADE weights and run batched inference in-process (tests, export, offline use)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from models.shade.features import PreparedDay
from models.shade.interpret import DEFAULT_THRESHOLD, interpret
from models.shade.metadata import META_FILE, WEIGHTS_DIR
from models.shade.network import ShadeNet
from models.shade.schema import (
    INPUT_CONNECTORS,
    INPUT_STATION,
    OUTPUT_DAY_SCORE,
    OUTPUT_MINUTE_PROBS,
    ShadeResult,
)

STATE_FILE = "shade.pt"


def build_network(meta: dict[str, Any]) -> ShadeNet:
    """A ShadeNet with the architecture recorded in the weights' metadata."""
    arch = meta.get("architecture", {})
    return ShadeNet(
        hidden=int(arch.get("hidden", 32)),
        connector_hidden=int(arch.get("connector_hidden", 16)),
        pool=int(arch.get("pool", 5)),
        dilations=tuple(arch.get("dilations", (1, 2, 4, 8, 16, 32, 64))),
    )


def save_network(model: ShadeNet, meta: dict[str, Any], weights_dir: Path = WEIGHTS_DIR) -> None:
    """Write state_dict (fp32) and metadata json."""
    weights_dir.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}, weights_dir / STATE_FILE)
    (weights_dir / META_FILE).write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")


def load_network(weights_dir: Path = WEIGHTS_DIR) -> tuple[ShadeNet, dict[str, Any]]:
    """The trained network in eval mode plus its metadata."""
    meta = json.loads((weights_dir / META_FILE).read_text())
    model = build_network(meta)
    model.load_state_dict(torch.load(weights_dir / STATE_FILE, map_location="cpu", weights_only=True))
    model.eval()
    return model, meta


@dataclass
class TorchShade:
    """SHADE on torch in this process: the same tensors in and out as the Triton model."""

    model: ShadeNet
    meta: dict[str, Any]

    @classmethod
    def load(cls, weights_dir: Path = WEIGHTS_DIR) -> TorchShade:
        """Load the committed (or given) weights."""
        model, meta = load_network(weights_dir)
        return cls(model=model, meta=meta)

    @property
    def threshold(self) -> float:
        """Calibrated day-score threshold stored with the weights."""
        return float(self.meta.get("threshold", DEFAULT_THRESHOLD))

    def infer(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Batched STATION [B,16,1440] + CONNECTORS [B,8,8,1440] -> MINUTE_PROBS [B,6,1440], DAY_SCORE [B,1]."""
        with torch.inference_mode():
            probs, day = self.model(
                torch.from_numpy(np.ascontiguousarray(inputs[INPUT_STATION], dtype=np.float32)),
                torch.from_numpy(np.ascontiguousarray(inputs[INPUT_CONNECTORS], dtype=np.float32)),
            )
        return {OUTPUT_MINUTE_PROBS: probs.numpy(), OUTPUT_DAY_SCORE: day.numpy()}

    def score(self, prepared: list[PreparedDay]) -> list[ShadeResult]:
        """Convenience: batch, infer, interpret."""
        if not prepared:
            return []
        batch = {name: np.stack([p.inputs[name] for p in prepared]) for name in (INPUT_STATION, INPUT_CONNECTORS)}
        out = self.infer(batch)
        return [interpret(p, {k: v[i] for k, v in out.items()}, self.threshold) for i, p in enumerate(prepared)]
