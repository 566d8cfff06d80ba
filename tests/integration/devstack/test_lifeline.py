"""Children die with the process that started them, SIGKILL included; a crashed run's orphan is cleared.

Real processes, but only short-lived Python sleepers: no Kafka, no Triton.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack import lifeline
from devstack.process import PidFile, gone, spawn, wait_gone

ROOT = Path(__file__).resolve().parents[3]
SLEEPER = "import time; time.sleep(120)"

pytestmark = pytest.mark.skipif(not lifeline.supported(), reason="PR_SET_PDEATHSIG is Linux only")


def _helper(code: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """A Python process running `code`, which prints one pid and then sleeps; yields (helper, that pid)."""
    helper = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        line = helper.stdout.readline() if helper.stdout else ""
        assert line.strip().isdigit(), f"helper printed {line!r}"
        yield helper, int(line)
    finally:
        if helper.poll() is None:
            helper.kill()
        helper.wait()
        if helper.stdout:
            helper.stdout.close()


def _kill(helper: subprocess.Popen[str]) -> None:
    helper.send_signal(signal.SIGKILL)
    helper.wait()


@pytest.fixture
def sleeper_cleanup() -> Iterator[list[int]]:
    """Pids to SIGKILL after the test, should an assertion leave one running."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if not gone(pid):
            os.kill(pid, signal.SIGKILL)


def test_a_spawned_child_dies_when_its_parent_is_sigkilled(tmp_path: Path, sleeper_cleanup: list[int]) -> None:
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from devstack.process import spawn\n"
        f"proc = spawn([sys.executable, '-c', {SLEEPER!r}], Path({str(tmp_path / 'child.log')!r}))\n"
        "print(proc.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    for helper, child in _helper(code):
        sleeper_cleanup.append(child)
        # Exec'd in place: the pid spawn() returned becomes the sleeper itself, not a wrapper around it.
        deadline = time.monotonic() + 5
        while Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")[2] != SLEEPER.encode():
            assert time.monotonic() < deadline, "the wrapper never exec'd the child"
            time.sleep(0.05)
        _kill(helper)
        assert wait_gone(child, 5.0), "the child outlived its SIGKILLed parent"


def test_the_wrapper_does_not_start_a_child_whose_parent_already_died(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    # A parent pid that is not ours stands in for a parent that died between fork and prctl().
    cmd = lifeline.command([sys.executable, "-c", f"open({str(marker)!r}, 'w')"])
    cmd[cmd.index("--") - 1] = str(os.getpid() + 1)
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=30)
    assert result.returncode == 1
    assert "died before" in result.stderr
    assert not marker.exists()


def test_a_missing_program_fails_like_popen(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        spawn(["evwatch-no-such-program"], tmp_path / "log")


@pytest.mark.parametrize("ignores_sigterm", [False, True])
def test_die_with_parent_stops_a_forked_grandchild(ignores_sigterm: bool, sleeper_cleanup: list[int]) -> None:
    # Like Granian's worker: a child its parent forked itself, which arms its own lifeline.
    grandchild = (
        "import signal, time\n"
        "from devstack.lifeline import die_with_parent\n"
        f"if {ignores_sigterm}: signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "die_with_parent(grace_s=1.0, poll_s=0.2)\n"
        "time.sleep(120)\n"
    )
    code = (
        "import subprocess, sys, time\n"
        f"proc = subprocess.Popen([sys.executable, '-c', {grandchild!r}])\n"
        "print(proc.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    for helper, child in _helper(code):
        sleeper_cleanup.append(child)
        time.sleep(1.0)  # let it import devstack and arm the lifeline
        assert not gone(child)
        _kill(helper)
        # SIGTERM at once; one that ignores it is SIGKILLed after the 1 s grace.
        assert wait_gone(child, 5.0), "the grandchild outlived its SIGKILLed parent"


def test_an_orphan_left_by_a_dead_starter_is_stopped_and_a_live_child_refused(
    tmp_path: Path, sleeper_cleanup: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    # The situation before this fix (or on a system without PR_SET_PDEATHSIG): nothing stops the child.
    data_dir = tmp_path / "data"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from devstack.process import PidFile, spawn\n"
        f"data = Path({str(data_dir)!r})\n"
        f"cmd = [sys.executable, '-c', {SLEEPER!r}, 'evwatch-test-service', str(data)]\n"
        "proc = spawn(cmd, data / 'log', die_with_parent=False)\n"
        "PidFile(data / 'service.pid', 'test service', ()).write(proc.pid)\n"
        "print(proc.pid, flush=True)\n"
        "time.sleep(120)\n"
    )
    pid_file = PidFile(data_dir / "service.pid", "test service", ("evwatch-test-service", str(data_dir)))
    for helper, child in _helper(code):
        sleeper_cleanup.append(child)
        assert pid_file.clear_stale(logging.getLogger("test")) == child  # its starter lives: refuse
        assert (data_dir / "service.pid").exists()
        _kill(helper)
        assert not gone(child)
        with caplog.at_level(logging.WARNING):
            assert pid_file.clear_stale(logging.getLogger("test"), grace_s=5.0) is None
        assert gone(child)
        assert not (data_dir / "service.pid").exists()
        assert f"pid {child} was left running by a run that died" in caplog.text
