"""Committed weights -> TorchScript file for the Triton python backend."""

from __future__ import annotations

from pathlib import Path

from models.csar2.metadata import WEIGHTS_PATH
from models.csar2.runtime import load_network
from models.triton_repository import save_torchscript


def export_torchscript(dest: Path, weights: Path = WEIGHTS_PATH) -> Path:
    """Script the network (calibration buffers included) and save it to dest."""
    net, _ = load_network(weights)
    return save_torchscript(net, dest)
