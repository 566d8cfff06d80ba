"""Outages are waited out; a bad item is found, handed to its failure handler, and the rest go on."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError

from evwatch.domain.errors import InferenceRejected, Unavailable
from evwatch.failures import isolate, until_available
from evwatch.outages import is_outage


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, list[float]]:
    stop = threading.Event()
    seen: list[float] = []
    monkeypatch.setattr(stop, "wait", lambda delay: seen.append(delay))
    return stop, seen


def test_retries_until_the_dependency_answers(waits: tuple[threading.Event, list[float]]) -> None:
    stop, seen = waits
    answers = iter([Unavailable("down"), OperationalError("no route"), "scored"])

    def call() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert until_available(call, stop, "work") == "scored"
    assert seen == [1.0, 2.0]


def test_a_stopping_flow_gives_the_work_back_instead_of_dropping_it() -> None:
    stop = threading.Event()
    stop.set()

    def call() -> None:
        raise Unavailable("down")

    with pytest.raises(Unavailable):
        until_available(call, stop, "work")


@pytest.mark.parametrize(
    ("exc", "outage"),
    [
        (Unavailable("triton down"), True),
        (OperationalError("connection refused"), True),
        (ConnectionResetError(), True),
        (DatabaseError("Code: 243. DB::Exception: Not enough space"), True),
        (DatabaseError("Code: 27. DB::Exception: Cannot parse input"), False),
        (InferenceRejected("model failed"), False),
        (OverflowError("int too large"), False),
        (RecursionError(), False),
        (ValueError("bad"), False),
    ],
)
def test_outages_are_told_apart_from_bad_data(exc: Exception, outage: bool) -> None:
    assert is_outage(exc) is outage


def test_one_bad_item_is_isolated_and_the_others_are_processed() -> None:
    calls: list[list[int]] = []

    def run(items: Sequence[int]) -> list[str]:
        calls.append(list(items))
        if 3 in items:
            raise OverflowError("3 is poison")
        return [f"ok {i}" for i in items]

    failed: list[tuple[int, str]] = []
    out = isolate(
        "step",
        [1, 2, 3, 4],
        run,
        lambda item, exc: failed.append((item, str(exc))) or [f"dead {item}"],
        threading.Event(),
    )
    assert out == ["ok 1", "ok 2", "dead 3", "ok 4"]
    assert failed == [(3, "3 is poison")]
    assert calls[0] == [1, 2, 3, 4]  # the whole batch first


def test_an_outage_during_isolation_is_not_mistaken_for_bad_data(waits: tuple[threading.Event, list[float]]) -> None:
    stop, seen = waits
    attempts = iter([OverflowError("bad batch"), Unavailable("blip"), None, None])

    def run(items: Sequence[int]) -> list[int]:
        problem = next(attempts)
        if problem is not None:
            raise problem
        return list(items)

    assert isolate("step", [1, 2], run, lambda item, exc: pytest.fail("nothing is bad"), stop) == [1, 2]
    assert seen == [1.0]
