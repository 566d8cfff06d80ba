"""`/health` (alive), `/ready` (every dependency answers) and `/metrics` (Prometheus), outside `/v1`."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import MediaType, Response, get
from litestar.datastructures import State
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from serving.errors import ErrorBody, error_response


@get("/health", exclude_from_auth=True, tags=["Operations"], summary="Liveness")
async def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@get("/ready", exclude_from_auth=True, tags=["Operations"], summary="Readiness")
async def ready(state: State) -> Response[Any]:
    """200 when Kafka, Triton and ClickHouse are reachable; 503 naming what is not."""
    status: dict[str, bool] = await to_thread.run_sync(state.runtime.readiness)
    down = sorted(name for name, ok in status.items() if not ok)
    if down:
        response: Response[ErrorBody] = error_response(
            503, f"Not ready: {', '.join(down)} unreachable.", {"checks": status}
        )
        return response
    return Response({"status": "ready", "checks": status})


@get("/metrics", exclude_from_auth=True, tags=["Operations"], summary="Prometheus metrics", media_type=MediaType.TEXT)
async def metrics() -> Response[bytes]:
    """Process metrics, including `evwatch_dead_letter_total` and Bytewax's Kafka consumer lag."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
