"""Simulated training/evaluation sets: features, per-unit labels and session facts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from evwatch.domain.categories import CATEGORIES
from models.csar2.io import N_CATEGORIES
from models.csar2.preprocess import PreparedSession, prepare
from models.simulator import SimulatedSession, simulate_session
from models.simulator.session import HARD_NEGATIVES

CAT_INDEX = {c: i for i, c in enumerate(CATEGORIES)}


@dataclass(frozen=True, slots=True)
class Example:
    """One session ready for training: features [n, F], unit labels [n, C] and its kind."""

    x: np.ndarray
    y: np.ndarray
    kind: str
    categories: frozenset[str]
    hard_negative: str | None
    severity: str | None
    seed: int


@dataclass(frozen=True, slots=True)
class Mix:
    """Share of healthy / hard-negative / anomalous sessions in a set."""

    healthy: float = 0.35
    hard_negative: float = 0.15


def draw_spec(seed: int, mix: Mix) -> tuple[str | None, str | None]:
    """(category, hard_negative) for a session seed, deterministic."""
    r = np.random.default_rng([seed, 7]).uniform()
    pick = np.random.default_rng([seed, 11])
    if r < mix.healthy:
        return None, None
    if r < mix.healthy + mix.hard_negative:
        return None, str(pick.choice(HARD_NEGATIVES))
    return str(pick.choice(CATEGORIES)), None


def unit_labels(sim: SimulatedSession, prepared: PreparedSession) -> np.ndarray:
    """Multi-hot [n_units, C] from the labels' time ranges."""
    y = np.zeros((prepared.n_units, N_CATEGORIES), dtype=np.float32)
    for lb in sim.labels:
        a, b = lb.units(prepared.t0, prepared.unit_seconds)
        a, b = min(a, prepared.n_units - 1), min(b, prepared.n_units - 1)
        y[a : b + 1, CAT_INDEX[lb.category]] = 1.0
    return y


def make_example(seed: int, category: str | None, hard_negative: str | None) -> Example:
    """Simulate and prepare one session."""
    sim = simulate_session(seed, category, hard_negative=hard_negative)
    p = prepare(sim.readings, sim.context)
    return Example(
        x=p.inputs["FEATURES"][: p.n_units].copy(),
        y=unit_labels(sim, p),
        kind=sim.kind,
        categories=frozenset(sim.categories),
        hard_negative=sim.hard_negative,
        severity=sim.info.get("severity"),
        seed=seed,
    )


def build(base_seed: int, n: int, mix: Mix = Mix()) -> list[Example]:
    """n sessions from seeds base_seed*1e6 + i (disjoint seed spaces per base seed)."""
    out = []
    for i in range(n):
        s = base_seed * 1_000_000 + i
        cat, hn = draw_spec(s, mix)
        out.append(make_example(s, cat, hn))
    return out
