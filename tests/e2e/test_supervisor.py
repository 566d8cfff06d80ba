"""A SIGKILLed `evwatch run` takes its children with it, and the next start needs no manual cleanup.

Before, the broker, tritonserver (+ its backend stubs) and Granian (+ its worker) outlived it, and
the next start refused: "a Kafka broker (pid …) already runs on data dir …".
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from devstack.ports import free_port
from tests.plugins.services import process_group_members
from tests.support.kafka import wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def _live_processes() -> dict[int, tuple[int, str]]:
    """pid -> (ppid, command line) of every process that has not exited (zombies excluded)."""
    out: dict[int, tuple[int, str]] = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            argv = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if fields[0] not in ("Z", "X"):
            out[int(proc.name)] = (int(fields[1]), argv.replace(b"\0", b" ").decode(errors="replace"))
    return out


def _descendants(pid: int) -> dict[int, str]:
    """pid -> command line of every live descendant of `pid`."""
    live = _live_processes()
    children: dict[int, list[int]] = {}
    for child, (parent, _) in live.items():
        children.setdefault(parent, []).append(child)
    out: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out[child] = live[child][1]
                todo.append(child)
    return out


def _still_running(processes: dict[int, str]) -> dict[int, str]:
    """Those of `processes` still alive with the same command line (a reused pid is someone else)."""
    live = _live_processes()
    return {pid: cmd for pid, cmd in processes.items() if pid in live and live[pid][1] == cmd}


class Stack:
    """`evwatch run` on a var dir and free ports, as a user would start it (its own process group)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.var_dir = tmp_path / "var"
        self.api_port, grpc_port, http_port = free_port(), free_port(), free_port()
        self.env = {
            **os.environ,
            "EVWATCH_VAR_DIR": str(self.var_dir),
            "EVWATCH_API_PORT": str(self.api_port),
            "EVWATCH_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",
            "EVWATCH_KAFKA_CONTROLLER_PORT": str(free_port()),
            "EVWATCH_TRITON_GRPC_PORT": str(grpc_port),
            "EVWATCH_TRITON_HTTP_PORT": str(http_port),
        }
        # What each child's command line names: the var dir (broker, tritonserver, backend stubs) or a port (Granian).
        self.marks = (str(self.var_dir), f"--port={self.api_port}", f"--grpc-port={grpc_port}")
        self.runs = 0

    def start(self) -> subprocess.Popen[bytes]:
        self.runs += 1
        self.log = self.tmp_path / f"run-{self.runs}.log"
        with self.log.open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "entrypoints.cli", "run"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError(self.log.read_text()[-3000:])
            try:
                return httpx.get(f"http://127.0.0.1:{self.api_port}/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout_s=240, interval_s=1)
        return proc

    def leftovers(self) -> dict[int, str]:
        return {pid: cmd for pid, (_, cmd) in _live_processes().items() if any(mark in cmd for mark in self.marks)}


def test_sigkill_of_the_supervisor_takes_every_child_down_and_the_next_start_works(tmp_path: Path) -> None:
    stack = Stack(tmp_path)
    proc = stack.start()
    children: dict[int, str] = {}
    try:
        children = _descendants(proc.pid)
        assert len(children) >= 4  # broker JVM, tritonserver (+ stubs), Granian + its worker
        assert set(stack.leftovers()) <= set(children)  # nothing else on this var dir or these ports

        killed_at = time.monotonic()
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

        def all_gone() -> bool:
            # Zombies count as gone: their reaper here is init, which may take its time.
            return not stack.leftovers() and not _still_running(children)

        try:
            wait_for(all_gone, timeout_s=30, interval_s=0.5)
        except AssertionError:
            pytest.fail(f"children outlived the SIGKILLed supervisor: {stack.leftovers() | _still_running(children)}")
        print(f"children gone {time.monotonic() - killed_at:.1f} s after the SIGKILL")
        # The broker's pid file stays behind: nobody was left to remove it.
        assert (stack.var_dir / "kafka" / "broker.pid").exists()

        proc = stack.start()
        assert "already runs" not in stack.log.read_text()
        again = _descendants(proc.pid)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=90)
        time.sleep(1)
        assert _still_running(again) == {}
        assert process_group_members(proc.pid) == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        # A failure above must not leave a JVM or tritonserver running for the rest of the suite.
        for pid in stack.leftovers() | _still_running(children):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
