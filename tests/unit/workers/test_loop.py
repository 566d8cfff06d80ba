import threading

import pytest

from evwatch.domain.errors import Unavailable
from workers.loop import WorkerThread


@pytest.mark.parametrize("error", [Unavailable("kafka down"), ValueError("a bug")])
def test_a_worker_survives_its_errors_and_reports_the_last_one(error: Exception) -> None:
    calls = []
    done = threading.Event()

    def step() -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise error
        done.set()
        return False

    worker = WorkerThread("test", step, 0.01)
    worker.start()
    assert done.wait(10)
    assert worker.alive and worker.error is None
    closed = []
    worker._on_stop = lambda: closed.append(1)
    worker.stop()
    assert not worker.alive and closed == [1]
