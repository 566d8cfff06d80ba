"""Composition root: builds the clients from Settings and wires the services the API and pipeline share."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from clickhouse_connect.driver.client import Client

from evwatch.bootstrap import bootstrap
from evwatch.config import Settings
from evwatch.inference.triton import TritonModel
from evwatch.messaging import MeterValuesPublisher, kafka_reachable
from evwatch.session_service import SessionService
from evwatch.storage.clickhouse import connect, ping
from evwatch.storage.migrations import migrate
from models.csar2.io import MAX_BATCH_SIZE, OUTPUTS
from models.csar2.schema import MODEL_NAME
from pipeline.runner import PipelineThread

log = logging.getLogger("evwatch.runtime")


def csar2_model(settings: Settings) -> TritonModel:
    """The Triton client for CSAR-2."""
    return TritonModel(
        settings.triton.grpc_url, MODEL_NAME, list(OUTPUTS), MAX_BATCH_SIZE, settings.triton.request_timeout_s
    )


@dataclass
class Runtime:
    """Everything one evwatch process holds open."""

    settings: Settings
    client: Client
    csar2: TritonModel
    publisher: MeterValuesPublisher
    sessions: SessionService
    pipeline: PipelineThread | None = None
    bootstrap_key: str | None = None

    @classmethod
    def open(cls, settings: Settings, *, start_pipeline: bool | None = None) -> Runtime:
        """Connect, migrate, bootstrap, and start the dataflow when configured."""
        client = connect(settings)
        migrate(client)
        key = bootstrap(client, settings.var_dir)
        csar2 = csar2_model(settings)
        publisher = MeterValuesPublisher(settings.kafka)
        sessions = SessionService(client, csar2, publisher)
        runtime = cls(settings, client, csar2, publisher, sessions, bootstrap_key=key)
        if settings.pipeline.enabled if start_pipeline is None else start_pipeline:
            # The pipeline gets its own handle on the same store so its writes don't queue behind API reads.
            runtime.pipeline = PipelineThread(settings, SessionService(connect(settings), csar2, None))
            runtime.pipeline.start()
        return runtime

    def readiness(self) -> dict[str, bool]:
        """Reachability of every dependency (and the dataflow, when it runs)."""
        status = {
            "kafka": kafka_reachable(self.settings.kafka),
            "triton": self.csar2.ready(),
            "clickhouse": ping(self.client),
        }
        if self.pipeline is not None:
            status["pipeline"] = self.pipeline.alive
        return status

    def close(self) -> None:
        """Stop the dataflow, flush the producer, close the store."""
        if self.pipeline is not None:
            self.pipeline.stop()
        self.publisher.close()
        self.client.close()
