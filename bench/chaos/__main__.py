"""`python -m bench.chaos [--rounds N] [--seed S] [--small] [--out PATH] [--work-dir DIR]`.

Writes `bench/results/chaos.json` (or `--out`), prints a line per round, exits 0 when every round
passed with 0 lost and 0 duplicated, 1 otherwise. The work dir (logs of every `evwatch run` start,
the broker's and tritonserver's logs, the var dir) is removed after a passing run and kept otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench.chaos.runner import run
from bench.chaos.workload import LONG, SMALL
from bench.results_io import write_result


def main(argv: list[str]) -> int:
    """Parse the arguments, run the rounds, write the JSON result."""
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=None, help="default: random (printed, and kept in the result)")
    parser.add_argument("--small", action="store_true", help="the CI sizes (12 streamed + 6 POSTed sessions a round)")
    parser.add_argument(
        "--out", type=Path, default=None, help="write the JSON here instead of bench/results/chaos.json"
    )
    parser.add_argument("--work-dir", type=Path, default=None, help="default: a new temporary directory")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "big")
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="evwatch-chaos-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"chaos: {args.rounds} rounds, seed {seed}, work dir {work}", flush=True)
    result = run(args.rounds, seed, work, SMALL if args.small else LONG)
    if args.out is not None:
        payload = {"benchmark": "chaos", "measured_at": datetime.now(UTC).isoformat(), **result}
        args.out.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.out}: {json.dumps(result['summary'])}", flush=True)
    else:
        write_result("chaos", result)
    ok = result["error"] is None and result["summary"]["passed"] == args.rounds
    if ok and args.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    elif not ok:
        print(f"chaos: FAILED; logs and data kept in {work}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
