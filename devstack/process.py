"""Child-process plumbing shared by the launchers: own process group, log file, clean stop, and
children that die with their parent, with pid files that tell a crashed run's leftovers from a live one."""

from __future__ import annotations

import atexit
import contextlib
import enum
import errno
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from devstack import lifeline

# Children still running; an atexit hook stops them so a crashed test run or an unhandled
# exception does not leave a JVM or tritonserver behind. A SIGKILL of the parent skips atexit:
# the parent-death signal (devstack/lifeline.py) covers that case.
_live: dict[int, subprocess.Popen[bytes]] = {}


def spawn(
    cmd: Sequence[str],
    log_path: Path | None,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    die_with_parent: bool = True,
) -> subprocess.Popen[bytes]:
    """Start `cmd` in its own session (so stop() can signal the whole group), stdout+stderr appended to
    `log_path` (inherited when None). With `die_with_parent` it gets SIGTERM if this process dies.

    Call it from a thread that lives as long as the child should (the main thread): the kernel
    sends the parent-death signal when the *thread* that started the child exits.
    """
    args = list(cmd)
    if die_with_parent and lifeline.supported():
        # Same error as Popen's for a missing program, rather than a wrapper that exits 127 later.
        search = env.get("PATH", os.defpath) if env is not None else None
        program = args[0] if os.sep in args[0] else shutil.which(args[0], path=search)
        if program is None or not os.access(Path(cwd or ".") / program, os.X_OK):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), args[0])
        # An exec wrapper instead of preexec_fn: preexec_fn runs Python between fork and exec, which
        # can deadlock when the parent has other threads (the supervisor and the tests do), and it
        # disables the vfork fast path. The wrapper also sees a parent that died before prctl().
        args = lifeline.command(args)
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") if log_path is not None else contextlib.nullcontext() as log:
        out: IO[bytes] | None = log
        # The child keeps its own dup of the fd; closing ours right away leaks nothing.
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if out is not None else None,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    _live[proc.pid] = proc
    return proc


def stop_group(proc: subprocess.Popen[bytes], logger: logging.Logger, *, grace_s: float = 20.0) -> int | None:
    """SIGTERM the process group, wait up to `grace_s` (0: not at all), then SIGKILL it; returns the exit code."""
    _live.pop(proc.pid, None)
    if proc.poll() is None and grace_s > 0:
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


def log_tail(path: Path, lines: int = 40) -> str:
    """The last `lines` lines of a log file, or a note that it is missing."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


class Verdict(enum.Enum):
    """What the process a pid file names turns out to be."""

    GONE = "gone"  # no such process, or a zombie: the file is a leftover
    FOREIGN = "foreign"  # the pid now belongs to an unrelated process (reused after a reboot or a long time)
    ORPHAN = "orphan"  # ours, but the process that started it has died: a crashed run's leftover
    RUNNING = "running"  # ours, and the process that started it is alive


@dataclass(frozen=True)
class PidRecord:
    """A pid file's content: the child, and the process that started it (None in files from before owners)."""

    pid: int
    owner: int | None


@dataclass(frozen=True)
class ProcessFacts:
    """What /proc says about a pid, gathered once so that `judge` stays a pure function."""

    alive: bool
    argv: tuple[str, ...]
    ppid: int | None
    parent_argv: tuple[str, ...]


def parse_pid_file(text: str) -> PidRecord | None:
    """`"<pid> <owner pid>"`, or a bare `"<pid>"` as older versions wrote; None when it is neither."""
    fields = text.split()
    if not 1 <= len(fields) <= 2 or not all(f.isdigit() and int(f) > 0 for f in fields):
        return None
    return PidRecord(int(fields[0]), int(fields[1]) if len(fields) == 2 else None)


def judge(record: PidRecord, facts: ProcessFacts, required_args: Collection[str]) -> Verdict:
    """Whether a pid file's process is ours (every one of `required_args` in its argv) and whether it is orphaned."""
    if not facts.alive:
        return Verdict.GONE
    if not set(required_args) <= set(facts.argv):
        return Verdict.FOREIGN
    if facts.ppid is None:
        return Verdict.RUNNING  # cannot tell: refusing is the safe side
    if record.owner is not None:
        # Exact: a child's ppid stays its starter's pid while the starter lives, and changes to
        # pid 1 or a subreaper the moment it dies. Also right when the starter is itself pid 1.
        return Verdict.RUNNING if facts.ppid == record.owner else Verdict.ORPHAN
    # Files from before owners were recorded: every starter was a Python process (evwatch run, the
    # tests, the benchmarks), while init and subreapers (systemd --user, tini) are not.
    started_by_python = (
        facts.ppid > 1 and bool(facts.parent_argv) and Path(facts.parent_argv[0]).name.startswith("python")
    )
    return Verdict.RUNNING if started_by_python else Verdict.ORPHAN


def read_facts(pid: int) -> ProcessFacts:
    """State, argv and parent of `pid` from /proc (a process that cannot be read counts as gone)."""
    stat = _stat(pid)
    if stat is None or stat[0] in ("Z", "X"):
        return ProcessFacts(alive=False, argv=(), ppid=None, parent_argv=())
    ppid = stat[1]
    return ProcessFacts(alive=True, argv=_argv(pid), ppid=ppid, parent_argv=_argv(ppid))


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name in parentheses may itself contain spaces and parentheses.
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _argv(pid: int) -> tuple[str, ...]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ()
    return tuple(arg.decode(errors="replace") for arg in raw.split(b"\0")[:-1])


def gone(pid: int) -> bool:
    """True when `pid` has exited; a zombie counts, since its reaper (here often init) may never come."""
    return not read_facts(pid).alive


def wait_gone(pid: int, timeout_s: float) -> bool:
    """Poll until `pid` has exited; False if it is still there after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def terminate_orphan(pid: int, logger: logging.Logger, *, grace_s: float = 20.0) -> None:
    """SIGTERM a process we did not start (and its group, if it leads one), wait `grace_s`, then SIGKILL."""
    try:
        leads_group = os.getpgid(pid) == pid
    except ProcessLookupError:
        return

    def send(sig: signal.Signals) -> None:
        if leads_group:
            _signal_group(pid, sig)  # its helpers (tritonserver's backend stubs) too
        else:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)

    send(signal.SIGTERM)
    exited = wait_gone(pid, grace_s)
    if not exited:
        logger.warning("pid %d did not exit %.0f s after SIGTERM; sending SIGKILL", pid, grace_s)
    # The group even after its leader exited, for helpers that linger; a group id is not reused while
    # it has members. A lone pid only while it is still there, since once gone it may be reused.
    if leads_group or not exited:
        send(signal.SIGKILL)
    if not wait_gone(pid, 5.0):
        logger.error("pid %d survived SIGKILL", pid)


class PidFile:
    """`<name>.pid` of a child service: its pid and the pid of the process that started it.

    Before a start, `clear_stale()` tells a crashed run's leftovers from a service that still runs.
    """

    def __init__(self, path: Path, label: str, required_args: Collection[str]) -> None:
        self.path = path
        self.label = label
        # Arguments only our child for this data dir has: guard against acting on a reused pid. Exact
        # elements of argv, which the lifeline wrapper carries too before it execs the service.
        self.required_args = frozenset(required_args)

    def write(self, pid: int) -> None:
        """Record `pid` as started by this process."""
        self.path.write_text(f"{pid} {os.getpid()}\n")

    def remove(self) -> None:
        """Forget the child (it has stopped)."""
        self.path.unlink(missing_ok=True)

    def clear_stale(self, logger: logging.Logger, *, grace_s: float = 20.0) -> int | None:
        """Remove a leftover file and stop an orphan a crashed run left; the pid of a live one, else None."""
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return None
        record = parse_pid_file(text)
        if record is None:
            logger.warning("removing unreadable pid file %s (%r)", self.path, text[:40])
            self.remove()
            return None
        facts = read_facts(record.pid)
        verdict = judge(record, facts, self.required_args)
        if verdict is Verdict.RUNNING:
            return record.pid
        if verdict is Verdict.ORPHAN:
            logger.warning(
                "%s pid %d was left running by a run that died (started by pid %s, now a child of pid %s); stopping it",
                self.label,
                record.pid,
                record.owner if record.owner is not None else "?",
                facts.ppid,
            )
            terminate_orphan(record.pid, logger, grace_s=grace_s)
        else:
            logger.info("removing stale pid file %s (pid %d is %s)", self.path, record.pid, verdict.value)
        self.remove()
        return None


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
