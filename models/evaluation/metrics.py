"""Detection metrics: per-category P/R/F1, localisation IoU, AUROC, false-positive rates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class PRF:
    """Precision, recall, F1 and support of one category."""

    precision: float
    recall: float
    f1: float
    support: int
    tp: int
    fp: int
    fn: int


def prf(truth: list[set[str]], pred: list[set[str]], category: str) -> PRF:
    """Session-level: a session is positive for a category when it carries it."""
    t = np.array([category in s for s in truth])
    p = np.array([category in s for s in pred])
    tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return PRF(prec, rec, f1, int(t.sum()), tp, fp, fn)


def iou(a: set[int], b: set[int]) -> float:
    """Intersection over union of two unit sets."""
    return len(a & b) / len(a | b) if a | b else 0.0


def auroc(is_anomalous: np.ndarray, score: np.ndarray) -> float:
    """Session-level AUROC (nan if one class is missing)."""
    if is_anomalous.all() or not is_anomalous.any():
        return float("nan")
    # Mann-Whitney U with average ranks for ties
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    s_sorted = score[order]
    i = 0
    while i < len(score):
        j = i
        while j + 1 < len(score) and s_sorted[j + 1] == s_sorted[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    pos = is_anomalous.astype(bool)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def rate(flags: np.ndarray) -> float:
    """Share of True (nan when empty)."""
    return float(flags.mean()) if len(flags) else float("nan")
