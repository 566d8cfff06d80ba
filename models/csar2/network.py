"""CSAR-2 network: rotary transformer autoencoder (layer 1) + multi-scale conv classifier (layer 2).

Written to be TorchScript-scriptable: the exported module is exactly this code (and no
`from __future__ import annotations`: TorchScript needs the annotations as real types).
"""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from models.csar2.features import RECON_IDX
from models.csar2.io import N_CATEGORIES, N_FEATURES


def rope_tables(length: int, head_dim: int, device: torch.device) -> tuple[Tensor, Tensor]:
    """cos/sin tables [L, head_dim/2] for rotary position embeddings over unit indices."""
    half = head_dim // 2
    inv = 1.0 / (1000.0 ** (torch.arange(half, device=device, dtype=torch.float32) / half))
    ang = torch.arange(length, device=device, dtype=torch.float32)[:, None] * inv[None, :]
    return torch.cos(ang), torch.sin(ang)


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """Rotate pairs (x1, x2) of the last dim by the position angle; x is [B, H, L, Dh]."""
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class RotaryAttention(nn.Module):
    """Multi-head self-attention with rotary positions and a key-padding mask."""

    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)

    def forward(self, x: Tensor, cos: Tensor, sin: Tensor, keep: Tensor) -> Tensor:
        b, n, d = x.shape
        qkv = self.qkv(x).view(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q = apply_rope(qkv[0], cos, sin)
        k = apply_rope(qkv[1], cos, sin)
        attn = F.scaled_dot_product_attention(q, k, qkv[2], attn_mask=keep[:, None, None, :])
        return self.out(attn.transpose(1, 2).reshape(b, n, d))


class Block(nn.Module):
    """Pre-norm transformer block."""

    def __init__(self, d: int, heads: int, ff: int) -> None:
        super().__init__()
        self.n1 = nn.LayerNorm(d)
        self.attn = RotaryAttention(d, heads)
        self.n2 = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, ff), nn.GELU(), nn.Linear(ff, d))

    def forward(self, x: Tensor, cos: Tensor, sin: Tensor, keep: Tensor) -> Tensor:
        x = x + self.attn(self.n1(x), cos, sin, keep)
        return x + self.ff(self.n2(x))


class AutoEncoder(nn.Module):
    """Layer 1: encoder -> narrow per-unit latent -> decoder reconstructing the physical features."""

    def __init__(self, d: int = 64, heads: int = 4, enc_layers: int = 3, dec_layers: int = 2, latent: int = 6) -> None:
        super().__init__()
        self.heads = heads
        self.d = d
        self.inp = nn.Linear(N_FEATURES, d)
        self.enc = nn.ModuleList([Block(d, heads, 2 * d) for _ in range(enc_layers)])
        self.enc_norm = nn.LayerNorm(d)
        self.to_latent = nn.Linear(d, latent)
        self.from_latent = nn.Linear(latent, d)
        self.dec = nn.ModuleList([Block(d, heads, 2 * d) for _ in range(dec_layers)])
        self.dec_norm = nn.LayerNorm(d)
        self.out = nn.Linear(d, len(RECON_IDX))

    def forward(self, x: Tensor, keep: Tensor) -> tuple[Tensor, Tensor]:
        """Returns (reconstruction [B, L, R], encoder output [B, L, d])."""
        cos, sin = rope_tables(x.shape[1], self.d // self.heads, x.device)
        h = self.inp(x)
        for blk in self.enc:
            h = blk(h, cos, sin, keep)
        h = self.enc_norm(h)
        z = torch.tanh(self.to_latent(h))
        g = self.from_latent(z)
        for blk in self.dec:
            g = blk(g, cos, sin, keep)
        return self.out(self.dec_norm(g)), h


class ChannelNorm(nn.Module):
    """LayerNorm over channels at each time step (independent of padding, unlike GroupNorm)."""

    def __init__(self, c: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(c)

    def forward(self, x: Tensor) -> Tensor:
        return self.norm(x.transpose(1, 2)).transpose(1, 2)


class MultiScale(nn.Module):
    """Parallel dilated temporal convolutions (several time scales), residual."""

    def __init__(self, c: int, dilations: tuple[int, ...] = (1, 2, 4, 8, 16), dropout: float = 0.1) -> None:
        super().__init__()
        w = c // len(dilations)
        self.branches = nn.ModuleList([nn.Conv1d(c, w, 3, padding=dl, dilation=dl) for dl in dilations])
        self.mix = nn.Conv1d(w * len(dilations), c, 1)
        self.drop = nn.Dropout(dropout)
        self.norm = ChannelNorm(c)

    def forward(self, x: Tensor, m: Tensor) -> Tensor:
        ys = [br(x) for br in self.branches]
        y = self.drop(self.mix(F.gelu(torch.cat(ys, dim=1))))
        return self.norm(x + y) * m


class Classifier(nn.Module):
    """Layer 2: per-unit multi-label classifier over encoder output, residuals and physics features."""

    def __init__(self, d: int = 64, c: int = 100, blocks: int = 3) -> None:
        super().__init__()
        n_in = 2 * d + len(RECON_IDX) + N_FEATURES
        self.proj = nn.Conv1d(n_in, c, 1)
        self.blocks = nn.ModuleList([MultiScale(c) for _ in range(blocks)])
        self.head = nn.Conv1d(c, N_CATEGORIES, 1)

    def forward(self, h: Tensor, resid: Tensor, x: Tensor, keep_f: Tensor) -> Tensor:
        """Logits [B, L, C]."""
        denom = keep_f.sum(1, keepdim=True).clamp(min=1.0)
        pooled = (h * keep_f[..., None]).sum(1) / denom  # session context for whole-session categories
        z = torch.cat([h, resid, x, pooled[:, None, :].expand(-1, h.shape[1], -1)], dim=-1).transpose(1, 2)
        m = keep_f[:, None, :]
        y = self.proj(z) * m
        for blk in self.blocks:
            y = blk(y, m)
        return self.head(y).transpose(1, 2)


class Csar2Net(nn.Module):
    """Whole model incl. calibration; maps (FEATURES, MASK) to the Triton outputs."""

    recon_idx: Tensor
    cal_a: Tensor
    cal_b: Tensor
    cat_bias: Tensor

    def __init__(
        self,
        d: int = 64,
        heads: int = 4,
        enc_layers: int = 3,
        dec_layers: int = 2,
        latent: int = 6,
        c: int = 100,
        blocks: int = 3,
    ) -> None:
        super().__init__()
        self.ae = AutoEncoder(d, heads, enc_layers, dec_layers, latent)
        self.clf = Classifier(d, c, blocks)
        self.register_buffer("recon_idx", torch.tensor(RECON_IDX, dtype=torch.long))
        # logistic calibration of the log reconstruction error: score = sigmoid(a * raw + b)
        self.register_buffer("cal_a", torch.tensor(1.0))
        self.register_buffer("cal_b", torch.tensor(0.0))
        # per-category logit shift so that 0.5 is each category's tuned decision threshold
        self.register_buffer("cat_bias", torch.zeros(N_CATEGORIES))

    def unit_error(self, x: Tensor, keep_f: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """(residual [B, L, R], per-unit error [B, L], encoder output)."""
        recon, h = self.ae(x, keep_f > 0.5)
        target = x.index_select(2, self.recon_idx)
        resid = (recon - target) * keep_f[..., None]
        return resid, resid.pow(2).mean(-1), h

    def ae_raw(self, err: Tensor, keep_f: Tensor) -> Tensor:
        """Session reconstruction statistic: mix of mean and max per-unit error (log)."""
        mean = (err * keep_f).sum(1) / keep_f.sum(1).clamp(min=1.0)
        mx = (err * keep_f).amax(1)
        return 0.5 * torch.log(mean + 1e-4) + 0.5 * torch.log(mx + 1e-4)

    def forward(self, features: Tensor, mask: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        full = features.shape[1]
        # only run the occupied prefix of the grid: sessions are left-aligned
        length = int(mask.sum(1).max().item())
        length = max(1, min(length, full))
        x = features[:, :length]
        keep_f = mask[:, :length].clone()
        keep_f[:, 0] = 1.0  # an all-padding row would make attention NaN
        resid, err, h = self.unit_error(x, keep_f)
        ae_score = torch.sigmoid(self.cal_a * self.ae_raw(err, keep_f) + self.cal_b)
        logits = self.clf(h, resid, x, keep_f) + self.cat_bias
        probs = torch.sigmoid(logits) * keep_f[..., None]
        # the session score is the classifier's: the autoencoder's is reported apart, never an alarm
        score = probs.amax(dim=(1, 2))
        pad = full - length
        probs = F.pad(probs, (0, 0, 0, pad))
        err = F.pad(err * keep_f, (0, pad))
        return score[:, None], ae_score[:, None], probs, err


def count_parameters(model: nn.Module) -> int:
    """Trainable parameter count."""
    return sum(p.numel() for p in model.parameters())
