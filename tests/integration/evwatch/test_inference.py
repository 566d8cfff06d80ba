"""The real tritonserver's refusals are told apart from its outages."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from devstack.ports import free_port
from evwatch.config import TritonSettings
from evwatch.domain.errors import InferenceRejected, Unavailable
from evwatch.inference.models import csar2_model
from models.csar2.io import INPUTS

pytestmark = pytest.mark.triton


def _batch(fill: float) -> dict[str, np.ndarray]:
    return {name: np.full((1, *shape), fill, dtype=np.float32) for name, (_, shape) in INPUTS.items()}


def test_input_the_model_refuses_is_a_rejection_not_an_outage(tritonserver: Any) -> None:
    model = csar2_model(tritonserver.settings)
    assert set(model(_batch(0.0))) >= {"ANOMALY_SCORE"}
    with pytest.raises(InferenceRejected, match="non-finite"):
        model(_batch(float("nan")))


def test_a_server_that_is_not_there_is_an_outage() -> None:
    model = csar2_model(TritonSettings(grpc_port=free_port(), request_timeout_s=2.0))
    with pytest.raises(Unavailable):
        model(_batch(0.0))
