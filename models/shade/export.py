"""Export SHADE into a Triton model repository: config.pbtxt, python-backend model.py, TorchScript model.pt."""

from __future__ import annotations

import shutil
from pathlib import Path

import torch

from models.shade.runtime import WEIGHTS_DIR, load_network
from models.shade.schema import INPUT_SHAPES, MODEL_NAME, OUTPUT_SHAPES

MAX_BATCH_SIZE = 64
TORCHSCRIPT_FILE = "model.pt"


def _tensors(kind: str, shapes: dict[str, tuple[int, ...]]) -> str:
    items = [
        f'  {{\n    name: "{name}"\n    data_type: TYPE_FP32\n    dims: [ {", ".join(str(d) for d in shape)} ]\n  }}'
        for name, shape in shapes.items()
    ]
    return f"{kind} [\n" + ",\n".join(items) + "\n]\n"


def shade_config(instance_kind: str = "KIND_CPU", instances: int = 1) -> str:
    """config.pbtxt for SHADE (KIND_GPU for a GPU Triton)."""
    return (
        f'name: "{MODEL_NAME}"\n'
        'backend: "python"\n'
        f"max_batch_size: {MAX_BATCH_SIZE}\n"
        + _tensors("input", INPUT_SHAPES)
        + _tensors("output", OUTPUT_SHAPES)
        # Station-days close in bursts at local midnight: let Triton merge them.
        + "dynamic_batching {\n  preferred_batch_size: [ 16, 32, 64 ]\n  max_queue_delay_microseconds: 2000\n}\n"
        + f"instance_group [\n  {{\n    count: {instances}\n    kind: {instance_kind}\n  }}\n]\n"
        + "version_policy: { latest: { num_versions: 1 } }\n"
        + f'parameters: {{\n  key: "torchscript_file"\n  value: {{ string_value: "{TORCHSCRIPT_FILE}" }}\n}}\n'
    )


def export_torchscript(dest: Path, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """Script the trained network and save it to `dest`."""
    model, _ = load_network(weights_dir)
    scripted = torch.jit.script(model)
    dest.parent.mkdir(parents=True, exist_ok=True)
    scripted.save(str(dest))
    return dest


def export_shade(dest: Path, weights_dir: Path = WEIGHTS_DIR, instance_kind: str = "KIND_CPU",
                 version: int = 1) -> str:
    """Write dest/shade/{config.pbtxt, <version>/model.py, <version>/model.pt}; returns the model name."""
    root = dest / MODEL_NAME
    vdir = root / str(version)
    vdir.mkdir(parents=True, exist_ok=True)
    (root / "config.pbtxt").write_text(shade_config(instance_kind))
    shutil.copyfile(Path(__file__).parent / "triton_model.py", vdir / "model.py")
    export_torchscript(vdir / TORCHSCRIPT_FILE, weights_dir)
    return MODEL_NAME
