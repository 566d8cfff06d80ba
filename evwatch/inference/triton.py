"""Triton gRPC client for one model: batched numpy in, batched numpy out."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any

import numpy as np
import tritonclient.grpc as grpcclient
from numpy.typing import NDArray
from tritonclient.utils import InferenceServerException

from evwatch.domain.errors import InferenceRejected, Unavailable

log = logging.getLogger("evwatch.inference")

_NP_TO_TRITON = {
    np.dtype("float32"): "FP32",
    np.dtype("int64"): "INT64",
    np.dtype("int32"): "INT32",
    np.dtype("bool"): "BOOL",
}


class TritonModel:
    """Calls one Triton model; safe to share across threads (one gRPC client per thread)."""

    def __init__(
        self, url: str, model_name: str, output_names: list[str], max_batch_size: int, timeout_s: float
    ) -> None:
        self.url = url
        self.model_name = model_name
        self.output_names = output_names
        self.max_batch_size = max_batch_size
        self.timeout_s = timeout_s
        self._local = threading.local()

    def _client(self) -> grpcclient.InferenceServerClient:
        client = getattr(self._local, "client", None)
        if client is None:
            client = grpcclient.InferenceServerClient(url=self.url)
            self._local.client = client
        return client

    def ready(self) -> bool:
        """True when the server answers and this model is loaded."""
        try:
            return bool(self._client().is_model_ready(self.model_name))
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return False

    def __call__(self, inputs: Mapping[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        """Infer a batch (leading dimension = batch), chunked to the model's max batch size."""
        n = len(next(iter(inputs.values())))
        parts: list[dict[str, NDArray[Any]]] = []
        for start in range(0, n, self.max_batch_size):
            chunk = {k: np.ascontiguousarray(v[start : start + self.max_batch_size]) for k, v in inputs.items()}
            parts.append(self._infer_chunk(chunk))
        return {name: np.concatenate([p[name] for p in parts]) for name in self.output_names}

    def _infer_chunk(self, chunk: Mapping[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        infer_inputs = []
        for name, array in chunk.items():
            item = grpcclient.InferInput(name, list(array.shape), _NP_TO_TRITON[array.dtype])
            item.set_data_from_numpy(array)
            infer_inputs.append(item)
        outputs = [grpcclient.InferRequestedOutput(name) for name in self.output_names]
        try:
            result = self._client().infer(self.model_name, infer_inputs, outputs=outputs, client_timeout=self.timeout_s)
        except InferenceServerException as exc:
            raise classify(self.model_name, exc) from exc
        return {name: result.as_numpy(name) for name in self.output_names}


# gRPC statuses that mean Triton refused this input or the model failed on it.
_REJECTED = frozenset(
    {"INVALID_ARGUMENT", "INTERNAL", "FAILED_PRECONDITION", "OUT_OF_RANGE", "UNIMPLEMENTED", "DATA_LOSS"}
)
# An internal error that says the backend process is gone is an outage, not a verdict on the input.
_OUTAGE_HINTS = ("Stub process", "not healthy", "unavailable")


def classify(model: str, exc: InferenceServerException) -> Unavailable | InferenceRejected:
    """An outage (wait and retry) or a rejection (record it; the same input fails again)."""
    status = str(exc.status() or "").removeprefix("StatusCode.")
    message = exc.message() or str(exc)
    if status in _REJECTED and not any(hint in message for hint in _OUTAGE_HINTS):
        return InferenceRejected(f"Triton rejected the request to model {model} ({status}): {message}")
    return Unavailable(f"Triton inference on model {model} failed ({status or 'no answer'}): {message}")
