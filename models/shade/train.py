"""Train SHADE on simulated station-days, calibrate the day threshold, evaluate on held-out stations."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from models.shade.dataset import Sample, iter_samples, to_arrays
from models.shade.evaluate import day_metrics
from models.shade.interpret import interpret
from models.shade.metadata import WEIGHTS_DIR
from models.shade.network import ShadeNet, parameter_count
from models.shade.runtime import TorchShade, save_network
from models.shade.schema import (
    INPUT_CONNECTORS,
    INPUT_STATION,
    MODEL_VERSION,
    N_CLASSES,
)


@dataclass(frozen=True)
class TrainConfig:
    """Reproducible training recipe (the committed weights came from the defaults)."""

    seed: int = 7
    train_stations: int = 800
    val_stations: int = 40
    test_stations: int = 60
    days_per_station: int = 10
    epochs: int = 20
    batch_size: int = 32
    lr: float = 3e-3
    hidden: int = 32
    anomaly_class_weight: float = 4.0
    day_loss_weight: float = 0.5


def _forward_loss(model: ShadeNet, batch: dict[str, torch.Tensor], cfg: TrainConfig) -> torch.Tensor:
    minute, day = model.logits(batch[INPUT_STATION], batch[INPUT_CONNECTORS])
    weights = torch.full((N_CLASSES,), cfg.anomaly_class_weight)
    weights[0] = 1.0
    per_minute = F.cross_entropy(minute, batch["minute_labels"], weight=weights, reduction="none")
    obs = batch["observed"].float()
    minute_loss = (per_minute * obs).sum() / obs.sum().clamp(min=1.0)
    day_loss = F.binary_cross_entropy_with_logits(day.squeeze(1), (batch["day_labels"] > 0).float())
    return minute_loss + cfg.day_loss_weight * day_loss


def _tensors(arrays: dict[str, np.ndarray], idx: np.ndarray) -> dict[str, torch.Tensor]:
    return {
        INPUT_STATION: torch.from_numpy(arrays[INPUT_STATION][idx]),
        INPUT_CONNECTORS: torch.from_numpy(arrays[INPUT_CONNECTORS][idx]),
        "minute_labels": torch.from_numpy(arrays["minute_labels"][idx]),
        "day_labels": torch.from_numpy(arrays["day_labels"][idx]),
        "observed": torch.from_numpy(arrays["observed"][idx]),
    }


def calibrate_threshold(scores: np.ndarray, anomalous: np.ndarray, max_fpr: float = 0.05) -> float:
    """Best day-level F1 threshold on validation days whose healthy false-positive rate is <= max_fpr."""
    best_t, best_f1 = 0.5, -1.0
    healthy = ~anomalous
    for t in np.linspace(0.05, 0.95, 91):
        pred = scores >= t
        fpr = pred[healthy].mean() if healthy.any() else 0.0
        if fpr > max_fpr:
            continue
        tp = float((pred & anomalous).sum())
        f1 = 2 * tp / max(float(pred.sum() + anomalous.sum()), 1.0)
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    return round(best_t, 3)


def score_samples(runtime: TorchShade, samples: list[Sample], threshold: float, batch: int = 64) -> list[Any]:
    """Run the model over samples and interpret each (the same path as serving)."""
    out: list[Any] = []
    for i in range(0, len(samples), batch):
        chunk = samples[i : i + batch]
        raw = runtime.infer(
            {
                INPUT_STATION: np.stack([s.prepared.inputs[INPUT_STATION] for s in chunk]),
                INPUT_CONNECTORS: np.stack([s.prepared.inputs[INPUT_CONNECTORS] for s in chunk]),
            }
        )
        out.extend(interpret(s.prepared, {k: v[j] for k, v in raw.items()}, threshold) for j, s in enumerate(chunk))
    return out


def train(cfg: TrainConfig = TrainConfig(), weights_dir: Path | None = WEIGHTS_DIR, log: Any = print) -> dict[str, Any]:
    """Generate data, train, calibrate, evaluate; save weights when `weights_dir` is given."""
    torch.set_num_threads(1)
    torch.manual_seed(cfg.seed)
    started = time.monotonic()
    train_arrays = to_arrays(list(iter_samples(cfg.train_stations, cfg.seed, cfg.days_per_station)))
    val = list(iter_samples(cfg.val_stations, cfg.seed + 1, cfg.days_per_station))
    test = list(iter_samples(cfg.test_stations, cfg.seed + 2, cfg.days_per_station))
    log(
        f"data: {len(train_arrays['day_labels'])} train / {len(val)} val / {len(test)} test days "
        f"in {time.monotonic() - started:.0f}s"
    )

    model = ShadeNet(hidden=cfg.hidden)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=1e-4)
    n = len(train_arrays["day_labels"])
    steps = cfg.epochs * ((n + cfg.batch_size - 1) // cfg.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=steps)
    rng = np.random.default_rng(cfg.seed)
    train_started = time.monotonic()
    for epoch in range(cfg.epochs):
        model.train()
        order = rng.permutation(n)
        total = 0.0
        for i in range(0, n, cfg.batch_size):
            loss = _forward_loss(model, _tensors(train_arrays, order[i : i + cfg.batch_size]), cfg)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(order[i : i + cfg.batch_size])
        log(f"epoch {epoch + 1}/{cfg.epochs} loss {total / n:.4f} ({time.monotonic() - train_started:.0f}s)")
    train_seconds = time.monotonic() - train_started
    model.eval()

    meta: dict[str, Any] = {
        "model_version": MODEL_VERSION,
        "architecture": {
            "hidden": cfg.hidden,
            "connector_hidden": 16,
            "pool": 5,
            "dilations": [1, 2, 4, 8, 16, 32, 64],
        },
        "parameters": parameter_count(model),
    }
    runtime = TorchShade(model=model, meta=meta)
    val_raw = runtime.infer(
        {
            INPUT_STATION: np.stack([s.prepared.inputs[INPUT_STATION] for s in val]),
            INPUT_CONNECTORS: np.stack([s.prepared.inputs[INPUT_CONNECTORS] for s in val]),
        }
    )
    threshold = calibrate_threshold(val_raw["DAY_SCORE"][:, 0], np.array([s.label is not None for s in val]))
    meta["threshold"] = threshold
    metrics = day_metrics(test, score_samples(runtime, test, threshold))
    meta["training"] = {
        "config": cfg.__dict__,
        "train_seconds": round(train_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "torch": torch.__version__,
        "threads": 1,
    }
    meta["test_metrics"] = metrics
    if weights_dir is not None:
        save_network(model, meta, weights_dir)
    return meta
