"""Export the Triton model repository (csar2 on the python backend, plus SHADE when present)."""

from __future__ import annotations

import importlib
import importlib.util
import shutil
import warnings
from pathlib import Path

from models.csar2.export import export_torchscript
from models.csar2.io import INPUTS, MAX_BATCH_SIZE, OUTPUTS
from models.csar2.metadata import WEIGHTS_PATH
from models.csar2.schema import MODEL_NAME

TORCHSCRIPT_FILE = "model.pt"


def _tensor_block(kind: str, spec: dict[str, tuple[str, tuple[int, ...]]]) -> str:
    items = []
    for name, (dtype, shape) in spec.items():
        dims = ", ".join(str(d) for d in shape)
        items.append(f'  {{\n    name: "{name}"\n    data_type: TYPE_{dtype}\n    dims: [ {dims} ]\n  }}')
    return f"{kind} [\n" + ",\n".join(items) + "\n]\n"


def csar2_config(instance_kind: str = "KIND_CPU", instances: int = 1) -> str:
    """config.pbtxt text for csar2 (KIND_GPU for a GPU Triton)."""
    return (
        f'name: "{MODEL_NAME}"\n'
        'backend: "python"\n'
        f"max_batch_size: {MAX_BATCH_SIZE}\n"
        + _tensor_block("input", INPUTS)
        + _tensor_block("output", OUTPUTS)
        + "dynamic_batching {\n  preferred_batch_size: [ 8, 16, 32, 64 ]\n  max_queue_delay_microseconds: 500\n}\n"
        + f"instance_group [\n  {{\n    count: {instances}\n    kind: {instance_kind}\n  }}\n]\n"
        + "version_policy: { latest: { num_versions: 1 } }\n"
        + f'parameters: {{\n  key: "torchscript_file"\n  value: {{ string_value: "{TORCHSCRIPT_FILE}" }}\n}}\n'
    )


def export_csar2(dest: Path, weights: Path = WEIGHTS_PATH, instance_kind: str = "KIND_CPU", version: int = 1) -> Path:
    """Write dest/csar2/{config.pbtxt, <version>/model.py, <version>/model.pt}."""
    root = dest / MODEL_NAME
    vdir = root / str(version)
    vdir.mkdir(parents=True, exist_ok=True)
    (root / "config.pbtxt").write_text(csar2_config(instance_kind))
    shutil.copyfile(Path(__file__).parent / "csar2" / "triton_model.py", vdir / "model.py")
    export_torchscript(vdir / TORCHSCRIPT_FILE, weights)
    return root


def export_repository(dest: Path, instance_kind: str = "KIND_CPU") -> list[str]:
    """Write the whole Triton repository into dest; returns the model names written."""
    dest.mkdir(parents=True, exist_ok=True)
    export_csar2(dest, instance_kind=instance_kind)
    names = [MODEL_NAME]
    # SHADE is owned elsewhere; join in once its exporter exists
    if importlib.util.find_spec("models.shade") is not None and importlib.util.find_spec("models.shade.export") is not None:
        try:
            shade = importlib.import_module("models.shade.export")
            written = shade.export_shade(dest)
        except Exception as exc:  # noqa: BLE001 - a broken SHADE must not take CSAR-2 serving down with it
            # a half-written model directory would stop tritonserver from starting at all
            shutil.rmtree(dest / "shade", ignore_errors=True)
            warnings.warn(f"SHADE export failed, repository has CSAR-2 only: {exc!r}", RuntimeWarning, stacklevel=2)
        else:
            names.extend(written if isinstance(written, list) else ["shade"])
    return names
