import threading

import pytest

from evwatch.domain.errors import Unavailable
from pipeline.retry import until_available


def test_retries_until_inference_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    stop = threading.Event()
    monkeypatch.setattr(stop, "wait", lambda delay: waits.append(delay))
    answers = iter([Unavailable("down"), Unavailable("down"), "scored"])

    def call() -> str:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert until_available(call, stop, "work") == "scored"
    assert waits == [1.0, 2.0]


def test_a_stopping_flow_gives_the_work_back_instead_of_dropping_it() -> None:
    stop = threading.Event()
    stop.set()

    def call() -> None:
        raise Unavailable("down")

    with pytest.raises(Unavailable):
        until_available(call, stop, "work")
