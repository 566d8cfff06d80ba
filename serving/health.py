"""`/health` (alive), `/ready` (every dependency answers) and `/metrics` (Prometheus), outside `/v1`."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Response, get
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from serving.dependencies import Readiness
from serving.errors import error_response


@get("/health", exclude_from_auth=True, tags=["Operations"], summary="Liveness")
async def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@get("/ready", exclude_from_auth=True, tags=["Operations"], summary="Readiness", sync_to_thread=True)
def ready(readiness: NamedDependency[Readiness]) -> Response[Any]:
    """200 when Kafka, Triton and ClickHouse are reachable (and the dataflow runs); 503 naming what is not."""
    report = readiness()
    down = sorted(name for name, ok in report.checks.items() if not ok)
    if down:
        return error_response(
            503, f"Not ready: {', '.join(down)} unreachable.", {"checks": report.checks, **report.details}
        )
    return Response({"status": "ready", "checks": report.checks, **report.details})


@get("/metrics", exclude_from_auth=True, tags=["Operations"], summary="Prometheus metrics", media_type=MediaType.TEXT)
async def metrics() -> Response[bytes]:
    """Process metrics, including `evwatch_dead_letter_total` and Bytewax's Kafka consumer lag."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
