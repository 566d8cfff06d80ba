"""The Litestar application, built around the services the composition root hands it.

`entrypoints.asgi:create_app` is what Granian runs; tests build the app over their own services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager, asynccontextmanager

from anyio import to_thread
from litestar import Litestar, Router
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from evwatch.config import ApiSettings
from evwatch.domain.bounds import Bounds
from serving.anomalies.controller import AnomalyController
from serving.api_keys.controller import ApiKeyController
from serving.auth import auth_guard, provide_caller, provide_principal
from serving.dependencies import ApiServices, ServiceSlot
from serving.errors import EXCEPTION_HANDLERS
from serving.explanations.controller import ExplanationController
from serving.health import health, metrics, ready
from serving.members.controller import MemberController
from serving.organization.controller import OrganizationController
from serving.pagination import page_provider
from serving.rate_limit import RateLimiter
from serving.sessions.controller import SessionController
from serving.stations.controller import StationController
from serving.statistics.controller import StatisticsController
from serving.tenants.controller import TenantController
from serving.ui.routes import ui_routes
from serving.webhooks.controller import WebhookController

V1_CONTROLLERS = [
    SessionController,
    ExplanationController,
    StationController,
    StatisticsController,
    AnomalyController,
    WebhookController,
    ApiKeyController,
    OrganizationController,
    MemberController,
    TenantController,
]

# Opens the services when the app starts and closes them when it stops.
OpenServices = Callable[[], AbstractContextManager[ApiServices]]


def _lifespan(
    open_services: OpenServices, slot: ServiceSlot
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        scope = open_services()
        # Opening connects to ClickHouse and Kafka: keep it off the event loop.
        slot.fill(await to_thread.run_sync(scope.__enter__))
        try:
            yield
        finally:
            slot.fill(None)
            await to_thread.run_sync(scope.__exit__, None, None, None)

    return lifespan


def build_app(open_services: OpenServices, api: ApiSettings, bounds: Bounds) -> Litestar:
    """The `/v1` API, `/health`, `/ready`, `/metrics`, the OpenAPI document at `/schema` and the dashboard at `/ui`."""
    slot = ServiceSlot()
    limiter = RateLimiter(api.rate_per_s, api.rate_burst)
    v1 = Router(
        path="/",
        route_handlers=V1_CONTROLLERS,
        guards=[auth_guard(lambda: slot.get().authenticator, limiter)],
        dependencies={
            "principal": Provide(provide_principal, sync_to_thread=False),
            "caller": Provide(provide_caller, sync_to_thread=False),
            "paging": Provide(page_provider(bounds), sync_to_thread=False),
        },
    )
    return Litestar(
        route_handlers=[health, ready, metrics, v1, *ui_routes()],
        dependencies=slot.providers(),
        lifespan=[_lifespan(open_services, slot)],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=api.max_body_bytes,
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
