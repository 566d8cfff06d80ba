"""Real CPU tritonserver from the nvidia-pytriton wheel, serving a throwaway python-backend model."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import tritonclient.grpc as grpcclient

from devstack.tritonserver import TritonServer, wait_ready
from tests.plugins.services import process_group_members, start_tritonserver

pytestmark = pytest.mark.triton

CONFIG = """
name: "double"
backend: "python"
max_batch_size: 8
input [{ name: "INPUT0", data_type: TYPE_FP32, dims: [4] }]
output [{ name: "OUTPUT0", data_type: TYPE_FP32, dims: [4] }]
instance_group [{ kind: KIND_CPU, count: 1 }]
"""

MODEL = """
import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            x = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
            y = (x * 2).astype(np.float32)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("OUTPUT0", y)]))
        return responses
"""


@pytest.fixture
def double_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "double" / "1").mkdir(parents=True)
    (repo / "double" / "config.pbtxt").write_text(CONFIG)
    (repo / "double" / "1" / "model.py").write_text(MODEL)
    return repo


def test_serves_model_over_grpc_and_stops_cleanly(double_repo: Path, tmp_path: Path) -> None:
    server: TritonServer = start_tritonserver(double_repo, tmp_path / "triton")
    try:
        pid = server.pid
        assert pid is not None
        # The helper for an external server agrees that it is ready.
        wait_ready(server.settings, ["double"], timeout=5)
        # The python backend stub runs as a child in the server's process group.
        assert len(process_group_members(pid)) >= 2

        x = np.arange(8, dtype=np.float32).reshape(2, 4)
        client = grpcclient.InferenceServerClient(server.grpc_url)
        inp = grpcclient.InferInput("INPUT0", list(x.shape), "FP32")
        inp.set_data_from_numpy(x)
        result = client.infer("double", [inp], outputs=[grpcclient.InferRequestedOutput("OUTPUT0")])
        np.testing.assert_array_equal(result.as_numpy("OUTPUT0"), x * 2)
        client.close()
    finally:
        server.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert process_group_members(pid) == []
