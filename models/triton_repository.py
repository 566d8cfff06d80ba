"""Writing one model into a Triton repository: config.pbtxt, the shared python-backend model.py,
and a TorchScript file produced from the committed weights."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import torch

TORCHSCRIPT_FILE = "model.pt"
BACKEND_MODEL = Path(__file__).with_name("triton_torchscript_model.py")

TensorSpec = Mapping[str, tuple[str, tuple[int, ...]]]  # name -> (Triton dtype, dims without batch)


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What config.pbtxt says about one model."""

    name: str
    inputs: TensorSpec
    outputs: TensorSpec
    max_batch_size: int
    preferred_batch_sizes: tuple[int, ...]
    max_queue_delay_us: int


def _tensors(kind: str, spec: TensorSpec) -> str:
    items = [
        f'  {{\n    name: "{name}"\n    data_type: TYPE_{dtype}\n    dims: [ {", ".join(str(d) for d in dims)} ]\n  }}'
        for name, (dtype, dims) in spec.items()
    ]
    return f"{kind} [\n" + ",\n".join(items) + "\n]\n"


def model_config(spec: ModelSpec, instance_kind: str = "KIND_CPU", instances: int = 1) -> str:
    """config.pbtxt text: python backend, dynamic batching, instance group, latest version only."""
    preferred = ", ".join(str(b) for b in spec.preferred_batch_sizes)
    return (
        f'name: "{spec.name}"\nbackend: "python"\nmax_batch_size: {spec.max_batch_size}\n'
        + _tensors("input", spec.inputs)
        + _tensors("output", spec.outputs)
        + f"dynamic_batching {{\n  preferred_batch_size: [ {preferred} ]\n"
        + f"  max_queue_delay_microseconds: {spec.max_queue_delay_us}\n}}\n"
        + f"instance_group [\n  {{\n    count: {instances}\n    kind: {instance_kind}\n  }}\n]\n"
        + "version_policy: { latest: { num_versions: 1 } }\n"
        + f'parameters: {{\n  key: "torchscript_file"\n  value: {{ string_value: "{TORCHSCRIPT_FILE}" }}\n}}\n'
    )


def write_model(
    dest: Path,
    spec: ModelSpec,
    write_torchscript: Callable[[Path], object],
    instance_kind: str = "KIND_CPU",
    version: int = 1,
) -> Path:
    """Write dest/<name>/{config.pbtxt, <version>/model.py, <version>/model.pt}; returns dest/<name>."""
    root = dest / spec.name
    vdir = root / str(version)
    vdir.mkdir(parents=True, exist_ok=True)
    (root / "config.pbtxt").write_text(model_config(spec, instance_kind))
    shutil.copyfile(BACKEND_MODEL, vdir / "model.py")
    write_torchscript(vdir / TORCHSCRIPT_FILE)
    return root


def save_torchscript(module: torch.nn.Module, dest: Path) -> Path:
    """Script `module` and save it where the python backend loads it from."""
    # torch deprecates TorchScript in favour of torch.export, but the python backend's model.py
    # loads a `torch.jit` file and nothing else yet; the warning is known and says nothing new.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=DeprecationWarning)
        scripted = torch.jit.script(module)
    dest.parent.mkdir(parents=True, exist_ok=True)
    scripted.save(str(dest))
    return dest
