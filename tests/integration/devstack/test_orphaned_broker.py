"""A broker orphaned by a crashed starter (as `evwatch run` left them before the parent-death
signal, or where there is none) is stopped by the next start on its data dir, which then works."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from devstack.kafka_broker import KafkaBroker
from devstack.process import gone, wait_gone
from evwatch.kafka import is_reachable
from tests.plugins.services import kafka_settings_on_free_ports

pytestmark = pytest.mark.kafka

ROOT = Path(__file__).resolve().parents[3]

# Starts a broker the way the old code did (no lifeline), prints its pid, then waits to be killed.
STARTER = """
import functools, sys, time
from pathlib import Path
import devstack.kafka_broker as kb
from evwatch.config import KafkaSettings

kb.spawn = functools.partial(kb.spawn, die_with_parent=False)
settings = KafkaSettings(bootstrap_servers=sys.argv[1], controller_port=int(sys.argv[2]), partitions=1)
broker = kb.KafkaBroker(settings, Path(sys.argv[3])).start()
print(broker.pid, flush=True)
time.sleep(600)
"""


def test_the_next_start_stops_an_orphaned_broker(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = kafka_settings_on_free_ports(partitions=1)
    data_dir = tmp_path / "kafka"
    args = [settings.bootstrap_servers, str(settings.controller_port), str(data_dir)]
    starter = subprocess.Popen(
        [sys.executable, "-c", STARTER, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    orphan = 0
    try:
        assert starter.stdout is not None
        orphan = int(starter.stdout.readline())
        starter.send_signal(signal.SIGKILL)
        starter.wait()
        assert not gone(orphan) and is_reachable(settings.bootstrap_servers)

        with caplog.at_level(logging.WARNING, logger="devstack"), KafkaBroker(settings, data_dir) as broker:
            assert gone(orphan)
            assert broker.pid is not None and broker.pid != orphan
            assert is_reachable(broker.bootstrap_servers)
        assert f"pid {orphan} was left running by a run that died" in caplog.text
    finally:
        if starter.poll() is None:
            starter.kill()
            starter.wait()
        if starter.stdout is not None:
            starter.stdout.close()
        if orphan and not gone(orphan):
            os.killpg(orphan, signal.SIGKILL)
            wait_gone(orphan, 10)
