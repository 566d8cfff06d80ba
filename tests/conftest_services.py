"""Pytest plugin with fixtures for real local services (Kafka broker, tritonserver).

Load with `-p tests.conftest_services` or `pytest_plugins = ["tests.conftest_services"]` in the root conftest.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from evwatch.config import KafkaSettings, TritonSettings
from evwatch.services import KafkaBroker, TritonServer, ensure_topics, free_port


def pytest_configure(config: pytest.Config) -> None:
    """Register the `integration` marker (tests that start real services)."""
    config.addinivalue_line(
        "markers",
        "integration: starts real local services (Kafka broker, tritonserver)",
    )


def kafka_settings_on_free_ports(partitions: int = 2) -> KafkaSettings:
    """KafkaSettings pointing at free loopback ports, for a throwaway broker."""
    return KafkaSettings(
        bootstrap_servers=f"127.0.0.1:{free_port()}",
        controller_port=free_port(),
        partitions=partitions,
    )


def start_tritonserver(repo: Path, work_dir: Path, *, timeout_s: float = 120.0) -> TritonServer:
    """Start tritonserver on free loopback ports serving every model in `repo`; the caller must stop() it."""
    settings = TritonSettings(host="127.0.0.1", grpc_port=free_port(), http_port=free_port())
    return TritonServer(settings, repo, work_dir, ready_timeout_s=timeout_s).start()


def process_group_members(pgid: int) -> list[int]:
    """PIDs whose process group is `pgid`, read from /proc (no psutil); [] once a stopped service is gone."""
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
    broker = KafkaBroker(kafka_settings_on_free_ports(), tmp_path_factory.mktemp("kafka-broker"))
    with broker:
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
        admin = AdminClient({"bootstrap.servers": kafka_broker.bootstrap_servers})
        for fut in admin.delete_topics(created, operation_timeout=10).values():
            # Best effort: a test may already have deleted its topic.
            with contextlib.suppress(KafkaException):
                fut.result()
