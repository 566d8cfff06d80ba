"""Child-process plumbing shared by the launchers: own process group, log file, clean stop."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Self

# Children still running; an atexit hook stops them so a crashed test run or an unhandled
# exception does not leave a JVM or tritonserver behind (SIGKILL of the parent still can).
_live: dict[int, subprocess.Popen[bytes]] = {}


def spawn(
    cmd: Sequence[str],
    log_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start `cmd` in its own session (so stop() can signal the whole group), stdout+stderr appended to `log_path`."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        # The child keeps its own dup of the fd; closing ours right away leaks nothing.
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    _live[proc.pid] = proc
    return proc


def stop_group(proc: subprocess.Popen[bytes], logger: logging.Logger, *, grace_s: float = 20.0) -> int | None:
    """SIGTERM the process group, wait up to `grace_s`, then SIGKILL it; returns the exit code."""
    _live.pop(proc.pid, None)
    if proc.poll() is None:
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            logger.warning(
                "pid %d did not exit %.0f s after SIGTERM; sending SIGKILL",
                proc.pid,
                grace_s,
            )
    # Kill the group even when the leader exited: helpers it forked (e.g. python backend stubs) may linger.
    _signal_group(proc.pid, signal.SIGKILL)
    try:
        return proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        logger.error("pid %d survived SIGKILL", proc.pid)
        return None


@atexit.register
def _stop_leftovers() -> None:
    for proc in list(_live.values()):
        stop_group(proc, logging.getLogger("devstack"), grace_s=10.0)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def pid_alive(pid: int) -> bool:
    """True when a process with `pid` exists (zombies included)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def cmdline(pid: int) -> str:
    """The command line of `pid` joined by spaces, or "" when unreadable."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")


def log_tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a log file, or a note that it is missing."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


class ChildService:
    """A service run as a child process group: `with Service(...) as s:`, idempotent `stop()`."""

    label = "service"
    stop_timeout_s: float
    _proc: subprocess.Popen[bytes] | None
    _log: logging.Logger

    @property
    def pid(self) -> int | None:
        """PID of the running child, or None."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def start(self) -> Self:
        """Start the child and wait until it serves."""
        raise NotImplementedError

    def _stopped(self) -> None:
        """Hook: clean up after the child is gone."""

    def stop(self) -> None:
        """SIGTERM the child's process group, SIGKILL after `stop_timeout_s`."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        rc = stop_group(proc, self._log, grace_s=self.stop_timeout_s)
        self._stopped()
        self._log.info("%s pid %d stopped (rc=%s)", self.label, proc.pid, rc)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
