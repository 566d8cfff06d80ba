"""A chaos run: rounds of streamed and POSTed sessions with a fault mid-stream, then exact counts.

Each round sends its own sessions (ids carry the round), injects its fault at a random moment while
they are being sent, waits until the stack is quiescent and counts, through the API and the events
topic, what is lost and what is duplicated. After the last round evwatch is stopped and the
documented tables are counted too. A round passes with 0 lost and 0 duplicated in both.
"""

from __future__ import annotations

import random
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.chaos.faults import FaultReport, Kind, inject, kill_scope, schedule
from bench.chaos.stack import FAST_PIPELINE, Stack
from bench.chaos.tables import count_tables, read_tables, writes_before
from bench.chaos.verify import RoundVerifier, Tally, events_by_session, read_events
from bench.chaos.workload import LONG, ApiWriter, PostOutcome, RoundPlan, Sizes, StreamSender, plan_round
from evwatch.clock import utc_now


@dataclass
class RoundResult:
    """One round: what was sent, the fault, and what was lost or duplicated."""

    index: int
    kind: Kind
    plan: RoundPlan
    fault_at_s: float = 0.0
    fault: FaultReport | None = None
    outcomes: list[PostOutcome] = field(default_factory=list)
    stream_errors: list[str] = field(default_factory=list)
    settle_s: float = 0.0
    seconds: float = 0.0
    tally: Tally = field(default_factory=Tally)
    # Writes of the round stored before the fault and in all (from the tables, after the last round).
    writes: dict[str, int] = field(default_factory=dict)

    @property
    def stored_api(self) -> set[str]:
        """API sessions the client was told are stored: only these are owed."""
        return {o.session_id for o in self.outcomes if o.outcome in ("stored", "stored-409")}

    @property
    def harness_errors(self) -> list[str]:
        """What kept the round from being a fair test: a message the broker never took, a POST never confirmed."""
        unconfirmed = [
            f"{o.session_id}: {o.outcome} {o.detail}" for o in self.outcomes if o.session_id not in self.stored_api
        ]
        return self.stream_errors + unconfirmed

    @property
    def passed(self) -> bool:
        """0 lost, 0 duplicated, and every item actually sent and confirmed."""
        return not self.tally.lost and not self.tally.duplicated and not self.harness_errors

    def summary(self) -> dict[str, Any]:
        """The round's entry in the JSON result."""
        return {
            "round": self.index,
            "kind": self.kind,
            "fault_at_s": round(self.fault_at_s, 2),
            "fault": self.fault.detail if self.fault else {},
            "recovery_s": self.fault.recovery_s if self.fault else None,
            "sessions": {"stream": len(self.plan.stream), "api": len(self.plan.api)},
            "readings_sent": sum(s.reading_count for s in self.plan.sessions),
            "writes_stored": self.writes,
            "api_posts": dict(Counter(o.outcome for o in self.outcomes)),
            "api_pending_answers": sum(1 for o in self.outcomes if o.pending),
            "api_retried": sum(1 for o in self.outcomes if o.attempts > 1),
            "lost": dict(self.tally.lost),
            "duplicated": dict(self.tally.duplicated),
            "info": dict(self.tally.info),
            "problems": self.tally.problems + self.harness_errors[:10],
            "settle_s": round(self.settle_s, 1),
            "seconds": round(self.seconds, 1),
            "passed": self.passed,
        }

    def line(self) -> str:
        """One line for the console."""
        lost, dup = sum(self.tally.lost.values()), sum(self.tally.duplicated.values())
        recovery = f"{self.fault.recovery_s:.1f}" if self.fault else "-"
        verdict = "PASS" if self.passed else "FAIL"
        w = self.writes
        before = f", stored before the fault: stream {w['stream_before_fault']}/{w['stream']}" if w else ""
        return (
            f"round {self.index:2d} {self.kind:<6} fault at {self.fault_at_s:4.1f}s recovery {recovery}s "
            f"settle {self.settle_s:.1f}s: lost {lost} duplicated {dup} "
            f"(posts {dict(Counter(o.outcome for o in self.outcomes))}{before}) {verdict}"
        )


def play_round(
    index: int, kind: Kind, kills_before: int, stack: Stack, verifier: RoundVerifier, sizes: Sizes, rng: random.Random
) -> RoundResult:
    """Send the round's sessions, inject its fault mid-stream, wait for quiescence and count."""
    started = time.monotonic()
    plan = plan_round(index, sizes, utc_now())
    result = RoundResult(index, kind, plan, fault_at_s=rng.uniform(0.0, sizes.spread_s))
    stream = StreamSender(stack.bootstrap, stack.kafka.topics.meter_values, plan, sizes.spread_s, sizes.retry_for_s)
    api = ApiWriter(stack.evwatch.base_url, stack.evwatch.api_key(), plan, sizes.spread_s, sizes.retry_for_s, rng)
    stream.start()
    api.start()
    time.sleep(result.fault_at_s)
    result.fault = inject(kind, stack, scope=kill_scope(kills_before), outage_s=sizes.outage_s)
    stream.join()
    api.join()
    result.outcomes, result.stream_errors = api.outcomes, stream.report.errors
    result.settle_s = verifier.wait_until_complete(plan, result.stored_api, sizes.settle_timeout_s)
    result.tally = verifier.count(plan, result.stored_api)
    result.seconds = time.monotonic() - started
    return result


def wait_events_quiet(stack: Stack, quiet_s: float, timeout_s: float) -> None:
    """Poll the events topic until no new chaos event has arrived for `quiet_s` (or `timeout_s`)."""
    deadline = time.monotonic() + timeout_s
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() < deadline:
        count = len(read_events(stack.bootstrap, stack.kafka.topics.events, "chaos-"))
        if count != seen:
            seen, quiet_since = count, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return
        time.sleep(1.0)


def check_tables(stack: Stack, results: list[RoundResult], work: Path) -> None:
    """Stop evwatch, count every round in the documented tables, and add what they show to its tally."""
    # The last round's final analyses may still be on their way (a debounce, a Triton backoff): stop
    # only once no event has come for a while, or the tables would show an analysis of fewer readings.
    wait_events_quiet(stack, quiet_s=5.0, timeout_s=120.0)
    stack.evwatch.stop()
    by_session = events_by_session(read_events(stack.bootstrap, stack.kafka.topics.events, "chaos-"))
    tables = read_tables(stack.var_dir / "chdb", work / "tables.json")
    for result in results:
        found = count_tables(result.plan, result.stored_api, tables, by_session)
        if result.fault is not None:
            result.writes = writes_before(result.plan, result.fault.at, tables)
        result.tally.lost.update(found.lost)
        result.tally.duplicated.update(found.duplicated)
        result.tally.problems += [f"tables: {p}" for p in found.problems]


def play_rounds(kinds: list[Kind], stack: Stack, sizes: Sizes, rng: random.Random, results: list[RoundResult]) -> None:
    """Play every round in order, appending to `results` as they finish (kept if a later one aborts)."""
    verifier = RoundVerifier(
        stack.evwatch.base_url, stack.evwatch.api_key(), stack.bootstrap, stack.kafka.topics.events
    )
    try:
        for index, kind in enumerate(kinds):
            if stack.evwatch.exit_code() is not None:
                msg = f"evwatch run exited on its own (rc={stack.evwatch.exit_code()}):\n{stack.evwatch.log_tail()}"
                raise RuntimeError(msg)
            result = play_round(index, kind, kinds[:index].count("kill"), stack, verifier, sizes, rng)
            results.append(result)
            print("chaos: " + result.line(), flush=True)
    finally:
        verifier.close()


def run(rounds: int, seed: int, work_dir: Path, sizes: Sizes = LONG) -> dict[str, Any]:
    """Run `rounds` chaos rounds on a fresh stack under `work_dir`; the result as a JSON-able dict."""
    started = time.monotonic()
    rng = random.Random(seed)
    kinds = schedule(rounds, seed)
    stack = Stack(work_dir)
    results: list[RoundResult] = []
    startup: dict[str, float] = {}
    error = None
    try:
        startup = stack.start()
        print(f"chaos: stack up in {startup} (work dir {work_dir})", flush=True)
        play_rounds(kinds, stack, sizes, rng, results)
        check_tables(stack, results, work_dir)
        for result in results:
            print("chaos: with the tables: " + result.line(), flush=True)
    except Exception:
        # A stack that cannot be brought back is a finding too: report the rounds so far, and why.
        error = traceback.format_exc()
        print(f"chaos: aborted after {len(results)} rounds:\n{error}", flush=True)
    finally:
        stack.close()
    return {
        "summary": {
            "rounds": rounds,
            "completed": len(results),
            "passed": sum(1 for r in results if r.passed),
            "lost": sum(sum(r.tally.lost.values()) for r in results),
            "duplicated": sum(sum(r.tally.duplicated.values()) for r in results),
            "seconds": round(time.monotonic() - started, 1),
        },
        "rounds": [r.summary() for r in results],
        "error": error,
        "logs": str(work_dir / "logs"),
        "settings": {
            "seed": seed,
            "schedule": kinds,
            "sizes": asdict(sizes),
            "startup_s": startup,
            "evwatch": FAST_PIPELINE,
        },
    }
