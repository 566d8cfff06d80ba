"""The supervisor restarts a dataflow that died, with backoff, and counts the restarts."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import bytewax.operators as op
import pytest
from bytewax.dataflow import Dataflow
from bytewax.testing import TestingSink, TestingSource

import pipeline.runner as runner
from pipeline.runner import PipelineThread


def test_a_dead_flow_is_restarted_and_the_restart_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "_FIRST_DELAY_S", 0.01)
    builds: list[int] = []
    out: list[int] = []
    done = threading.Event()

    def build(stop: threading.Event) -> Dataflow:
        builds.append(1)
        flow = Dataflow("supervised")
        numbers = op.input("in", flow, TestingSource([1, 2, 3]))
        if len(builds) == 1:

            def explode(n: int) -> int:
                raise RuntimeError("a bug nobody caught")

            numbers = op.map("explode", numbers, explode)
        else:
            done.set()
        op.output("out", numbers, TestingSink(out))
        return flow

    thread = PipelineThread(build, tmp_path / "recovery", timedelta(seconds=1))
    thread.start()
    assert done.wait(30)
    deadline = time.monotonic() + 30
    while thread._thread.is_alive() and time.monotonic() < deadline:  # the second run ends with its source
        time.sleep(0.05)
    assert thread.restarts == 1 and isinstance(thread.error, RuntimeError)
    assert sorted(out) == [1, 2, 3]
    thread.stop()
