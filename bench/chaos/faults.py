"""The faults a round injects mid-stream, and which round gets which."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bench.chaos.stack import KillScope, Stack
from evwatch.clock import utc_now

Kind = Literal["kill", "broker", "triton"]
# At least as many kills as other faults: the crash is what the delivery design is about.
CYCLE: tuple[Kind, ...] = ("kill", "kill", "broker", "kill", "triton")


def schedule(rounds: int, seed: int) -> list[Kind]:
    """The kind of every round. Two rounds (CI) make one kill and one broker or triton round,
    alternating with the seed's parity; longer runs follow CYCLE."""
    if rounds == 2:
        return ["kill", "broker" if seed % 2 == 0 else "triton"]
    return [CYCLE[i % len(CYCLE)] for i in range(rounds)]


def kill_scope(kill_number: int) -> KillScope:
    """Kill rounds alternate: the whole tree at once first (nothing gets to shut down cleanly), then
    the supervisor alone (its children get SIGTERM from the kernel and stop on their own)."""
    return "tree" if kill_number % 2 == 0 else "supervisor"


@dataclass
class FaultReport:
    """What was done, and how long until the stack answered /ready again (recovery_s, from the fault)."""

    kind: Kind
    # When it struck (UTC): the tables tell how many of the round's writes were stored before it.
    at: datetime = field(default_factory=utc_now)
    detail: dict[str, object] = field(default_factory=dict)
    recovery_s: float = 0.0


def inject(kind: Kind, stack: Stack, *, scope: KillScope, outage_s: float) -> FaultReport:
    """Inject one fault and bring the stack back; runs on the main thread, because the broker and
    tritonserver are started with a parent-death signal bound to the thread that starts them."""
    started = time.monotonic()
    report = FaultReport(kind)
    if kind == "kill":
        report.detail = stack.evwatch.kill(scope)
        report.detail["restart_s"] = round(stack.evwatch.start(), 1)
    elif kind == "broker":
        stack.broker.stop()
        time.sleep(outage_s)
        stack.broker.start()
        stack.evwatch.wait_ready(timeout_s=240)
    else:
        stack.triton.stop()
        time.sleep(outage_s)
        stack.triton.start()
        stack.evwatch.wait_ready(timeout_s=240)
    report.recovery_s = round(time.monotonic() - started, 1)
    return report
