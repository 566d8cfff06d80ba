"""End-to-end stream throughput: meter values per second from Kafka to rows in ClickHouse,
with CSAR-2 inference through Triton and without it (same backlog, same store)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import msgspec

from entrypoints.runtime import Runtime, pipeline_thread
from evwatch.clock import utc_now
from evwatch.config import KafkaSettings, PipelineSettings, Settings, Topics
from evwatch.kafka import ensure_topics, producer
from evwatch.storage.clickhouse import scalar
from evwatch.storage.tenants import ClickHouseTenantStore
from tests.support.sessions import readings

SESSIONS = 1000
READINGS_PER_SESSION = 40  # x3 measurands = 120 meter values per session


def _produce_backlog(kafka: KafkaSettings, tenant_id: str) -> int:
    backlog = producer(kafka.bootstrap_servers, {"linger.ms": 20})
    values = readings(READINGS_PER_SESSION)
    for i in range(SESSIONS):
        body: dict[str, Any] = {
            "tenantId": tenant_id,
            "sessionId": f"bench-{i}",
            "chargingStationId": f"ST-{i % 20}",
            "connectorId": str(i % 4 + 1),
            "meterValues": values,
        }
        backlog.produce(kafka.topics.meter_values, msgspec.json.encode(body), key=f"{tenant_id}/{i}".encode())
        backlog.poll(0)
    backlog.flush(60)
    return SESSIONS * len(values)


def _run_mode(runtime: Runtime, base: Settings, analysis: bool) -> dict[str, Any]:
    suffix = uuid.uuid4().hex[:6]
    topics = Topics().suffixed(suffix)
    kafka = msgspec.structs.replace(base.kafka, topics=topics)
    ensure_topics(kafka.bootstrap_servers, list(topics.all()), kafka.partitions)
    pipeline = PipelineSettings(analysis_enabled=analysis, snapshot_interval_s=5.0, analysis_debounce_s=1.0)
    settings = msgspec.structs.replace(base, kafka=kafka, pipeline=pipeline, var_dir=base.var_dir / suffix)
    tenant_id = f"bench-{suffix}"
    ClickHouseTenantStore(runtime.client).upsert_tenant(tenant_id, tenant_id, utc_now())
    total = _produce_backlog(kafka, tenant_id)
    thread = pipeline_thread(settings, runtime.csar2)
    start = time.perf_counter()
    thread.start()
    client = runtime.client
    params = {"t": tenant_id}
    while True:
        rows = scalar(client, "SELECT count() FROM meter_values WHERE tenant_id = {t:String}", params)
        analysed = scalar(
            client, "SELECT uniqExact(session_id) FROM session_inferences WHERE tenant_id = {t:String}", params
        )
        if rows >= total and (not analysis or analysed >= SESSIONS):
            break
        if time.perf_counter() - start > 600:
            raise RuntimeError(f"timed out: {rows}/{total} rows, {analysed}/{SESSIONS} analysed")
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    thread.stop()
    return {
        "meter_values": total,
        "sessions": SESSIONS,
        "seconds": round(elapsed, 2),
        "meter_values_per_s": round(total / elapsed, 1),
        "sessions_analysed": analysed if analysis else 0,
    }


def run(settings: Settings) -> dict[str, Any]:
    """Both modes on one store; returns the result document."""
    runtime = Runtime.open(settings, start_pipeline=False)
    try:
        with_inference = _run_mode(runtime, settings, analysis=True)
        without_inference = _run_mode(runtime, settings, analysis=False)
    finally:
        runtime.close()
    return {
        "description": "Backlog of sessions on Kafka consumed by the Bytewax flow until every meter value is a "
        "ClickHouse row (and, with inference, every session has a CSAR-2 result via Triton).",
        "with_inference": with_inference,
        "without_inference": without_inference,
        "summary": {
            "with_inference_mv_per_s": with_inference["meter_values_per_s"],
            "without_inference_mv_per_s": without_inference["meter_values_per_s"],
        },
    }
