"""In-process torch path with exactly the Triton call semantics (batched arrays in and out)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from models.csar2.features import FEATURE_NAMES
from models.csar2.io import INPUTS, OUTPUTS
from models.csar2.metadata import WEIGHTS_PATH, read_metadata
from models.csar2.network import Csar2Net
from models.csar2.postprocess import interpret
from models.csar2.preprocess import prepare
from models.csar2.schema import Csar2Result, Reading, SessionContext

OUTPUT_ORDER = tuple(OUTPUTS)  # the network returns outputs in this order


def build_network(meta: dict[str, Any]) -> Csar2Net:
    """Network with the architecture recorded in metadata (defaults otherwise)."""
    return Csar2Net(**meta.get("architecture", {}))


def load_network(weights: Path = WEIGHTS_PATH) -> tuple[Csar2Net, dict[str, Any]]:
    """Network with committed (or given) weights, in eval mode, plus its metadata."""
    meta = read_metadata(weights)
    recorded = tuple(meta.get("feature_names", FEATURE_NAMES))
    if recorded != FEATURE_NAMES:
        # weights trained on other features would run without error and answer nonsense
        raise ValueError(
            f"{weights} was trained on features {list(recorded)}, this code computes {list(FEATURE_NAMES)}"
        )
    net = build_network(meta)
    net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return net.eval(), meta


class TorchCsar2:
    """CSAR-2 in process; `infer` mirrors a Triton request (batched numpy in, batched numpy out)."""

    def __init__(self, net: torch.nn.Module, meta: dict[str, Any]) -> None:
        self.net = net
        self.meta = meta
        self.version = str(meta.get("version", "csar2-untrained"))

    @classmethod
    def load(cls, weights: Path | None = None) -> TorchCsar2:
        """Load committed weights (or a given weights file)."""
        net, meta = load_network(weights or WEIGHTS_PATH)
        return cls(net, meta)

    def infer(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Batched FEATURES [B, U, F] and MASK [B, U] -> batched outputs named as in io.OUTPUTS."""
        for name, (_, shape) in INPUTS.items():
            arr = inputs[name]
            if tuple(arr.shape[1:]) != shape:
                raise ValueError(f"{name}: expected [B, {', '.join(map(str, shape))}], got {list(arr.shape)}")
        feats = torch.from_numpy(np.ascontiguousarray(inputs["FEATURES"], dtype=np.float32))
        mask = torch.from_numpy(np.ascontiguousarray(inputs["MASK"], dtype=np.float32))
        with torch.inference_mode():
            outs = self.net(feats, mask)
        return {name: t.numpy() for name, t in zip(OUTPUT_ORDER, outs, strict=True)}

    def analyze(self, readings: Sequence[Reading], ctx: SessionContext) -> Csar2Result:
        """prepare -> infer (batch of 1) -> interpret, for callers without Triton."""
        prepared = prepare(readings, ctx)
        batched = {k: v[None] for k, v in prepared.inputs.items()}
        out = self.infer(batched)
        return interpret(prepared, {k: v[0] for k, v in out.items()}, self.version)
