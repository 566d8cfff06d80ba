"""The dataflow's one policy for an unreachable Triton: wait and retry, never drop work."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from evwatch.domain.errors import Unavailable

T = TypeVar("T")
log = logging.getLogger("evwatch.pipeline")

_MAX_DELAY_S = 30.0


def until_available(call: Callable[[], T], stop: threading.Event, what: str) -> T:
    """Run `call`, retrying with backoff (1 s doubling to 30 s) while inference is unavailable.

    On stop the error propagates: the flow ends and replays the work from its last snapshot.
    """
    delay = 1.0
    while True:
        try:
            return call()
        except Unavailable:
            if stop.is_set():
                raise
            log.warning("inference unavailable; retrying %s in %.0f s", what, delay)
            stop.wait(delay)
            delay = min(delay * 2, _MAX_DELAY_S)
