"""Per-type precision/recall of SHADE on simulated station-days, plus healthy false-positive rate."""

from __future__ import annotations

from typing import Any

import numpy as np

from evwatch.domain.categories import STATION_ANOMALY_TYPES
from models.shade.dataset import Sample
from models.shade.schema import ShadeResult


def day_metrics(samples: list[Sample], results: list[ShadeResult]) -> dict[str, Any]:
    """Day-level metrics: a hit needs `is_anomaly` and the right `anomaly_type`.

    Also reports marker localisation: the share of detected true anomalies whose first marker
    starts inside (or within an hour of) the injected minutes.
    """
    per_type: dict[str, dict[str, float]] = {}
    truth = [s.label for s in samples]
    predicted = [r.detection_details.get("anomaly_type") if r.is_anomaly else None for r in results]
    for t in STATION_ANOMALY_TYPES:
        tp = sum(1 for y, p in zip(truth, predicted, strict=True) if y == t and p == t)
        n_pred = sum(1 for p in predicted if p == t)
        n_true = sum(1 for y in truth if y == t)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_type[t] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "support": n_true,
        }
    healthy = [r for y, r in zip(truth, results, strict=True) if y is None]
    anomalous = [(s, r) for s, r in zip(samples, results, strict=True) if s.label is not None]
    detected = [(s, r) for s, r in anomalous if r.is_anomaly]
    located = 0
    for s, r in detected:
        idx = np.flatnonzero(s.minute_labels > 0)
        if r.markers and idx.size and idx[0] - 60 <= r.markers[0].start_minute <= idx[-1] + 60:
            located += 1
    return {
        "per_type": per_type,
        "macro_f1": round(float(np.mean([v["f1"] for v in per_type.values()])), 3),
        "healthy_false_positive_rate": round(sum(r.is_anomaly for r in healthy) / max(len(healthy), 1), 3),
        "anomaly_detection_rate": round(len(detected) / max(len(anomalous), 1), 3),
        "marker_localisation": round(located / max(len(detected), 1), 3),
        "n_days": len(samples),
        "n_healthy": len(healthy),
    }


def format_report(metrics: dict[str, Any]) -> str:
    """A plain-text table of the metrics for the CLI."""
    lines = [f"{'type':<18}{'precision':>10}{'recall':>8}{'f1':>7}{'n':>6}"]
    for t, m in metrics["per_type"].items():
        lines.append(f"{t:<18}{m['precision']:>10.3f}{m['recall']:>8.3f}{m['f1']:>7.3f}{m['support']:>6}")
    lines.append(
        f"macro F1 {metrics['macro_f1']:.3f}; healthy false-positive rate "
        f"{metrics['healthy_false_positive_rate']:.3f} over {metrics['n_healthy']} healthy days; "
        f"anomaly detection rate {metrics['anomaly_detection_rate']:.3f}; "
        f"marker localisation {metrics['marker_localisation']:.3f}; {metrics['n_days']} days"
    )
    return "\n".join(lines)


def markdown_report(metrics: dict[str, Any], title: str = "SHADE evaluation") -> str:
    """The metrics as a Markdown section (written by `cli evaluate --write`)."""
    lines = [f"## {title}", "", "| type | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for t, m in metrics["per_type"].items():
        lines.append(f"| {t} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    lines += [
        "",
        f"Macro F1 {metrics['macro_f1']:.3f}; false positives on {metrics['healthy_false_positive_rate']:.1%} of "
        f"{metrics['n_healthy']} healthy days; {metrics['anomaly_detection_rate']:.1%} of anomalous days flagged; "
        f"markers within an hour of the injected stretch for {metrics['marker_localisation']:.1%} of detections; "
        f"{metrics['n_days']} station-days in all.",
        "",
    ]
    return "\n".join(lines)
