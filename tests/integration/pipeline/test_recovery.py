"""Stopping and restarting the dataflow resumes from its recovery snapshot: no re-read, no skip."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest

from entrypoints.runtime import pipeline_thread
from evwatch.config import KafkaSettings, Settings, Topics
from evwatch.kafka import ensure_topics
from pipeline.runner import PipelineThread
from tests.support.kafka import consume_all, produce, wait_for
from tests.support.sessions import readings

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def test_restart_resumes_where_it_stopped(runtime: Any, api: Any, tenant: Any, tmp_path: Any) -> None:
    suffix = uuid.uuid4().hex[:8]
    topics = Topics().suffixed(suffix)
    base: Settings = runtime.settings
    kafka = KafkaSettings(bootstrap_servers=base.kafka.bootstrap_servers, partitions=1, topics=topics)
    ensure_topics(kafka.bootstrap_servers, list(topics.all()), 1, replication_factor=1)
    settings = msgspec.structs.replace(base, kafka=kafka, var_dir=tmp_path)

    def pipeline() -> PipelineThread:
        thread = pipeline_thread(settings, runtime.csar2)
        thread.start()
        return thread

    def session(sid: str) -> dict[str, Any]:
        return {"tenantId": tenant.tenant_id, "sessionId": sid, "chargingStationId": "CP-R", "meterValues": readings(4)}

    first = pipeline()
    produce(kafka.bootstrap_servers, topics.meter_values, [b"{bad-1", session(f"r1-{suffix}")])
    wait_for(lambda: api.get(f"/v1/sessions/r1-{suffix}", headers=tenant.headers).status_code == 200)
    wait_for(lambda: consume_all(kafka.bootstrap_servers, topics.dead_letter, 1, timeout_s=3))
    first.stop()
    assert not first.alive and first.error is None

    # Produced while the flow is down: must be picked up after the restart.
    produce(kafka.bootstrap_servers, topics.meter_values, [b"{bad-2", session(f"r2-{suffix}")])
    second = pipeline()
    try:
        wait_for(lambda: "analyzedAt" in api.get(f"/v1/sessions/r2-{suffix}", headers=tenant.headers).json())
        dead = consume_all(kafka.bootstrap_servers, topics.dead_letter, 2, timeout_s=20)
        # Each bad message was dead-lettered exactly once: the restart neither re-read nor skipped.
        assert sorted(m.value() for m in dead) == [b"{bad-1", b"{bad-2"]
    finally:
        second.stop()
