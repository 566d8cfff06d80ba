"""SHADE served by the real tritonserver gives what the committed weights give in-process."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from evwatch.inference.models import shade_model
from models.shade.features import prepare, profile_of, stack_inputs
from models.shade.runtime import TorchShade
from models.shade.schema import OUTPUT_DAY_SCORE, OUTPUT_MINUTE_PROBS, OUTPUT_SHAPES, History
from models.shade.simulator import random_station, simulate_day

pytestmark = pytest.mark.triton


def test_triton_shade_matches_torch(tritonserver: Any) -> None:
    triton = shade_model(tritonserver.settings)
    assert triton.ready()
    spec = random_station(np.random.default_rng(5), n_connectors=3)
    history = History(tuple(profile_of(simulate_day(spec, d, 2).day) for d in range(14)))
    days = [simulate_day(spec, 14 + i, 2, anomaly=a) for i, a in enumerate([None, "energy_surge", "idle_consumption"])]
    batch = stack_inputs([prepare(d.day, history) for d in days])
    remote = triton(batch)
    local = TorchShade.load().infer(batch)
    assert remote[OUTPUT_MINUTE_PROBS].shape == (3, 6, 1440) and remote[OUTPUT_DAY_SCORE].shape == (3, 1)
    for name in OUTPUT_SHAPES:
        np.testing.assert_allclose(remote[name], local[name], atol=1e-4)
