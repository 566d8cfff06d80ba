"""`just chaos` in short: two rounds on the real `evwatch run`, each with a fault mid-stream (a SIGKILL of
the whole process tree, then a broker restart or a Triton outage by the seed's parity), and exactly
once afterwards: nothing lost, nothing duplicated, in the API, the events and the tables."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from bench.chaos import SMALL, run

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

# Fixed, so that CI is reproducible: an even seed pairs the kill round with a broker restart, an odd
# one with a Triton outage (EVWATCH_CHAOS_SEED=1 runs that). `just chaos` runs the long version.
SEED = int(os.environ.get("EVWATCH_CHAOS_SEED", "20260301"))


def test_two_chaos_rounds_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    result = run(rounds=2, seed=SEED, work_dir=tmp_path, sizes=SMALL)
    shown = json.dumps(result, indent=2, default=str)
    assert result["error"] is None, shown
    assert [r["kind"] for r in result["rounds"]] == ["kill", "broker" if SEED % 2 == 0 else "triton"], shown
    for entry in result["rounds"]:
        assert entry["passed"], shown
        assert entry["lost"] == {} and entry["duplicated"] == {}, shown
    assert result["summary"] == {**result["summary"], "rounds": 2, "passed": 2, "lost": 0, "duplicated": 0}, shown
