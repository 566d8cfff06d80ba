"""What a chaos run stands on: its own broker and tritonserver (restartable), and the `evwatch run` it kills.

The harness owns the broker and tritonserver rather than letting `evwatch run` start them, so that a
round can stop and start either one under a running evwatch, and so that killing evwatch never takes
the data it is about to check with it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Literal

import httpx

from devstack.kafka_broker import KafkaBroker
from devstack.ports import free_port
from devstack.process import gone, spawn, stop_group
from devstack.tritonserver import TritonServer
from evwatch.config import KafkaSettings, TritonSettings
from models.repository import export_repository

log = logging.getLogger("bench.chaos")

REPO_ROOT = Path(__file__).resolve().parents[2]

PARTITIONS = 2
# Fast knobs, so that a round settles in seconds: snapshots, debounce, relay and sweeper.
FAST_PIPELINE = {
    "EVWATCH_PIPELINE_SNAPSHOT_S": "1",
    "EVWATCH_PIPELINE_DEBOUNCE_S": "0.5",
    "EVWATCH_PIPELINE_RELAY_INTERVAL_S": "0.2",
    "EVWATCH_PIPELINE_SWEEP_INTERVAL_S": "1",
    "EVWATCH_PIPELINE_SWEEP_GRACE_S": "1",
    # The verifier polls every session of a round; the per-key rate limit is not under test.
    "EVWATCH_API_RATE_PER_S": "1000",
    "EVWATCH_API_RATE_BURST": "5000",
}
KillScope = Literal["tree", "supervisor"]


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, their children, ...), read from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The parent pid follows the parenthesised command name, which may contain spaces.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.append(child)
                todo.append(child)
    return out


def wait_all_gone(pids: list[int], timeout_s: float) -> list[int]:
    """Poll until every pid has exited (zombies count as gone); the ones still there at the deadline."""
    deadline = time.monotonic() + timeout_s
    alive = [p for p in pids if not gone(p)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if not gone(p)]
    return alive


class Evwatch:
    """`evwatch run` as a child: started, killed and restarted on one var dir; one log file per start."""

    def __init__(self, env: dict[str, str], var_dir: Path, log_dir: Path, api_port: int) -> None:
        self.env = env
        self.var_dir = var_dir
        self.log_dir = log_dir
        self.base_url = f"http://127.0.0.1:{api_port}"
        self.starts = 0
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def log_path(self) -> Path:
        """The log of the current (latest) start."""
        return self.log_dir / f"evwatch-{self.starts}.log"

    def start(self, timeout_s: float = 240.0) -> float:
        """Start `evwatch run` and wait until GET /ready answers 200; returns the seconds it took."""
        started = time.monotonic()
        self.starts += 1
        # The supervisor's own module path: `python -m entrypoints.cli run`, as the e2e test runs it.
        cmd = [sys.executable, "-m", "entrypoints.cli", "run"]
        self._proc = spawn(cmd, self.log_path, env=self.env, cwd=REPO_ROOT)
        self.wait_ready(timeout_s)
        return time.monotonic() - started

    def wait_ready(self, timeout_s: float) -> None:
        """Block until /ready answers 200; raise with the log tail if evwatch exits or never gets there."""
        deadline = time.monotonic() + timeout_s
        while not self.ready():
            if self.exit_code() is not None:
                msg = f"evwatch run exited with rc={self.exit_code()}:\n{self.log_tail()}"
                raise RuntimeError(msg)
            if time.monotonic() > deadline:
                msg = f"evwatch not ready after {timeout_s:.0f} s:\n{self.log_tail()}"
                raise RuntimeError(msg)
            time.sleep(0.5)

    def ready(self) -> bool:
        """True when GET /ready answers 200 (Kafka, Triton, ClickHouse reachable, dataflow running)."""
        try:
            return httpx.get(f"{self.base_url}/ready", timeout=3).status_code == 200
        except httpx.HTTPError:
            return False

    def exit_code(self) -> int | None:
        """The supervisor's exit code once it has exited, None while it runs (or was never started)."""
        return None if self._proc is None else self._proc.poll()

    def api_key(self) -> str:
        """The bootstrap super_admin key of tenant `default`, written at the first start."""
        return (self.var_dir / "bootstrap-admin-key").read_text().strip()

    def kill(self, scope: KillScope) -> dict[str, object]:
        """SIGKILL: `tree` kills the supervisor and everything below it at once (a power cut of evwatch);
        `supervisor` kills only the supervisor, whose children then get SIGTERM from the kernel.
        Returns once every process that was below it has gone."""
        proc = self._proc
        assert proc is not None, "evwatch is not running"
        below = descendants(proc.pid)
        victims = [proc.pid, *below] if scope == "tree" else [proc.pid]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)
        # Children told by the parent-death signal shut down on their own; Granian may take its
        # worker-kill timeout (30 s) for a worker stuck on a dependency.
        left = wait_all_gone(below, timeout_s=60.0)
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        stop_group(proc, log, grace_s=0)  # forgets the child in devstack's atexit list
        self._proc = None
        return {"scope": scope, "killed": len(victims), "outlived_60s": len(left)}

    def stop(self, timeout_s: float = 120.0) -> int | None:
        """Ctrl-C, as a user would: every child stops in order; SIGKILL for whatever is left after `timeout_s`."""
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        below = descendants(proc.pid)
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("evwatch run did not stop %.0f s after SIGINT; killing it", timeout_s)
        rc = stop_group(proc, log, grace_s=0)
        for pid in wait_all_gone(below, timeout_s=30.0):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return rc

    def log_tail(self, lines: int = 60) -> str:
        """The end of the current start's log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return f"(no log at {self.log_path})"


class Stack:
    """The harness's broker, tritonserver and evwatch, all under one work dir, on free loopback ports."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.kafka = KafkaSettings(
            bootstrap_servers=f"127.0.0.1:{free_port()}", controller_port=free_port(), partitions=PARTITIONS
        )
        self.triton_settings = TritonSettings(grpc_port=free_port(), http_port=free_port())
        repo = work / "model-repository"
        export_repository(repo)
        self.broker = KafkaBroker(self.kafka, work / "kafka")
        self.triton = TritonServer(self.triton_settings, repo, work / "triton")
        self.var_dir = work / "var"
        api_port = free_port()
        self.evwatch = Evwatch(self._evwatch_env(api_port), self.var_dir, work / "logs", api_port)

    @property
    def bootstrap(self) -> str:
        """Where producers and consumers reach the broker."""
        return self.kafka.bootstrap_servers

    def _evwatch_env(self, api_port: int) -> dict[str, str]:
        return {
            **os.environ,
            "EVWATCH_VAR_DIR": str(self.var_dir),
            "EVWATCH_KAFKA_START_LOCAL": "false",
            "EVWATCH_KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap_servers,
            "EVWATCH_KAFKA_PARTITIONS": str(PARTITIONS),
            "EVWATCH_TRITON_START_LOCAL": "false",
            "EVWATCH_TRITON_GRPC_PORT": str(self.triton_settings.grpc_port),
            "EVWATCH_TRITON_HTTP_PORT": str(self.triton_settings.http_port),
            "EVWATCH_API_PORT": str(api_port),
            **FAST_PIPELINE,
        }

    def start(self) -> dict[str, float]:
        """Broker, tritonserver, then evwatch; the seconds each took."""
        took: dict[str, float] = {}
        for name, service in (("broker", self.broker), ("triton", self.triton)):
            t0 = time.monotonic()
            service.start()
            took[name] = round(time.monotonic() - t0, 1)
        took["evwatch"] = round(self.evwatch.start(), 1)
        return took

    def close(self) -> None:
        """Stop everything that still runs (evwatch first: it depends on the other two)."""
        try:
            self.evwatch.stop()
        finally:
            try:
                self.triton.stop()
            finally:
                self.broker.stop()
