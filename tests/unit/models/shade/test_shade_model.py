"""The committed SHADE weights: load, batched inference, TorchScript parity, export, detection sanity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from models.shade.export import export_shade
from models.shade.features import prepare, profile_of
from models.shade.network import parameter_count
from models.shade.runtime import TorchShade
from models.shade.schema import INPUT_CONNECTORS, INPUT_STATION, OUTPUT_DAY_SCORE, OUTPUT_MINUTE_PROBS, History
from models.shade.simulator import random_station, simulate_day

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def shade() -> TorchShade:
    return TorchShade.load()


def _station(seed: int = 24):
    # A DC station: held at full power, its connectors draw far more than on any usual day (on a
    # small AC station a full-power afternoon can stay within what chance explains, see EVALUATION.md).
    rng = np.random.default_rng(seed)
    spec = random_station(rng, n_connectors=4)
    while not spec.has_station_meter:
        spec = random_station(rng, n_connectors=4)
    return spec


def test_weights_are_small_and_described(shade: TorchShade) -> None:
    assert parameter_count(shade.model) == shade.meta["parameters"] < 200_000
    assert 0.0 < shade.threshold < 1.0
    assert set(shade.meta["test_metrics"]["per_type"]) == {
        "energy_drop",
        "energy_surge",
        "connector_outage",
        "idle_consumption",
        "meter_mismatch",
    }


def test_batched_inference_shapes(shade: TorchShade) -> None:
    spec = _station()
    history = History(tuple(profile_of(simulate_day(spec, d, 3).day) for d in range(14)))
    prepared = [prepare(simulate_day(spec, 14 + i, 3).day, history) for i in range(3)]
    out = shade.infer(
        {
            INPUT_STATION: np.stack([p.inputs[INPUT_STATION] for p in prepared]),
            INPUT_CONNECTORS: np.stack([p.inputs[INPUT_CONNECTORS] for p in prepared]),
        }
    )
    assert out[OUTPUT_MINUTE_PROBS].shape == (3, 6, 1440)
    assert out[OUTPUT_DAY_SCORE].shape == (3, 1)
    np.testing.assert_allclose(out[OUTPUT_MINUTE_PROBS].sum(axis=1), 1.0, rtol=1e-4)


@pytest.mark.parametrize("anomaly", ["energy_surge", "idle_consumption", "meter_mismatch", "connector_outage"])
def test_clear_anomalies_are_found_and_typed(shade: TorchShade, anomaly: str) -> None:
    spec = _station()
    history = History(tuple(profile_of(simulate_day(spec, d, 3).day) for d in range(14)))
    healthy = shade.score([prepare(simulate_day(spec, 15, 3).day, history)])[0]
    sick = shade.score([prepare(simulate_day(spec, 15, 3, anomaly=anomaly, severity=1.0).day, history)])[0]
    assert not healthy.is_anomaly and "anomaly_type" not in healthy.detection_details
    assert sick.is_anomaly and sick.detection_details["anomaly_type"] == anomaly
    assert sick.markers and sick.day_score >= 0.5


def test_export_writes_a_triton_model(tmp_path: Path, shade: TorchShade) -> None:
    assert export_shade(tmp_path) == "shade"
    config = (tmp_path / "shade" / "config.pbtxt").read_text()
    for needle in (
        'backend: "python"',
        "max_batch_size: 64",
        "KIND_CPU",
        "dynamic_batching",
        "version_policy",
        'name: "STATION"',
        "dims: [ 8, 8, 1440 ]",
        'name: "DAY_SCORE"',
    ):
        assert needle in config
    assert "set_num_threads(1)" in (tmp_path / "shade" / "1" / "model.py").read_text()
    scripted = torch.jit.load(str(tmp_path / "shade" / "1" / "model.pt"))
    station, connectors = torch.randn(2, 16, 1440), torch.rand(2, 8, 8, 1440)
    for a, b in zip(scripted(station, connectors), shade.model(station, connectors), strict=True):
        torch.testing.assert_close(a, b)
