"""Starts the real services a benchmark needs: broker, tritonserver, and Settings pointing at them."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from devstack.kafka_broker import KafkaBroker
from devstack.ports import free_port
from devstack.tritonserver import TritonServer
from evwatch.config import ClickHouseSettings, KafkaSettings, PipelineSettings, Settings, TritonSettings
from models.repository import export_repository


@contextlib.contextmanager
def services(work: Path) -> Iterator[Settings]:
    """A broker and a tritonserver on free ports; yields Settings for them with chDB under `work`."""
    kafka = KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}", controller_port=free_port(), partitions=2)
    triton = TritonSettings(grpc_port=free_port(), http_port=free_port())
    repo = work / "model-repository"
    export_repository(repo)
    with KafkaBroker(kafka, work / "kafka"), TritonServer(triton, repo, work / "triton"):
        yield Settings(
            var_dir=work / "var",
            kafka=kafka,
            triton=triton,
            clickhouse=ClickHouseSettings(dsn=f"chdb://{work / 'var' / 'chdb'}"),
            pipeline=PipelineSettings(snapshot_interval_s=5.0, analysis_debounce_s=1.0),
        )
