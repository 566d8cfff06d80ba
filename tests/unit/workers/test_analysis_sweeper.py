"""The sweeper completes analyses the API left pending, and leaves the rest alone."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import numpy as np

from evwatch.analysis import SessionAnalyser
from evwatch.contracts.meter_values import CreateSessionRequest
from evwatch.domain.bounds import Bounds
from evwatch.domain.errors import InferenceRejected, Unavailable
from serving.sessions.service import SessionService
from tests.fakes.inference import FakeCsar2
from tests.fakes.stores import InMemorySessionStore
from workers.analysis_sweeper import AnalysisSweeper
from workers.follow import Follower

T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)


class Triton:
    """The fake CSAR-2 behind a switch: down, rejecting, or up."""

    def __init__(self) -> None:
        self.mode = "up"
        self.model = FakeCsar2()

    def __call__(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self.mode == "down":
            raise Unavailable("triton is down")
        if self.mode == "reject":
            raise InferenceRejected("the model refused this input")
        return self.model(inputs)


def _body(session_id: str, n: int) -> CreateSessionRequest:
    values = [
        {"timestamp": (T0 + timedelta(minutes=5 * i)).isoformat(), "value": i * 1000, "unit": "Wh"} for i in range(n)
    ]
    return msgspec.convert(
        {"sessionId": session_id, "chargingStationId": "ST", "meterValues": values}, CreateSessionRequest
    )


def _setup() -> tuple[InMemorySessionStore, Triton, SessionService, AnalysisSweeper, list[datetime]]:
    store, triton = InMemorySessionStore(), Triton()
    now = [T0]
    clock: Any = lambda: now[0]  # noqa: E731
    analyser = SessionAnalyser(store, triton, clock=clock)
    service = SessionService(store, analyser, Bounds(), clock=clock)
    sweeper = AnalysisSweeper(store, analyser, Follower(clock, timedelta(days=7)), clock, threading.Event())
    return store, triton, service, sweeper, now


def test_a_pending_analysis_is_completed_once_triton_is_back() -> None:
    store, triton, service, sweeper, now = _setup()
    triton.mode = "down"
    service.create("t", _body("pending", 4))
    service.create("t", _body("short", 2))
    triton.mode = "up"
    service.create("t", _body("done", 4))
    sweeper()
    assert store.current_analyses("t", ["pending"]) == {}  # within the grace period: the request's own
    now[0] = T0 + timedelta(minutes=1)
    calls = len(triton.model.batch_sizes)
    sweeper()
    assert set(store.current_analyses("t", ["pending", "short", "done"])) == {"pending", "done"}
    assert len(triton.model.batch_sizes) == calls + 1  # only the pending one ran
    sweeper()
    assert len(triton.model.batch_sizes) == calls + 1  # and it does not run again


def test_a_session_that_fails_on_its_own_data_is_recorded_and_not_retried() -> None:
    store, triton, service, sweeper, now = _setup()
    triton.mode = "down"
    service.create("t", _body("bad", 4))
    triton.mode = "reject"
    now[0] = T0 + timedelta(minutes=1)
    sweeper()
    assert store.failures[("t", "bad")].reading_count == 4
    sweeper()
    assert store.analysed_counts("t", ["bad"]) == {"bad": 4}
