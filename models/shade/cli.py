"""`python -m models.shade.cli simulate|train|evaluate|export`: SHADE's reproducible commands."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np


def _simulate(args: argparse.Namespace) -> int:
    from models.shade.simulator import random_station, simulate_day

    rng = np.random.default_rng(args.seed)
    types = [None, *args.types] if args.types else None
    rows = []
    for s in range(args.stations):
        spec = random_station(rng)
        for d in range(args.days):
            anomaly = None if types is None else types[(s * args.days + d) % len(types)]
            if anomaly == "meter_mismatch" and not spec.has_station_meter:
                anomaly = None
            sim = simulate_day(spec, d, args.seed + s, anomaly=anomaly)
            rows.append(
                {
                    "station": s,
                    "day": d,
                    "connectors": len(spec.connector_ids),
                    "station_meter": spec.has_station_meter,
                    "energy_kwh": round(float(sim.day.energy_kwh.sum()), 2),
                    "anomalies": [
                        {
                            "type": a.anomaly_type,
                            "start_minute": a.start_minute,
                            "end_minute": a.end_minute,
                            "severity": round(a.severity, 3),
                        }
                        for a in sim.anomalies
                    ],
                }
            )
    for row in rows:
        print(json.dumps(row))
    return 0


def _train(args: argparse.Namespace) -> int:
    from models.shade.evaluate import format_report
    from models.shade.train import TrainConfig, train

    cfg = TrainConfig(seed=args.seed, train_stations=args.stations, epochs=args.epochs)
    meta = train(cfg, weights_dir=Path(args.weights_dir))
    print(format_report(meta["test_metrics"]))
    print(
        f"threshold {meta['threshold']}, {meta['parameters']} parameters, "
        f"training {meta['training']['train_seconds']} s (total {meta['training']['total_seconds']} s)"
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from models.shade.baseline import rule_result
    from models.shade.dataset import iter_samples
    from models.shade.evaluate import day_metrics, format_report, markdown_report
    from models.shade.interpret import interpret
    from models.shade.runtime import TorchShade
    from models.shade.schema import MINUTES, N_CLASSES, OUTPUT_DAY_SCORE, OUTPUT_MINUTE_PROBS
    from models.shade.train import score_samples

    runtime = TorchShade.load(Path(args.weights_dir))
    samples = list(iter_samples(args.stations, args.seed))
    metrics = day_metrics(samples, score_samples(runtime, samples, runtime.threshold))
    # The rules alone: the network reports every day normal, so only findings the rules raise count.
    quiet = np.zeros((N_CLASSES, MINUTES), dtype=np.float32)
    quiet[0] = 1.0
    silent = {OUTPUT_MINUTE_PROBS: quiet, OUTPUT_DAY_SCORE: np.zeros(1, dtype=np.float32)}
    alone = day_metrics(samples, [interpret(s.prepared, silent, runtime.threshold) for s in samples])
    rules = day_metrics(samples, [rule_result(s.prepared) for s in samples])
    if args.json:
        print(json.dumps({**metrics, "rules_alone": alone, "baseline_rules": rules}))
    else:
        print(format_report(metrics))
        print("rules alone (network proposals off):")
        print(format_report(alone))
        print("baseline (threshold rules):")
        print(format_report(rules))
    if args.write:
        intro = (
            f"Held-out simulated stations: {args.stations} stations x 10 scored days, seed {args.seed} "
            f"(training used seed {runtime.meta.get('training', {}).get('config', {}).get('seed')}); "
            f"20 % partial days, 10 % with 0-3 history days. Reproduce: "
            f"`python -m models.shade.cli evaluate --stations {args.stations} --seed {args.seed} --write "
            f"{args.write}`.\n\n"
        )
        Path(args.write).write_text(
            "# SHADE evaluation\n\n"
            + intro
            + markdown_report(metrics, "SHADE (rules, with network proposals)")
            + "\n"
            + markdown_report(alone, "Rules alone (network proposals off)")
            + "\n"
            + markdown_report(rules, "Baseline: hand-written threshold rules")
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    from models.shade.export import export_shade

    print(export_shade(Path(args.dest), weights_dir=Path(args.weights_dir)))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    import torch

    from evwatch.domain.categories import STATION_ANOMALY_TYPES
    from models.shade.metadata import WEIGHTS_DIR

    torch.set_num_threads(1)
    parser = argparse.ArgumentParser(prog="evwatch models shade", description="SHADE station-day anomaly model")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("simulate", help="print simulated station-days as JSON lines")
    p.add_argument("--stations", type=int, default=2)
    p.add_argument("--days", type=int, default=7)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--types", nargs="*", choices=STATION_ANOMALY_TYPES, help="cycle through these anomaly types")
    p.set_defaults(func=_simulate)
    p = sub.add_parser("train", help="train on the simulator and write weights")
    p.add_argument("--stations", type=int, default=800)
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--weights-dir", default=str(WEIGHTS_DIR))
    p.set_defaults(func=_train)
    p = sub.add_parser("evaluate", help="per-type precision/recall on fresh simulated stations")
    p.add_argument("--stations", type=int, default=60)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--weights-dir", default=str(WEIGHTS_DIR))
    p.add_argument("--json", action="store_true")
    p.add_argument("--write", help="also write the table as Markdown to this file")
    p.set_defaults(func=_evaluate)
    p = sub.add_parser("export", help="write <dest>/shade for Triton")
    p.add_argument("--dest", required=True)
    p.add_argument("--weights-dir", default=str(WEIGHTS_DIR))
    p.set_defaults(func=_export)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
