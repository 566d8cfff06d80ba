"""The README's first line: `evwatch run` brings up Kafka, tritonserver and the API + dataflow, and
Ctrl-C takes every child down again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.ports import free_port
from tests.plugins.services import process_group_members
from tests.support.kafka import produce, wait_for
from tests.support.sessions import readings, session_body

pytestmark = [pytest.mark.e2e, pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def test_run_serves_the_api_and_the_stream_then_stops_cleanly(tmp_path: Path) -> None:
    api_port, kafka_port, sql_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "EVWATCH_VAR_DIR": str(tmp_path / "var"),
        "EVWATCH_API_PORT": str(api_port),
        "EVWATCH_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{kafka_port}",
        "EVWATCH_KAFKA_CONTROLLER_PORT": str(free_port()),
        "EVWATCH_TRITON_GRPC_PORT": str(free_port()),
        "EVWATCH_TRITON_HTTP_PORT": str(free_port()),
        "EVWATCH_PIPELINE_DEBOUNCE_S": "0.5",
        "EVWATCH_SQL_HTTP_ADDRESS": f"127.0.0.1:{sql_port}",
    }
    with (tmp_path / "run.log").open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{api_port}"
    try:

        def ready() -> bool:
            if proc.poll() is not None:
                raise AssertionError((tmp_path / "run.log").read_text()[-3000:])
            try:
                return httpx.get(f"{base}/ready", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_for(ready, timeout_s=240, interval_s=1)
        key_file = tmp_path / "var" / "bootstrap-admin-key"
        assert oct(key_file.stat().st_mode & 0o777) == "0o600"
        key = key_file.read_text().strip()
        log_text = (tmp_path / "run.log").read_text()
        # Not a terminal: the key stays out of the log, which says where the file is.
        assert key not in log_text and f"saved to {key_file}" in log_text
        assert oct((tmp_path / "var").stat().st_mode & 0o777) == "0o700"
        headers = {"Authorization": f"Bearer {key}"}

        created = httpx.post(f"{base}/v1/sessions", json=session_body("e2e-api"), headers=headers, timeout=30)
        assert created.status_code == 200 and "anomalyScore" in created.json()

        message: dict[str, Any] = {
            "tenantId": "default",
            "sessionId": "e2e-kafka",
            "chargingStationId": "CP-E2E",
            "meterValues": readings(6),
        }
        produce(f"127.0.0.1:{kafka_port}", "evwatch.meter-values", [message])

        def streamed() -> dict[str, Any] | None:
            resp = httpx.get(f"{base}/v1/sessions/e2e-kafka", headers=headers, timeout=10)
            return resp.json() if resp.status_code == 200 and "analyzedAt" in resp.json() else None

        assert wait_for(streamed, timeout_s=60)["sessionId"] == "e2e-kafka"
        # while it runs, an analyst reads the same store over SQL with the key (docs/sql.md)
        sql = httpx.post(
            f"http://127.0.0.1:{sql_port}/?database=evwatch",
            content=b"SELECT session_id FROM sessions ORDER BY session_id",
            auth=("analyst", key),
            timeout=30,
        )
        assert sql.status_code == 200 and sql.text.split() == ["e2e-api", "e2e-kafka"], sql.text
        children = _descendants(proc.pid)
        assert len(children) >= 3  # broker JVM, tritonserver, granian (+ its worker)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=90)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    time.sleep(1)
    alive = [pid for pid in children if Path(f"/proc/{pid}").exists()]
    assert alive == [], f"orphans left behind: {alive}"
    assert process_group_members(proc.pid) == []
