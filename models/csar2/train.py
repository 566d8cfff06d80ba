"""Seeded two-stage training: layer-1 autoencoder on legitimate sessions, then layer-2 classifier."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from evwatch.domain.categories import CATEGORIES
from models.csar2.dataset import Example, Mix, build
from models.csar2.features import FEATURE_NAMES
from models.csar2.io import N_CATEGORIES, N_FEATURES
from models.csar2.metadata import metadata_path
from models.csar2.network import Csar2Net, count_parameters


@dataclass(slots=True)
class TrainConfig:
    """Everything that determines a training run."""

    seed: int = 1
    n_train: int = 3000
    n_val: int = 600
    ae_epochs: int = 4
    clf_epochs: int = 8
    batch: int = 32
    lr: float = 2e-3
    ae_crop: int = 256
    ae_mask: float = 0.15  # share of units layer 1 must predict from their context
    healthy: float = 0.3
    hard_negative: float = 0.2
    threads: int = 2
    architecture: dict[str, int] = field(default_factory=dict)
    version: str = "csar2-1"


def _batches(examples: list[Example], batch: int, rng: np.random.Generator) -> Iterator[list[Example]]:
    """Length-bucketed shuffled batches: sort within chunks of 8 batches so padding stays small."""
    order = rng.permutation(len(examples))
    chunk = batch * 8
    groups: list[list[int]] = []
    for s in range(0, len(order), chunk):
        idx = sorted(order[s : s + chunk], key=lambda i: len(examples[i].x))
        groups.extend(idx[k : k + batch] for k in range(0, len(idx), batch))
    for g in rng.permutation(len(groups)):
        yield [examples[i] for i in groups[g]]


def collate(exs: list[Example]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad to the longest session of the batch: x [B, L, F], mask [B, L], y [B, L, C]."""
    n = max(len(e.x) for e in exs)
    x = np.zeros((len(exs), n, N_FEATURES), np.float32)
    y = np.zeros((len(exs), n, N_CATEGORIES), np.float32)
    m = np.zeros((len(exs), n), np.float32)
    for i, e in enumerate(exs):
        x[i, : len(e.x)] = e.x
        y[i, : len(e.y)] = e.y
        m[i, : len(e.x)] = 1.0
    return torch.from_numpy(x), torch.from_numpy(m), torch.from_numpy(y)


def _log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _crop(e: Example, length: int, rng: np.random.Generator) -> Example:
    """Random window of at most `length` units (reconstruction is local; attention cost is quadratic)."""
    if len(e.x) <= length:
        return e
    a = int(rng.integers(0, len(e.x) - length + 1))
    return Example(e.x[a : a + length], e.y[a : a + length], e.kind, e.categories, e.hard_negative, e.severity, e.seed)


def unit_mask(m: torch.Tensor, share: float, gen: torch.Generator) -> torch.Tensor:
    """Masked-unit prediction: spans of 1-8 units (about `share` of the occupied ones) hidden from layer 1."""
    b, n = m.shape
    starts = (torch.rand((b, n), generator=gen) < share / 4.0).float()
    lengths = torch.randint(1, 9, (b, n), generator=gen)
    hidden = torch.zeros(b, n)
    for k in range(8):
        hidden[:, k:] = torch.maximum(hidden[:, k:], starts[:, : n - k] * (lengths[:, : n - k] > k).float())
    return hidden * m


def train_autoencoder(net: Csar2Net, data: list[Example], cfg: TrainConfig) -> None:
    """Layer 1 on legitimate sessions only, by masked-unit prediction so it learns what context implies."""
    gen = torch.Generator().manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    opt = torch.optim.AdamW(net.ae.parameters(), lr=cfg.lr, weight_decay=1e-4)
    steps = cfg.ae_epochs * math.ceil(len(data) / cfg.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=max(steps, 1), pct_start=0.1)
    net.ae.train()
    step = 0
    for ep in range(cfg.ae_epochs):
        tot = 0.0
        for exs in _batches(data, cfg.batch, rng):
            x, m, _ = collate([_crop(e, cfg.ae_crop, rng) for e in exs])
            hidden = unit_mask(m, cfg.ae_mask, gen)
            xin = x * (1.0 - hidden[..., None]) + 0.01 * torch.randn(x.shape, generator=gen) * m[..., None]
            keep = m.clone()
            keep[:, 0] = 1.0
            recon, _ = net.ae(xin, keep > 0.5)
            target = x.index_select(2, net.recon_idx)
            # every unit is reconstructed; the hidden ones, predicted from context, count twice
            weight = m + hidden
            loss = (F.smooth_l1_loss(recon, target, reduction="none", beta=0.5).mean(-1) * weight).sum() / weight.sum()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.ae.parameters(), 1.0)
            opt.step()
            if step < steps:
                sched.step()
            step += 1
            tot += float(loss.detach())
        _log(f"autoencoder epoch {ep + 1}/{cfg.ae_epochs} loss {tot / max(1, math.ceil(len(data) / cfg.batch)):.4f}")


def by_length(data: list[Example], batch: int) -> Iterator[list[int]]:
    """Index batches of similar length (inference order; callers scatter results back)."""
    order = sorted(range(len(data)), key=lambda i: len(data[i].x))
    for s in range(0, len(order), batch):
        yield order[s : s + batch]


@torch.no_grad()
def ae_raw_scores(net: Csar2Net, data: list[Example], batch: int = 64) -> np.ndarray:
    """Session-level raw reconstruction statistic for each example."""
    net.eval()
    out = np.zeros(len(data))
    for idx in by_length(data, batch):
        x, m, _ = collate([data[i] for i in idx])
        m[:, 0] = 1.0
        _, err, _ = net.unit_error(x, m)
        out[idx] = net.ae_raw(err, m).numpy()
    return out


def calibrate_autoencoder(net: Csar2Net, legit_val: list[Example], quantile: float = 99.8) -> dict[str, float]:
    """Logistic map: legitimate median -> 0.1, legitimate `quantile` percentile -> 0.5."""
    raw = ae_raw_scores(net, legit_val)
    q50, q995 = float(np.percentile(raw, 50)), float(np.percentile(raw, quantile))
    a = math.log(9.0) / max(q995 - q50, 1e-3)
    b = -a * q995
    net.cal_a.fill_(a)
    net.cal_b.fill_(b)
    return {"a": a, "b": b, "q50": q50, "q995": q995}


@torch.no_grad()
def encode_all(net: Csar2Net, data: list[Example], batch: int = 64) -> list[tuple[np.ndarray, np.ndarray]]:
    """Frozen layer-1 outputs (encoder states, residuals) per example, computed once."""
    net.eval()
    out: list[tuple[np.ndarray, np.ndarray]] = [(np.zeros(0), np.zeros(0))] * len(data)
    for idx in by_length(data, batch):
        x, m, _ = collate([data[i] for i in idx])
        m[:, 0] = 1.0
        resid, _, h = net.unit_error(x, m)
        for k, i in enumerate(idx):
            n = len(data[i].x)
            out[i] = (h[k, :n].numpy().copy(), resid[k, :n].numpy().copy())
    return out


def _pad(arrs: list[np.ndarray], n: int) -> torch.Tensor:
    out = np.zeros((len(arrs), n, arrs[0].shape[1]), np.float32)
    for i, a in enumerate(arrs):
        out[i, : len(a)] = a
    return torch.from_numpy(out)


def train_classifier(net: Csar2Net, data: list[Example], cfg: TrainConfig) -> None:
    """Layer 2 on the frozen encoder: per-unit multi-label BCE, positives up-weighted."""
    rng = np.random.default_rng(cfg.seed + 1)
    enc = encode_all(net, data)
    index = {id(e): k for k, e in enumerate(data)}
    opt = torch.optim.AdamW(net.clf.parameters(), lr=cfg.lr, weight_decay=1e-4)
    steps = cfg.clf_epochs * math.ceil(len(data) / cfg.batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=max(steps, 1), pct_start=0.1)
    pos_weight = torch.full((N_CATEGORIES,), 4.0)
    net.clf.train()
    step = 0
    for ep in range(cfg.clf_epochs):
        tot = 0.0
        nb = 0
        for exs in _batches(data, cfg.batch, rng):
            x, m, y = collate(exs)
            n = x.shape[1]
            h = _pad([enc[index[id(e)]][0] for e in exs], n)
            r = _pad([enc[index[id(e)]][1] for e in exs], n)
            logits = net.clf(h, r, x, m)
            bce = F.binary_cross_entropy_with_logits(logits, y, pos_weight=pos_weight, reduction="none")
            # per-session weighting so long sessions do not dominate
            per = (bce.sum(-1) * m).sum(1) / m.sum(1).clamp(min=1.0)
            # session-level term: the max over units should fire iff the session has the category
            smax = (logits - (1.0 - m[..., None]) * 1e4).amax(1)
            sess = F.binary_cross_entropy_with_logits(smax, y.amax(1), reduction="mean")
            loss = per.mean() + sess
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.clf.parameters(), 1.0)
            opt.step()
            if step < steps:
                sched.step()
            step += 1
            tot += float(loss.detach())
            nb += 1
        _log(f"classifier epoch {ep + 1}/{cfg.clf_epochs} loss {tot / max(nb, 1):.4f}")


@torch.no_grad()
def session_probs(net: Csar2Net, data: list[Example], batch: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Per-session max unit probability per category [N, C] and the session anomaly score [N]."""
    net.eval()
    probs = np.zeros((len(data), N_CATEGORIES), np.float32)
    scores = np.zeros(len(data), np.float32)
    for idx in by_length(data, batch):
        x, m, _ = collate([data[i] for i in idx])
        score, _, p, _ = net(x, m)
        probs[idx] = p.amax(1).numpy()
        scores[idx] = score[:, 0].numpy()
    return probs, scores


def tune_category_bias(net: Csar2Net, val: list[Example], legit_fp_weight: float = 2.0) -> list[float]:
    """Per-category logit shift maximising session-level F1 on validation.

    False alarms on legitimate sessions count `legit_fp_weight` times: 13 categories share one
    false-positive budget per healthy session. Ties go to the stricter threshold.
    """
    net.cat_bias.zero_()
    probs, _ = session_probs(net, val)
    logit = np.log(np.clip(probs, 1e-6, 1 - 1e-6) / (1 - np.clip(probs, 1e-6, 1 - 1e-6)))
    truth = np.array([[c in e.categories for c in CATEGORIES] for e in val])
    legit = np.array([e.kind != "anomalous" for e in val])
    biases = []
    for c in range(N_CATEGORIES):
        best, best_f1 = 0.0, -1.0
        for thr in np.linspace(-3.0, 6.0, 37):
            pred = logit[:, c] > thr
            tp = (pred & truth[:, c]).sum()
            fp = (pred & ~truth[:, c]).sum() + (legit_fp_weight - 1.0) * (pred & legit).sum()
            f1 = 2 * tp / max(2 * tp + fp + (~pred & truth[:, c]).sum(), 1)
            if f1 > best_f1 + 1e-9 or (abs(f1 - best_f1) < 1e-9 and thr > best):
                best, best_f1 = float(thr), float(f1)
        biases.append(-best)
    net.cat_bias.copy_(torch.tensor(biases))
    return biases


def train(cfg: TrainConfig, out: Path) -> dict[str, Any]:
    """Run the whole training, write weights + metadata to out (+ .json); returns metadata.

    Fixed epochs and seeded generators throughout, deterministic kernels where torch has them: the
    same command on the same torch build gives the same weights (no wall-clock cut-offs).
    """
    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    t_start = time.time()
    _log(f"simulating {cfg.n_train} train / {cfg.n_val} val sessions")
    mix = Mix(healthy=cfg.healthy, hard_negative=cfg.hard_negative)
    train_set = build(cfg.seed, cfg.n_train, mix)
    val_set = build(cfg.seed + 500, cfg.n_val, mix)
    legit_val = [e for e in val_set if e.kind != "anomalous"]
    _log(f"simulated in {time.time() - t_start:.0f}s")
    net = Csar2Net(**cfg.architecture)
    legit = [e for e in train_set if e.kind != "anomalous"]
    train_autoencoder(net, legit, cfg)
    cal = calibrate_autoencoder(net, legit_val)
    _log(f"autoencoder calibration {cal}")
    for p in net.ae.parameters():
        p.requires_grad_(False)
    train_classifier(net, train_set, cfg)
    biases = tune_category_bias(net, val_set)
    _log(f"category biases {np.round(biases, 2).tolist()}")
    probs, scores = session_probs(net, val_set)
    legit_mask = np.array([e.kind != "anomalous" for e in val_set])
    _log(f"val: legit false-positive rate {float((scores[legit_mask] > 0.5).mean()):.3f}")
    for c, cat in enumerate(CATEGORIES):
        t = np.array([cat in e.categories for e in val_set])
        hit = probs[:, c] > 0.5
        _log(f"val {cat:24s} P {(hit & t).sum() / max(hit.sum(), 1):.3f} R {(hit & t).sum() / max(t.sum(), 1):.3f}")
    meta: dict[str, Any] = {
        "version": cfg.version,
        "architecture": cfg.architecture,
        "feature_names": list(FEATURE_NAMES),
        "categories": list(CATEGORIES),
        "parameters": count_parameters(net),
        "calibration": cal,
        "category_bias": biases,
        "train_config": asdict(cfg),
        "train_seconds": round(time.time() - t_start, 1),
        "torch": torch.__version__,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.state_dict(), out)
    metadata_path(out).write_text(json.dumps(meta, indent=2))
    _log(f"saved {out} ({count_parameters(net)} parameters, {meta['train_seconds']}s)")
    return meta
