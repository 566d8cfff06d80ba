"""`/v1/sessions` latency (p50/p95/p99) against the real Granian server: POST at concurrency 1 and 8,
and the reads in the same run as the peer (GET of one session, GET of a page of the list)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench.results_io import percentiles
from devstack.ports import free_port
from evwatch.config import Settings
from tests.support.sessions import session_body

REQUESTS = {1: 100, 8: 240}
READINGS_PER_SESSION = 30  # x3 measurands = 90 meter values per request


def _server(settings: Settings, var_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "EVWATCH_VAR_DIR": str(var_dir),
        "EVWATCH_API_PORT": str(port),
        "EVWATCH_KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "EVWATCH_TRITON_GRPC_PORT": str(settings.triton.grpc_port),
        "EVWATCH_TRITON_HTTP_PORT": str(settings.triton.http_port),
    }
    granian = Path(sys.executable).with_name("granian")
    cmd = [
        str(granian),
        "--interface",
        "asgi",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--runtime-threads",
        "2",
        "--log-level",
        "warning",
        "entrypoints.asgi:create_app",
    ]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _measure(
    base: str, headers: dict[str, str], concurrency: int, total: int, request: Callable[[httpx.Client], httpx.Response]
) -> dict[str, float]:
    samples: list[float] = []
    lock = threading.Lock()
    per_worker = total // concurrency

    def worker() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for _ in range(per_worker):
                start = time.perf_counter()
                resp = request(client)
                elapsed = time.perf_counter() - start
                if resp.status_code != 200:
                    raise RuntimeError(f"{resp.request.method} failed: {resp.status_code} {resp.text[:200]}")
                with lock:
                    samples.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    return {**percentiles(samples), "concurrency": concurrency, "requests_per_s": round(len(samples) / wall, 1)}


def _post(created: list[str]) -> Callable[[httpx.Client], httpx.Response]:
    def request(client: httpx.Client) -> httpx.Response:
        session_id = f"lat-{uuid.uuid4().hex[:12]}"
        created.append(session_id)
        return client.post("/v1/sessions", json=session_body(session_id, n=READINGS_PER_SESSION))

    return request


def run(settings: Settings) -> dict[str, Any]:
    """Start a server on its own store, warm up, measure both concurrencies."""
    port = free_port()
    var_dir = settings.var_dir.parent / "api-bench-var"
    proc = _server(settings, var_dir, port)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("API server did not become ready")
            time.sleep(0.5)
        headers = {"Authorization": f"Bearer {(var_dir / 'bootstrap-admin-key').read_text().strip()}"}
        created: list[str] = []
        _measure(base, headers, 1, 10, _post(created))  # warm-up
        results = {f"concurrency_{c}": _measure(base, headers, c, n, _post(created)) for c, n in REQUESTS.items()}
        picks = itertools.cycle(created)
        results["get_detail_concurrency_1"] = _measure(
            base, headers, 1, 100, lambda client: client.get(f"/v1/sessions/{next(picks)}")
        )
        results["get_list_concurrency_1"] = _measure(
            base, headers, 1, 50, lambda client: client.get("/v1/sessions", params={"page": 0, "pageSize": 20})
        )
    finally:
        proc.terminate()
        proc.wait(30)
    return {
        "description": f"POST /v1/sessions with {READINGS_PER_SESSION * 3} meter values each (synchronous CSAR-2 via "
        "Triton, one atomic chDB write with its analysis; the outbox relay publishes later), Granian 1 worker; "
        f"then GET of one of the {len(created)} sessions and GET of the first page of 20.",
        **results,
        "summary": {
            **{k: {"p50_ms": v["p50_ms"], "p95_ms": v["p95_ms"], "p99_ms": v["p99_ms"]} for k, v in results.items()},
            "post_over_get_detail_p50": round(
                results["concurrency_1"]["p50_ms"] / results["get_detail_concurrency_1"]["p50_ms"], 2
            ),
        },
    }
