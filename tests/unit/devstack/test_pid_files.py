"""The pure half of the pid-file check: parsing, and telling a crashed run's orphan from a live child."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.lifeline import main as lifeline_main
from devstack.process import PidFile, PidRecord, ProcessFacts, Verdict, judge, parse_pid_file

BROKER_ARGS = ("kafka.Kafka", "/srv/var/kafka/server.properties")
BROKER_ARGV = ("/usr/bin/java", "-Xmx512m", "-cp", "libs/*", *BROKER_ARGS)
EVWATCH_RUN = ("/srv/.venv/bin/python", "/srv/.venv/bin/evwatch", "run")


def facts(
    *, alive: bool = True, argv: tuple[str, ...] = BROKER_ARGV, ppid: int | None = 4242, parent: tuple[str, ...] = ()
) -> ProcessFacts:
    return ProcessFacts(alive=alive, argv=argv, ppid=ppid, parent_argv=parent)


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("123", PidRecord(123, None)),
        ("123\n", PidRecord(123, None)),
        ("123 4242\n", PidRecord(123, 4242)),
        ("", None),
        ("abc", None),
        ("12 34 56", None),
        ("0", None),
        ("-5", None),
        ("12 x", None),
    ],
)
def test_parse_pid_file(text: str, record: PidRecord | None) -> None:
    assert parse_pid_file(text) == record


@pytest.mark.parametrize(
    ("record", "seen", "verdict"),
    [
        # Dead or a zombie: the file is just a leftover.
        (PidRecord(100, 4242), facts(alive=False, argv=(), ppid=None), Verdict.GONE),
        # The pid now belongs to something else, or to a broker of another data dir.
        (PidRecord(100, 4242), facts(argv=("/usr/sbin/sshd", "-D")), Verdict.FOREIGN),
        (PidRecord(100, 4242), facts(argv=("java", "kafka.Kafka", "/elsewhere/server.properties")), Verdict.FOREIGN),
        # Its starter still runs it.
        (PidRecord(100, 4242), facts(ppid=4242, parent=EVWATCH_RUN), Verdict.RUNNING),
        # Reparented to init or to a subreaper: whoever started it died.
        (PidRecord(100, 4242), facts(ppid=1, parent=("/sbin/init",)), Verdict.ORPHAN),
        (PidRecord(100, 4242), facts(ppid=900, parent=("/usr/lib/systemd/systemd", "--user")), Verdict.ORPHAN),
        # Even a Python subreaper: the recorded starter is what counts, not what the parent looks like.
        (PidRecord(100, 4242), facts(ppid=900, parent=EVWATCH_RUN), Verdict.ORPHAN),
        # `evwatch run` as a container's pid 1.
        (PidRecord(100, 1), facts(ppid=1, parent=EVWATCH_RUN), Verdict.RUNNING),
        # /proc could not say who the parent is: refuse rather than kill.
        (PidRecord(100, 4242), facts(ppid=None), Verdict.RUNNING),
        # Files written before owners were recorded.
        (PidRecord(100, None), facts(ppid=4242, parent=EVWATCH_RUN), Verdict.RUNNING),
        (PidRecord(100, None), facts(ppid=4242, parent=("/usr/bin/python3.11", "-m", "pytest")), Verdict.RUNNING),
        (PidRecord(100, None), facts(ppid=1, parent=("/sbin/init",)), Verdict.ORPHAN),
        (PidRecord(100, None), facts(ppid=900, parent=("/usr/lib/systemd/systemd", "--user")), Verdict.ORPHAN),
        (PidRecord(100, None), facts(ppid=900, parent=()), Verdict.ORPHAN),
    ],
)
def test_judge(record: PidRecord, seen: ProcessFacts, verdict: Verdict) -> None:
    assert judge(record, seen, BROKER_ARGS) is verdict


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_write_records_the_starter(tmp_path: Path) -> None:
    pid_file = PidFile(tmp_path / "x.pid", "x", BROKER_ARGS)
    pid_file.write(123)
    assert parse_pid_file((tmp_path / "x.pid").read_text()) == PidRecord(123, os.getpid())
    pid_file.remove()
    pid_file.remove()  # idempotent
    assert not (tmp_path / "x.pid").exists()


@pytest.mark.parametrize("content", ["{dead}", "{dead} {me}", "garbage", ""])
def test_leftover_files_are_removed(tmp_path: Path, content: str) -> None:
    path = tmp_path / "broker.pid"
    path.write_text(content.format(dead=_dead_pid(), me=os.getpid()))
    assert PidFile(path, "Kafka broker", BROKER_ARGS).clear_stale(logging.getLogger("test")) is None
    assert not path.exists()


def test_a_missing_file_is_no_news(tmp_path: Path) -> None:
    assert PidFile(tmp_path / "none.pid", "x", BROKER_ARGS).clear_stale(logging.getLogger("test")) is None


def test_a_reused_pid_is_left_alone(tmp_path: Path) -> None:
    # This very test process stands in for an unrelated program that got the pid.
    path = tmp_path / "broker.pid"
    path.write_text(f"{os.getpid()} 1\n")
    assert PidFile(path, "Kafka broker", BROKER_ARGS).clear_stale(logging.getLogger("test")) is None
    assert not path.exists()


@pytest.mark.parametrize("argv", [[], ["12"], ["12", "--"], ["x", "--", "true"], ["12", "true", "false"]])
def test_the_wrapper_refuses_a_malformed_command_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert lifeline_main(argv) == 2
    assert "usage" in capsys.readouterr().err
