"""Runtime shape contract, batch independence, TorchScript/Triton-backend parity, repository export."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from models.csar2.io import INPUTS, MAX_BATCH_SIZE, OUTPUTS
from models.csar2.metadata import WEIGHTS_PATH
from models.csar2.preprocess import prepare
from models.csar2.runtime import TorchCsar2
from models.csar2.schema import Csar2Result
from models.repository import CSAR2, export_csar2, export_repository
from models.simulator import simulate_session
from models.triton_repository import model_config


@pytest.fixture(scope="module")
def model() -> TorchCsar2:
    return TorchCsar2.load()


@pytest.fixture(scope="module")
def batch() -> dict[str, np.ndarray]:
    ps = [
        prepare(s.readings, s.context)
        for s in (simulate_session(i, c) for i, c in [(1, None), (2, "KWH_JUMP"), (3, "DATA_GAP")])
    ]
    return {k: np.stack([p.inputs[k] for p in ps]) for k in INPUTS}


def test_committed_weights_exist_and_are_small() -> None:
    assert WEIGHTS_PATH.exists() and WEIGHTS_PATH.stat().st_size < 8_000_000
    meta = json.loads(WEIGHTS_PATH.with_suffix(".json").read_text())
    assert meta["parameters"] <= 1_500_000


def test_infer_shape_contract(model: TorchCsar2, batch: dict[str, np.ndarray]) -> None:
    out = model.infer(batch)
    assert set(out) == set(OUTPUTS)
    for name, (_, shape) in OUTPUTS.items():
        assert out[name].shape == (3, *shape) and out[name].dtype == np.float32
    for name in ("ANOMALY_SCORE", "AE_SCORE", "UNIT_PROBS"):
        assert ((out[name] >= 0) & (out[name] <= 1)).all()
    assert (out["UNIT_PROBS"][0, int(batch["MASK"][0].sum()) :] == 0).all()  # padding stays silent
    with pytest.raises(ValueError):
        model.infer({"FEATURES": batch["FEATURES"][:, :10], "MASK": batch["MASK"]})


def test_batch_independence(model: TorchCsar2, batch: dict[str, np.ndarray]) -> None:
    full = model.infer(batch)
    for i in range(3):
        one = model.infer({k: v[i : i + 1] for k, v in batch.items()})
        for k in OUTPUTS:
            assert np.allclose(one[k][0], full[k][i], atol=1e-5)


def test_analyze_returns_result(model: TorchCsar2) -> None:
    s = simulate_session(5, "POWER_SPIKE")
    res = model.analyze(s.readings, s.context)
    assert isinstance(res, Csar2Result) and 0.0 <= res.anomaly_score <= 1.0
    assert res.model_version == model.version


class _Tensor:
    def __init__(self, name: str, arr: np.ndarray) -> None:
        self.name, self.arr = name, arr

    def as_numpy(self) -> np.ndarray:
        return self.arr


class _Response:
    def __init__(self, output_tensors: list[_Tensor], error: Any = None) -> None:
        self.outputs = {t.name: t.arr for t in output_tensors}
        self.error = error


def _fake_pb_utils() -> types.ModuleType:
    mod = types.ModuleType("triton_python_backend_utils")
    mod.Tensor = _Tensor  # type: ignore[attr-defined]
    mod.InferenceResponse = _Response  # type: ignore[attr-defined]
    mod.TritonError = lambda msg: msg  # type: ignore[attr-defined]
    mod.get_input_tensor_by_name = lambda req, name: _Tensor(name, req[name]) if name in req else None  # type: ignore[attr-defined]
    return mod


def test_export_repository_and_triton_backend_parity(
    tmp_path: Path, model: TorchCsar2, batch: dict[str, np.ndarray], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = export_csar2(tmp_path)
    assert root == tmp_path / "csar2"
    cfg = (root / "config.pbtxt").read_text()
    assert cfg == model_config(CSAR2)
    for needle in (
        'backend: "python"',
        f"max_batch_size: {MAX_BATCH_SIZE}",
        "dynamic_batching",
        "KIND_CPU",
        "model.pt",
    ):
        assert needle in cfg
    assert (root / "1" / "model.py").exists() and (root / "1" / "model.pt").exists()

    # TorchScript file == in-process torch
    ts = torch.jit.load(str(root / "1" / "model.pt"))
    with torch.inference_mode():
        outs = ts(torch.from_numpy(batch["FEATURES"]), torch.from_numpy(batch["MASK"]))
    ref = model.infer(batch)
    for name, t in zip(OUTPUTS, outs, strict=True):
        assert np.allclose(t.numpy(), ref[name], atol=1e-5)

    # the python-backend model: dynamic batch of 2 good requests + 1 bad one
    monkeypatch.setitem(sys.modules, "triton_python_backend_utils", _fake_pb_utils())
    spec = __import__("importlib.util").util.spec_from_file_location("csar2_triton_model", root / "1" / "model.py")
    mod = __import__("importlib.util").util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cfg_json = {
        "parameters": {"torchscript_file": {"string_value": "model.pt"}},
        "input": [{"name": n, "dims": list(s)} for n, (_, s) in INPUTS.items()],
        "output": [{"name": n} for n in OUTPUTS],
    }
    m = mod.TritonPythonModel()
    m.initialize({"model_config": json.dumps(cfg_json), "model_repository": str(root), "model_version": "1"})
    reqs = [
        {k: v[:2] for k, v in batch.items()},
        {"FEATURES": batch["FEATURES"][2:, :7], "MASK": batch["MASK"][2:]},
        {k: v[2:] for k, v in batch.items()},
    ]
    res = m.execute(reqs)
    assert res[1].error is not None and res[0].error is None and res[2].error is None
    for name in OUTPUTS:
        got = np.concatenate([res[0].outputs[name], res[2].outputs[name]])
        assert np.allclose(got, ref[name], atol=1e-5)


def test_export_repository_lists_csar2(tmp_path: Path) -> None:
    assert export_repository(tmp_path)[0] == "csar2"
    assert (tmp_path / "csar2" / "config.pbtxt").exists()
