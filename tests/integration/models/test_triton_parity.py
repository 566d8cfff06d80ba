"""The served model (tritonserver, python backend + TorchScript) and in-process torch agree."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from evwatch.domain.categories import CATEGORIES
from evwatch.inference.models import csar2_model
from models.csar2.io import OUTPUTS
from models.csar2.postprocess import interpret
from models.csar2.preprocess import prepare
from models.csar2.runtime import TorchCsar2
from models.simulator import simulate_session

pytestmark = pytest.mark.triton


def test_csar2_triton_and_torch_give_the_same_outputs(tritonserver: Any) -> None:
    sims = [
        simulate_session(seed, CATEGORIES[seed % len(CATEGORIES)] if seed % 2 else None) for seed in range(900, 916)
    ]
    prepared = [prepare(s.readings, s.context) for s in sims]
    batch = {name: np.stack([p.inputs[name] for p in prepared]) for name in prepared[0].inputs}

    served = csar2_model(tritonserver.settings)(batch)
    local = TorchCsar2.load().infer(batch)

    assert set(served) == set(OUTPUTS)
    for name in OUTPUTS:
        np.testing.assert_allclose(served[name], local[name], rtol=1e-4, atol=1e-4, err_msg=name)
    for i, prep in enumerate(prepared):
        a = interpret(prep, {k: v[i] for k, v in served.items()})
        b = interpret(prep, {k: v[i] for k, v in local.items()})
        assert a.is_anomaly == b.is_anomaly
        assert [f.category for f in a.findings] == [f.category for f in b.findings]
