"""What the API needs from the composition root, and the typed providers that hand it to handlers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar.di import Provide

from serving.anomalies.service import AnomalyService
from serving.api_keys.service import ApiKeyService
from serving.auth import Authenticator
from serving.explanations.service import ExplanationService
from serving.members.service import MemberService
from serving.organization.service import OrganizationService
from serving.sessions.service import SessionService
from serving.stations.service import StationService
from serving.statistics.service import StatisticsService
from serving.tenants.service import TenantService
from serving.webhooks.service import WebhookService


@dataclass(frozen=True)
class ReadinessReport:
    """Reachability of every dependency by name ("kafka", "triton", "clickhouse", "pipeline"), and details."""

    checks: dict[str, bool]
    details: dict[str, Any] = field(default_factory=dict)


Readiness = Callable[[], ReadinessReport]


@dataclass(frozen=True)
class ApiServices:
    """Everything the handlers call; built by `entrypoints` from settings."""

    sessions: SessionService
    explanations: ExplanationService
    stations: StationService
    statistics: StatisticsService
    anomalies: AnomalyService
    tenants: TenantService
    keys_admin: ApiKeyService
    members: MemberService
    organization: OrganizationService
    webhooks: WebhookService
    authenticator: Authenticator
    readiness: Readiness


class ServiceSlot:
    """Holds the services between lifespan start and end; providers read from it."""

    def __init__(self) -> None:
        self._services: ApiServices | None = None

    def fill(self, services: ApiServices | None) -> None:
        """Set by the lifespan when it starts, cleared when it ends."""
        self._services = services

    def get(self) -> ApiServices:
        """The services; a request before startup completes is a server error."""
        if self._services is None:
            raise RuntimeError("the API services are not started")
        return self._services

    def providers(self) -> dict[str, Provide]:
        """Litestar dependencies by parameter name: `sessions`, `stations`, `statistics`, `tenants`, `keys_admin`, `members`,
        `organization`, `webhooks`, `authenticator`, `readiness`."""

        def sessions() -> SessionService:
            return self.get().sessions

        def explanations() -> ExplanationService:
            return self.get().explanations

        def stations() -> StationService:
            return self.get().stations

        def statistics() -> StatisticsService:
            return self.get().statistics

        def anomalies() -> AnomalyService:
            return self.get().anomalies

        def tenants() -> TenantService:
            return self.get().tenants

        def keys_admin() -> ApiKeyService:
            return self.get().keys_admin

        def members() -> MemberService:
            return self.get().members

        def organization() -> OrganizationService:
            return self.get().organization

        def webhooks() -> WebhookService:
            return self.get().webhooks

        def authenticator() -> Authenticator:
            return self.get().authenticator

        def readiness() -> Readiness:
            return self.get().readiness

        return {
            "sessions": Provide(sessions, sync_to_thread=False),
            "explanations": Provide(explanations, sync_to_thread=False),
            "stations": Provide(stations, sync_to_thread=False),
            "statistics": Provide(statistics, sync_to_thread=False),
            "anomalies": Provide(anomalies, sync_to_thread=False),
            "tenants": Provide(tenants, sync_to_thread=False),
            "keys_admin": Provide(keys_admin, sync_to_thread=False),
            "members": Provide(members, sync_to_thread=False),
            "organization": Provide(organization, sync_to_thread=False),
            "webhooks": Provide(webhooks, sync_to_thread=False),
            "authenticator": Provide(authenticator, sync_to_thread=False),
            "readiness": Provide(readiness, sync_to_thread=False),
        }
