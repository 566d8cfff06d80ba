"""Keeping one bad item from stopping the work: what the dataflow's steps and the workers share.

- A failure of the infrastructure (Triton, ClickHouse or Kafka unreachable, out of disk or
  memory) is waited out with backoff: the work is never dropped (on shutdown the dataflow replays
  it from its last snapshot, a worker finds it again on its next start).
- Any other exception is about the data: the step runs its items one at a time to find which one,
  and hands that one to `on_failure` (a dead letter, or an error recorded on the session) while the
  rest go on.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from prometheus_client import Counter

from evwatch.outages import is_outage

log = logging.getLogger("evwatch.failures")

T = TypeVar("T")
U = TypeVar("U")

_MAX_DELAY_S = 30.0

STEP_FAILURES = Counter(
    "evwatch_step_failures_total", "Items a dataflow step could not process, by step and cause", ["step", "cause"]
)
INFRA_RETRIES = Counter("evwatch_infrastructure_retries_total", "Waits for an unavailable dependency", ["step"])


def until_available(call: Callable[[], T], stop: threading.Event, step: str) -> T:
    """Run `call`, waiting with backoff (1 s doubling to 30 s) while the infrastructure is unavailable.

    On stop the error propagates: the dataflow ends and replays the work from its last snapshot.
    """
    delay = 1.0
    while True:
        try:
            return call()
        except Exception as exc:
            if not is_outage(exc) or stop.is_set():
                raise
            INFRA_RETRIES.labels(step=step).inc()
            log.warning("%s: dependency unavailable (%s); retrying in %.0f s", step, exc, delay)
            stop.wait(delay)
            delay = min(delay * 2, _MAX_DELAY_S)


def isolate(
    step: str,
    items: Sequence[T],
    run: Callable[[Sequence[T]], list[U]],
    on_failure: Callable[[T, Exception], list[U]],
    stop: threading.Event,
) -> list[U]:
    """`run(items)`; when that fails on the data, `run` each item alone and hand the failing ones to `on_failure`."""
    try:
        return until_available(lambda: run(items), stop, step)
    except Exception as exc:
        if is_outage(exc):
            raise
        if len(items) == 1:
            return _failed(step, items[0], exc, on_failure)
        log.warning("%s: a batch of %d failed (%r); retrying item by item", step, len(items), exc)
    out: list[U] = []
    for item in items:
        try:
            out.extend(until_available(functools.partial(run, [item]), stop, step))
        except Exception as exc:
            if is_outage(exc):
                raise
            out.extend(_failed(step, item, exc, on_failure))
    return out


def _failed(step: str, item: T, exc: Exception, on_failure: Callable[[T, Exception], list[U]]) -> list[U]:
    STEP_FAILURES.labels(step=step, cause=type(exc).__name__).inc()
    log.warning("%s: could not process an item: %r", step, exc, exc_info=exc)
    return on_failure(item, exc)
