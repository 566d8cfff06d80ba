"""CSAR-2 per-session latency at batch 1 and throughput at batch 64: through Triton and in-process torch."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from bench.results_io import percentiles
from evwatch.config import Settings
from evwatch.inference.models import csar2_model
from models.csar2.postprocess import interpret
from models.csar2.preprocess import prepare
from models.csar2.runtime import TorchCsar2
from models.simulator import simulate_session

Infer = Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]
SESSIONS = 128
BATCH1_REPEATS = 200
BATCH64_REPEATS = 10


def _sessions() -> list[Any]:
    return [simulate_session(seed) for seed in range(10_000, 10_000 + SESSIONS)]


def _batch(prepared: list[Any], start: int, size: int) -> dict[str, np.ndarray]:
    chunk = [prepared[(start + i) % len(prepared)] for i in range(size)]
    return {name: np.stack([p.inputs[name] for p in chunk]) for name in chunk[0].inputs}


def _measure(infer: Infer, sims: list[Any], prepared: list[Any]) -> dict[str, Any]:
    for i in range(5):  # warm-up
        infer(_batch(prepared, i, 1))
    infer_only, end_to_end = [], []
    for i in range(BATCH1_REPEATS):
        sim = sims[i % len(sims)]
        start = time.perf_counter()
        prep = prepare(sim.readings, sim.context)
        mid = time.perf_counter()
        out = infer({k: v[None] for k, v in prep.inputs.items()})
        interpret(prep, {k: v[0] for k, v in out.items()})
        end = time.perf_counter()
        infer_only.append(end - mid)
        end_to_end.append(end - start)
    batch_times = []
    for i in range(BATCH64_REPEATS):
        batch = _batch(prepared, i * 64, 64)
        start = time.perf_counter()
        infer(batch)
        batch_times.append(time.perf_counter() - start)
    per_batch = float(np.median(batch_times))
    return {
        "batch_1_inference": percentiles(infer_only),
        "batch_1_end_to_end": percentiles(end_to_end),
        "batch_64": {"median_batch_ms": round(per_batch * 1000, 2), "sessions_per_s": round(64 / per_batch, 1)},
    }


def run(settings: Settings) -> dict[str, Any]:
    """Measure the Triton path (the served model) and the in-process torch path on the same sessions."""
    import torch

    torch.set_num_threads(2)
    sims = _sessions()
    prepared = [prepare(s.readings, s.context) for s in sims]
    triton = _measure(csar2_model(settings.triton), sims, prepared)
    local = _measure(TorchCsar2.load().infer, sims, prepared)
    return {
        "description": "Simulated healthy sessions; batch_1_end_to_end = prepare (features) + inference + post-processing. "
        "Triton: the local CPU tritonserver (python backend, TorchScript, 1 instance) over gRPC.",
        "device": "cpu",
        "triton": triton,
        "torch_in_process": local,
        "summary": {
            "triton_batch1_p50_ms": triton["batch_1_end_to_end"]["p50_ms"],
            "triton_batch64_sessions_per_s": triton["batch_64"]["sessions_per_s"],
            "torch_batch1_p50_ms": local["batch_1_end_to_end"]["p50_ms"],
            "torch_batch64_sessions_per_s": local["batch_64"]["sessions_per_s"],
        },
    }
