"""Triton python-backend model running a TorchScript network (copied to <repo>/<model>/<version>/model.py).

Shared by CSAR-2 and SHADE: input and output names come from config.pbtxt, positional in the
TorchScript forward.

Loads the TorchScript file named in config.pbtxt, concatenates all requests of a dynamic
batch, runs one forward pass and splits the outputs back; a bad request gets its own error.
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any

import numpy as np
import torch
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    """A TorchScript network on the Triton python backend."""

    def initialize(self, args: dict[str, Any]) -> None:
        """Load TorchScript on the instance's device (CPU, or the GPU Triton assigned)."""
        torch.set_num_threads(1)  # Triton runs several instances/models; one thread each
        cfg = json.loads(args["model_config"])
        fname = cfg["parameters"]["torchscript_file"]["string_value"]
        path = os.path.join(args["model_repository"], str(args["model_version"]), fname)
        if args.get("model_instance_kind") == "GPU" and torch.cuda.is_available():
            self.device = torch.device(f"cuda:{args.get('model_instance_device_id', '0')}")
        else:
            self.device = torch.device("cpu")
        # torch deprecates TorchScript for torch.export; this backend loads TorchScript on purpose.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"`torch\.jit\.load` is deprecated", category=DeprecationWarning)
            self.model = torch.jit.load(path, map_location=self.device).eval()
        self.inputs = [(i["name"], [int(d) for d in i["dims"]]) for i in cfg["input"]]
        self.outputs = [o["name"] for o in cfg["output"]]

    def _read(self, request: Any) -> list[np.ndarray]:
        arrays = []
        for name, dims in self.inputs:
            t = pb_utils.get_input_tensor_by_name(request, name)
            if t is None:
                raise ValueError(f"missing input {name}")
            a = t.as_numpy()
            if a.dtype != np.float32 or list(a.shape[1:]) != dims or a.shape[0] < 1:
                raise ValueError(f"{name}: expected FP32 [B, {dims}], got {a.dtype} {list(a.shape)}")
            if not np.isfinite(a).all():
                raise ValueError(f"{name}: non-finite values")
            arrays.append(a)
        if len({a.shape[0] for a in arrays}) != 1:
            raise ValueError("inputs disagree on batch size")
        return arrays

    def execute(self, requests: list[Any]) -> list[Any]:
        """One forward for the whole dynamic batch; per-request errors for bad inputs."""
        responses: list[Any] = [None] * len(requests)
        good: list[tuple[int, list[np.ndarray]]] = []
        for i, req in enumerate(requests):
            try:
                good.append((i, self._read(req)))
            except ValueError as exc:
                responses[i] = pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(str(exc)))
        if good:
            cols = [np.concatenate([arrs[k] for _, arrs in good]) for k in range(len(self.inputs))]
            with torch.inference_mode():
                outs = self.model(*[torch.from_numpy(c).to(self.device) for c in cols])
            outs_np = [o.detach().cpu().numpy() for o in outs]
            start = 0
            for i, arrs in good:
                b = arrs[0].shape[0]
                tensors = [
                    pb_utils.Tensor(name, o[start : start + b]) for name, o in zip(self.outputs, outs_np, strict=True)
                ]
                responses[i] = pb_utils.InferenceResponse(output_tensors=tensors)
                start += b
        return responses

    def finalize(self) -> None:
        """Nothing to release beyond the module."""
