"""`just chaos`: kill the stack mid-stream and count exactly what survives (docs/chaos.md).

`python -m bench.chaos [--rounds N] [--seed S] [--small] [--out PATH]`; `run()` is what both the
command and the CI test (`tests/e2e/test_chaos.py`) call.
"""

from __future__ import annotations

from bench.chaos.runner import run
from bench.chaos.workload import LONG, SMALL, Sizes

__all__ = ["LONG", "SMALL", "Sizes", "run"]
