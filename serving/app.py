"""The Litestar application: `granian --interface asgi --factory serving.app:create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from evwatch.config import Settings, load_settings
from evwatch.runtime import Runtime
from serving.auth import KeyCache, provide_caller
from serving.errors import EXCEPTION_HANDLERS
from serving.health import health, metrics, ready
from serving.sessions.controller import SessionController
from serving.stations.controller import StationController
from serving.statistics.controller import StatisticsController

log = logging.getLogger("evwatch.api")

V1_CONTROLLERS: list[type] = [SessionController, StationController, StatisticsController]


def _lifespan(settings: Settings, runtime: Runtime | None):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        rt = runtime if runtime is not None else await to_thread.run_sync(lambda: Runtime.open(settings))
        app.state.runtime = rt
        app.state.key_cache = KeyCache(rt.client)
        try:
            yield
        finally:
            if runtime is None:  # a runtime passed in (tests) belongs to the caller
                await to_thread.run_sync(rt.close)

    return lifespan


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Litestar:
    """Build the app; without arguments it reads settings from the environment (Granian factory)."""
    settings = settings or (runtime.settings if runtime else load_settings())
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    v1 = Router(
        path="/",
        route_handlers=V1_CONTROLLERS,
        dependencies={"caller": Provide(provide_caller, sync_to_thread=True)},
    )
    return Litestar(
        route_handlers=[health, ready, metrics, v1],
        lifespan=[_lifespan(settings, runtime)],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.api.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="evwatch API",
            version="1.0.0",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin()],
            components=Components(security_schemes={"bearerAuth": SecurityScheme(type="http", scheme="bearer")}),
            security=[{"bearerAuth": []}],
        ),
        debug=False,
    )
