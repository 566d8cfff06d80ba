"""Session-wide real services: one Kafka broker, one tritonserver, one chDB store, one runtime.

Fixtures start lazily, so a run of unit tests never starts a service. Tests that use one declare
it with a marker (see `tests/plugins/service_guard.py`).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from devstack.kafka_broker import KafkaBroker
from devstack.ports import free_port
from devstack.tritonserver import TritonServer
from entrypoints.runtime import Runtime
from evwatch.clock import utc_now
from evwatch.config import (
    ClickHouseSettings,
    KafkaSettings,
    PipelineSettings,
    Settings,
    SqlHttpSettings,
    TritonSettings,
    WebhookSettings,
)
from evwatch.domain.api_keys import generate_key
from evwatch.kafka import admin_client, ensure_topics
from evwatch.storage.tenants import ClickHouseTenantStore


def kafka_settings_on_free_ports(partitions: int = 2) -> KafkaSettings:
    """KafkaSettings pointing at free loopback ports, for a throwaway broker."""
    return KafkaSettings(
        bootstrap_servers=f"127.0.0.1:{free_port()}", controller_port=free_port(), partitions=partitions
    )


def start_tritonserver(repo: Path, work_dir: Path, *, timeout_s: float = 120.0) -> TritonServer:
    """Start tritonserver on free loopback ports serving every model in `repo`; the caller must stop() it."""
    settings = TritonSettings(host="127.0.0.1", grpc_port=free_port(), http_port=free_port())
    return TritonServer(settings, repo, work_dir, ready_timeout_s=timeout_s).start()


def process_group_members(pgid: int) -> list[int]:
    """PIDs whose process group is `pgid`, read from /proc; [] once a stopped service is gone."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # Field 5 (pgrp) follows the parenthesised command name, which may itself contain spaces.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            pids.append(int(stat.parent.name))
    return pids


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """One real broker for the session; exposes `.bootstrap_servers` and `.settings` (KafkaSettings)."""
    with KafkaBroker(kafka_settings_on_free_ports(), tmp_path_factory.mktemp("kafka-broker")) as broker:
        yield broker


@pytest.fixture
def kafka_topic_factory(kafka_broker: KafkaBroker) -> Iterator[Callable[..., str]]:
    """Callable `(partitions=1, prefix="test") -> topic name` creating unique topics, deleted after the test."""
    created: list[str] = []

    def factory(partitions: int = 1, prefix: str = "test") -> str:
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        ensure_topics(kafka_broker.bootstrap_servers, [name], partitions, replication_factor=1)
        created.append(name)
        return name

    yield factory
    if created:
        from confluent_kafka import KafkaException

        for future in (
            admin_client(kafka_broker.bootstrap_servers).delete_topics(created, operation_timeout=10).values()
        ):
            # Best effort: a test may already have deleted its topic.
            with contextlib.suppress(KafkaException):
                future.result()


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
def tritonserver(model_repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TritonServer]:
    """One real CPU tritonserver serving the exported repository."""
    server = start_tritonserver(model_repository, tmp_path_factory.mktemp("triton"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def settings(
    kafka_broker: KafkaBroker, tritonserver: TritonServer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    """Settings pointing at the session's broker, tritonserver and chDB path."""
    var_dir = tmp_path_factory.mktemp("var")
    return Settings(
        var_dir=var_dir,
        kafka=kafka_broker.settings,
        triton=tritonserver.settings,
        clickhouse=ClickHouseSettings(dsn=f"chdb://{var_dir / 'chdb'}"),
        pipeline=PipelineSettings(
            snapshot_interval_s=1.0,
            analysis_debounce_s=0.5,
            relay_interval_s=0.2,
            sweep_interval_s=1.0,
            sweep_grace_s=1.0,
        ),
        # test receivers listen on 127.0.0.1 over http; short retries keep the webhook tests fast
        webhooks=WebhookSettings(
            allow_http=True,
            allow_list=("127.0.0.1",),
            timeout_s=2.0,
            retry_schedule_s=(0.2, 0.4, 0.8, 1.0, 1.0),
            jitter=0.1,
            disable_after=4,
            poll_interval_s=0.1,
        ),
        # the SQL endpoint on a port the OS picks (runtime.sql_http.address tells it)
        sql_http=SqlHttpSettings(address="127.0.0.1:0"),
    )


@pytest.fixture(scope="session")
def runtime(settings: Settings) -> Iterator[Runtime]:
    """The composition root with the dataflow running, shared by every integration test."""
    rt = Runtime.open(settings, start_pipeline=True)
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


def create_tenant(runtime: Runtime, role: str = "admin") -> Tenant:
    """A new tenant with one API key of `role`."""
    tenant_id = f"t-{uuid.uuid4().hex[:10]}"
    key = generate_key()
    tenants = ClickHouseTenantStore(runtime.client)
    now = utc_now()
    tenants.upsert_tenant(tenant_id, tenant_id, now)
    tenants.insert_api_key(tenant_id, key, role, "test", now, None)
    return Tenant(tenant_id, key.plain)


@pytest.fixture
def new_tenant(runtime: Runtime) -> Callable[[], Tenant]:
    """Factory: create a tenant with an admin API key."""
    return lambda: create_tenant(runtime)


@pytest.fixture
def tenant(new_tenant: Callable[[], Tenant]) -> Tenant:
    """One fresh tenant for this test."""
    return new_tenant()


@pytest.fixture(scope="session")
def api(runtime: Runtime) -> Iterator[TestClient[Litestar]]:
    """Litestar TestClient over the real runtime (real Triton, Kafka and chDB)."""
    from serving.app import build_app

    app = build_app(lambda: nullcontext(runtime.api_services()), runtime.settings.api, runtime.settings.bounds)
    with TestClient(app=app) as client:
        yield client
