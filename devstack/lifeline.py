"""Children that die with the process that started them, even when it dies by SIGKILL.

Two tools: `command()` puts this file, run as a script, in front of a service's command line; it
sets the parent-death signal and execs the service in place (same pid, same command line once
exec'd). `die_with_parent()` is for a process we cannot wrap: Granian's worker, forked by Granian.

Linux only (PR_SET_PDEATHSIG); elsewhere both are no-ops and a crashed run's leftovers are found
by the pid-file checks of the next start instead.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

# Set by `evwatch run` in Granian's environment: the worker it forks should die with Granian.
DIE_WITH_PARENT_ENV = "EVWATCH_DIE_WITH_PARENT"

_PR_SET_PDEATHSIG = 1
_SUPPORTED = sys.platform.startswith("linux")


def supported() -> bool:
    """True where the kernel can signal a child when its parent dies."""
    return _SUPPORTED


def set_parent_death_signal(sig: int) -> bool:
    """Have the kernel send `sig` to this process when its parent dies; False where that is not possible.

    The kernel's "parent" is the *thread* that forked us: the signal fires when that thread exits,
    even if the rest of the process lives on.
    """
    if not _SUPPORTED:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    # c_ulong: prctl is variadic and reads a full unsigned long; a bare int could leave the upper half undefined.
    return int(libc.prctl(_PR_SET_PDEATHSIG, ctypes.c_ulong(sig), ctypes.c_ulong(0), ctypes.c_ulong(0))) == 0


def command(cmd: Sequence[str]) -> list[str]:
    """`cmd` run behind this script, so that it gets SIGTERM when the calling thread's process dies.

    Call it (and start the child) from a thread that lives as long as the child should: the main
    thread, not a short-lived worker thread, or the child is stopped when that thread ends.
    """
    # Run by path with -I -S: the wrapper needs only the stdlib, starts in ~30 ms, and works from any cwd.
    return [sys.executable, "-I", "-S", str(Path(__file__).resolve()), str(os.getpid()), "--", *cmd]


def main(argv: Sequence[str]) -> int:
    """`lifeline.py PARENT_PID -- COMMAND [ARG...]`: arm SIGTERM-on-parent-death, then exec COMMAND."""
    if len(argv) < 3 or argv[1] != "--" or not argv[0].isdigit():
        print("usage: lifeline.py PARENT_PID -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    parent, cmd = int(argv[0]), list(argv[2:])
    # SIGTERM rather than SIGKILL: the JVM, tritonserver and Granian then shut down cleanly and stop
    # their own helpers. One that hangs is finished off by the next start's pid-file check.
    if not set_parent_death_signal(signal.SIGTERM):
        print(f"lifeline: cannot arm the parent-death signal; {cmd[0]} may outlive its parent", file=sys.stderr)
    # A parent that died before prctl() will never signal us: we are already an orphan.
    if os.getppid() != parent:
        print(f"lifeline: parent {parent} died before {cmd[0]} started; not starting it", file=sys.stderr)
        return 1
    try:
        os.execvp(cmd[0], cmd)
    except OSError as exc:
        print(f"lifeline: cannot run {cmd[0]}: {exc}", file=sys.stderr)
        return 127


def die_with_parent(*, grace_s: float = 20.0, poll_s: float = 1.0) -> None:
    """Stop this process when its parent dies: SIGTERM at once, SIGKILL `grace_s` later if still here.

    Two mechanisms, because each alone has a gap. PR_SET_PDEATHSIG acts at once but fires on the
    death of the forking *thread* (Granian forks its workers from its main thread, so that is the
    process), and cannot escalate; the watcher thread notices a new parent within `poll_s` and
    SIGKILLs a shutdown that hangs, e.g. one waiting on a broker that died at the same moment.
    """
    parent = os.getppid()
    armed = set_parent_death_signal(signal.SIGTERM)
    threading.Thread(
        target=_watch_parent, args=(parent, armed, grace_s, poll_s), name="evwatch-lifeline", daemon=True
    ).start()


def _watch_parent(parent: int, armed: bool, grace_s: float, poll_s: float) -> None:
    while os.getppid() == parent:
        time.sleep(poll_s)
    if not armed:
        # Without the kernel's signal nobody has asked us to stop yet; a second SIGTERM could cut a shutdown short.
        os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(grace_s)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
