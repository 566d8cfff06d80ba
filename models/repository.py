"""Export the Triton model repository: CSAR-2 and SHADE on the python backend (TorchScript inside)."""

from __future__ import annotations

from pathlib import Path

from models.csar2.export import export_torchscript
from models.csar2.io import INPUTS, MAX_BATCH_SIZE, OUTPUTS
from models.csar2.metadata import WEIGHTS_PATH
from models.csar2.schema import MODEL_NAME
from models.shade.export import export_shade
from models.triton_repository import ModelSpec, write_model

CSAR2 = ModelSpec(
    name=MODEL_NAME,
    inputs=INPUTS,
    outputs=OUTPUTS,
    max_batch_size=MAX_BATCH_SIZE,
    preferred_batch_sizes=(8, 16, 32, 64),
    max_queue_delay_us=500,
)


def export_csar2(dest: Path, weights: Path = WEIGHTS_PATH, instance_kind: str = "KIND_CPU", version: int = 1) -> Path:
    """Write dest/csar2/{config.pbtxt, <version>/model.py, <version>/model.pt}."""
    return write_model(dest, CSAR2, lambda path: export_torchscript(path, weights), instance_kind, version)


def export_repository(dest: Path, instance_kind: str = "KIND_CPU") -> list[str]:
    """Write the whole Triton repository into dest; returns the model names written."""
    dest.mkdir(parents=True, exist_ok=True)
    export_csar2(dest, instance_kind=instance_kind)
    return [MODEL_NAME, export_shade(dest, instance_kind=instance_kind)]
