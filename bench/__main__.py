"""Run every benchmark: `python -m bench [name ...]` (names: stream, api, csar2, webhooks, anomalies)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.results_io import write_result
from bench.services import services


def main(argv: list[str]) -> int:
    """Start the services once, run the selected benchmarks, write their JSON."""
    # `sql` (bench/sql_http.py): the SQL endpoint over the engine, on a chDB store of its own, in a process of its own
    if not argv or "sql" in argv:
        subprocess.run([sys.executable, "-m", "bench.sql_http"], check=True)
        if argv and set(argv) == {"sql"}:
            return 0
    # `anomalies` (bench/anomaly_lists.py) needs no service; it opens a chDB store of its own, and
    # chDB opens one data path per process, so it runs in a process of its own
    if not argv or "anomalies" in argv:
        subprocess.run([sys.executable, "-m", "bench.anomaly_lists"], check=True)
        if argv and set(argv) == {"anomalies"}:
            return 0
    selected = set(argv) or {"stream", "api", "csar2", "webhooks"}
    with tempfile.TemporaryDirectory(prefix="evwatch-bench-") as tmp, services(Path(tmp)) as settings:
        if "csar2" in selected and importlib.util.find_spec("bench.csar2_latency"):
            from bench import csar2_latency

            write_result("csar2_latency", csar2_latency.run(settings))
        if "api" in selected:
            from bench import api_latency

            write_result("api_post_sessions_latency", api_latency.run(settings))
        if "stream" in selected:
            from bench import stream_throughput

            write_result("stream_throughput", stream_throughput.run(settings))
        if "webhooks" in selected:
            from bench import webhook_delivery

            write_result("webhook_delivery", webhook_delivery.run(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
