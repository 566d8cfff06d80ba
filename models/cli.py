"""`evwatch models <simulate|train|evaluate|export>`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _simulate(args: argparse.Namespace) -> int:
    from models.simulator import simulate_session
    from models.simulator.wire import rfc3339

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as fh:
        for i in range(args.n):
            s = simulate_session(args.seed * 1_000_000 + i, args.category)
            rec = {
                "seed": s.seed,
                "kind": s.kind,
                "hardNegative": s.hard_negative,
                "metadata": s.metadata,
                "meterValues": s.raw,
                "labels": [
                    {
                        "category": lb.category,
                        "severity": lb.severity,
                        "start": rfc3339(lb.start_ts),
                        "end": rfc3339(lb.end_ts),
                    }
                    for lb in s.labels
                ],
            }
            fh.write(json.dumps(rec) + "\n")
    print(f"wrote {args.n} sessions to {out}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from models.csar2.metadata import WEIGHTS_PATH
    from models.csar2.train import TrainConfig, train

    cfg = TrainConfig(
        seed=args.seed,
        n_train=args.n_train,
        n_val=args.n_val,
        ae_epochs=args.ae_epochs,
        clf_epochs=args.clf_epochs,
        threads=args.threads,
        version=args.version,
        architecture={"c": args.clf_channels, "blocks": args.clf_blocks},
    )
    meta = train(cfg, Path(args.out) if args.out else WEIGHTS_PATH)
    print(json.dumps({k: meta[k] for k in ("version", "parameters", "train_seconds")}))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from models.evaluation.run import evaluate
    from models.evaluation.sets import FROZEN, HOLDOUT

    spec = {"frozen": FROZEN, "holdout": HOLDOUT}[args.set]
    out = Path(args.out) if args.out else (Path(__file__).parent / "EVALUATION.md" if spec == FROZEN else None)
    report = evaluate(spec, n=args.n, weights=Path(args.weights) if args.weights else None, out=out)
    print(report)
    return 0


def _export(args: argparse.Namespace) -> int:
    from models.repository import export_repository

    names = export_repository(Path(args.dest), instance_kind="KIND_GPU" if args.gpu else "KIND_CPU")
    print(f"exported {', '.join(names)} to {args.dest}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for the models command group."""
    p = argparse.ArgumentParser(
        prog="evwatch models",
        description="Simulate, train, evaluate and export CSAR-2 (and `evwatch models shade -h` for SHADE).",
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("simulate", help="write simulated sessions as JSON lines")
    s.add_argument("--n", type=int, default=100)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--category", default=None)
    s.add_argument("--out", default="var/simulated/sessions.jsonl")
    s.set_defaults(fn=_simulate)
    t = sub.add_parser("train", help="train CSAR-2 (seeded, fixed epochs, reproducible)")
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--n-train", type=int, default=3000)
    t.add_argument("--n-val", type=int, default=600)
    t.add_argument("--ae-epochs", type=int, default=4)
    t.add_argument("--clf-epochs", type=int, default=8)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--clf-channels", type=int, default=128)
    t.add_argument("--clf-blocks", type=int, default=4)
    t.add_argument("--version", default="csar2-1")
    t.add_argument("--out", default=None, help="weights path (default: the committed models/csar2/weights/csar2.pt)")
    t.set_defaults(fn=_train)
    e = sub.add_parser(
        "evaluate", help="frozen test set vs baselines, wire habits, real sessions; writes models/EVALUATION.md"
    )
    e.add_argument(
        "--set", choices=("frozen", "holdout"), default="frozen", help="holdout: the development set for choices"
    )
    e.add_argument("--n", type=int, default=None, help="fewer sessions (no longer the frozen set)")
    e.add_argument("--weights", default=None)
    e.add_argument(
        "--out", default=None, help="report path (default: models/EVALUATION.md for the frozen set, else stdout only)"
    )
    e.set_defaults(fn=_evaluate)
    x = sub.add_parser("export", help="write the Triton model repository")
    x.add_argument("--dest", default="var/triton-repository")
    x.add_argument("--gpu", action="store_true", help="instance_group KIND_GPU (for a GPU Triton)")
    x.set_defaults(fn=_export)
    return p


def main(argv: list[str]) -> int:
    """Entry point; returns the process exit code. `shade <cmd>` runs the SHADE commands."""
    if argv[:1] == ["shade"]:
        from models.shade.cli import main as shade_main

        return shade_main(argv[1:])
    args = build_parser().parse_args(argv)
    return int(args.fn(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
