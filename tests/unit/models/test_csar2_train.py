"""Training is reproducible from its command: the same config gives the same weights, bit for bit."""

from __future__ import annotations

from pathlib import Path

import torch

from models.csar2.train import TrainConfig, train


def test_the_same_config_trains_the_same_weights(tmp_path: Path) -> None:
    cfg = TrainConfig(seed=3, n_train=24, n_val=16, ae_epochs=1, clf_epochs=1, batch=8, version="det")
    train(cfg, tmp_path / "a" / "csar2.pt")
    train(cfg, tmp_path / "b" / "csar2.pt")
    a = torch.load(tmp_path / "a" / "csar2.pt", weights_only=True)
    b = torch.load(tmp_path / "b" / "csar2.pt", weights_only=True)
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
