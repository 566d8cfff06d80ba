"""Committed weights -> TorchScript file for the Triton python backend."""

from __future__ import annotations

from pathlib import Path

import torch

from models.csar2.metadata import WEIGHTS_PATH
from models.csar2.runtime import load_network


def export_torchscript(dest: Path, weights: Path = WEIGHTS_PATH) -> Path:
    """Script the network (calibration buffers included) and save it to dest."""
    net, _ = load_network(weights)
    scripted = torch.jit.script(net)
    dest.parent.mkdir(parents=True, exist_ok=True)
    scripted.save(str(dest))
    return dest
