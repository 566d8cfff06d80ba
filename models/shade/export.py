"""Export SHADE into a Triton model repository: config.pbtxt, python-backend model.py, TorchScript model.pt."""

from __future__ import annotations

from pathlib import Path

from models.shade.metadata import WEIGHTS_DIR
from models.shade.runtime import load_network
from models.shade.schema import INPUT_SHAPES, MAX_BATCH_SIZE, MODEL_NAME, OUTPUT_SHAPES
from models.triton_repository import ModelSpec, save_torchscript, write_model

SPEC = ModelSpec(
    name=MODEL_NAME,
    inputs={name: ("FP32", shape) for name, shape in INPUT_SHAPES.items()},
    outputs={name: ("FP32", shape) for name, shape in OUTPUT_SHAPES.items()},
    max_batch_size=MAX_BATCH_SIZE,
    preferred_batch_sizes=(16, 32, 64),
    max_queue_delay_us=2000,
)


def export_torchscript(dest: Path, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """Script the trained network and save it to `dest`."""
    model, _ = load_network(weights_dir)
    return save_torchscript(model, dest)


def export_shade(dest: Path, weights_dir: Path = WEIGHTS_DIR, instance_kind: str = "KIND_CPU", version: int = 1) -> str:
    """Write dest/shade/{config.pbtxt, <version>/model.py, <version>/model.pt}; returns the model name."""
    write_model(dest, SPEC, lambda path: export_torchscript(path, weights_dir), instance_kind, version)
    return MODEL_NAME
