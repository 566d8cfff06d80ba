"""SHADE network: a shared per-connector encoder pooled over connectors, then dilated temporal convolutions."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from models.shade.schema import CONNECTOR_FEATURES, N_CLASSES, STATION_FEATURES


class _ResBlock(nn.Module):
    def __init__(self, channels: int, dilation: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv1d(channels, channels, 3, padding=dilation, dilation=dilation)
        self.conv2 = nn.Conv1d(channels, channels, 1)
        self.norm = nn.GroupNorm(4, channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv2(F.gelu(self.norm(self.conv1(x))))


class ShadeNet(nn.Module):
    """Per-minute type probabilities [B, 6, 1440] and a day score [B, 1] from STATION and CONNECTORS.

    The model runs at 5-minute resolution (anomalies last hours) with a receptive field of
    about a day, and repeats its per-step output back to minutes.
    """

    def __init__(
        self,
        hidden: int = 32,
        connector_hidden: int = 16,
        pool: int = 5,
        dilations: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64),
    ) -> None:
        super().__init__()
        self.pool = pool
        self.connector_hidden = connector_hidden
        self.connector = nn.Sequential(
            nn.Conv1d(CONNECTOR_FEATURES, connector_hidden, 3, padding=1),
            nn.GELU(),
            nn.Conv1d(connector_hidden, connector_hidden, 3, padding=2, dilation=2),
            nn.GELU(),
        )
        self.inp = nn.Conv1d(STATION_FEATURES + 2 * connector_hidden, hidden, 1)
        self.blocks = nn.ModuleList([_ResBlock(hidden, d) for d in dilations])
        self.head = nn.Conv1d(hidden, N_CLASSES, 1)
        self.day_head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.GELU(), nn.Linear(hidden, 1))

    def logits(self, station: torch.Tensor, connectors: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Raw per-minute class logits [B, 6, T] and day logit [B, 1]."""
        b, c, fc, t = connectors.shape
        steps = t // self.pool
        s = F.avg_pool1d(station, self.pool)
        x = F.avg_pool1d(connectors.reshape(b * c, fc, t), self.pool)
        h_c = self.connector(x).reshape(b, c, self.connector_hidden, steps)
        present = connectors[:, :, fc - 1, :].amax(dim=-1).reshape(b, c, 1, 1)  # [B, C, 1, 1]
        count = present.sum(dim=1).clamp(min=1.0)
        c_mean = (h_c * present).sum(dim=1) / count
        c_max = (h_c * present - (1.0 - present) * 1e4).amax(dim=1)
        c_max = torch.where(present.sum(dim=1) > 0, c_max, torch.zeros_like(c_max))
        h = self.inp(torch.cat([s, c_mean, c_max], dim=1))
        for block in self.blocks:
            h = block(h)
        minute = self.head(h).repeat_interleave(self.pool, dim=-1)
        day = self.day_head(torch.cat([h.mean(dim=-1), h.amax(dim=-1)], dim=1))
        return minute, day

    def forward(self, station: torch.Tensor, connectors: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Softmax over classes per minute and sigmoid day score."""
        minute, day = self.logits(station, connectors)
        return torch.softmax(minute, dim=1), torch.sigmoid(day)


def parameter_count(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
