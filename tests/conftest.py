"""Session-wide real services: one Kafka broker, one tritonserver, one chDB store, one runtime.

Unit tests use none of them; fixtures start lazily, so `pytest tests/unit` never starts a service.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# chDB reports the host time zone as the server's; evwatch always runs in UTC.
os.environ.setdefault("TZ", "UTC")

pytest_plugins = ["tests.conftest_services"]


def pytest_configure(config: pytest.Config) -> None:
    """Markers for tests that cross a process boundary."""
    config.addinivalue_line("markers", "e2e: drives evwatch end to end through its public API or CLI")


@pytest.fixture(scope="session")
def model_repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Triton model repository exported from the committed weights (or a pre-exported one)."""
    from models.repository import export_repository

    prebuilt = os.environ.get("EVWATCH_TEST_MODEL_REPOSITORY")
    if prebuilt:
        return Path(prebuilt)

    repo = tmp_path_factory.mktemp("model-repository")
    export_repository(repo)
    return repo


@pytest.fixture(scope="session")
def tritonserver(model_repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One real CPU tritonserver serving the exported repository."""
    from tests.conftest_services import start_tritonserver

    server = start_tritonserver(model_repository, tmp_path_factory.mktemp("triton"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def settings(kafka_broker: object, tritonserver: object, tmp_path_factory: pytest.TempPathFactory) -> object:
    """Settings pointing at the session's broker, tritonserver and chDB path."""
    from evwatch.config import ClickHouseSettings, PipelineSettings, Settings

    var_dir = tmp_path_factory.mktemp("var")
    return Settings(
        var_dir=var_dir,
        kafka=kafka_broker.settings,  # type: ignore[attr-defined]
        triton=tritonserver.settings,  # type: ignore[attr-defined]
        clickhouse=ClickHouseSettings(dsn=f"chdb://{var_dir / 'chdb'}"),
        pipeline=PipelineSettings(snapshot_interval_s=1.0, analysis_debounce_s=0.5),
    )


@pytest.fixture(scope="session")
def runtime(settings: object) -> Iterator[object]:
    """The composition root with the dataflow running, shared by every integration test."""
    from evwatch.runtime import Runtime

    rt = Runtime.open(settings, start_pipeline=True)  # type: ignore[arg-type]
    try:
        yield rt
    finally:
        rt.close()


@dataclass(frozen=True)
class Tenant:
    """A fresh tenant with an admin key, so tests never see each other's rows."""

    tenant_id: str
    api_key: str

    @property
    def headers(self) -> dict[str, str]:
        """Authorization header for this tenant."""
        return {"Authorization": f"Bearer {self.api_key}"}


@pytest.fixture
def new_tenant(runtime: object) -> Callable[[], Tenant]:
    """Factory: create a tenant with an admin API key."""
    from evwatch.domain.api_keys import generate_key
    from evwatch.domain.meter_values import utc_now
    from evwatch.storage import tenants

    def make() -> Tenant:
        tenant_id = f"t-{uuid.uuid4().hex[:10]}"
        key = generate_key()
        now = utc_now()
        tenants.upsert_tenant(runtime.client, tenant_id, tenant_id, now)  # type: ignore[attr-defined]
        tenants.insert_api_key(runtime.client, tenant_id, key, "admin", "test", now, None)  # type: ignore[attr-defined]
        return Tenant(tenant_id, key.plain)

    return make


@pytest.fixture
def tenant(new_tenant: Callable[[], Tenant]) -> Tenant:
    """One fresh tenant for this test."""
    return new_tenant()


@pytest.fixture(scope="session")
def api(runtime: object) -> Iterator[object]:
    """Litestar TestClient over the real runtime (real Triton, Kafka and chDB)."""
    from litestar.testing import TestClient

    from serving.app import create_app

    with TestClient(app=create_app(runtime=runtime)) as client:  # type: ignore[arg-type]
        yield client
