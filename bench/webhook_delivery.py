"""Webhook delivery: deliveries per second from `evwatch.events` to local receivers (a backlog drained
by the fan-out and the sender), then the delivery lag (event produced to receiver answered) at that rate."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import msgspec

from bench.results_io import percentiles
from entrypoints.runtime import Runtime, webhook_workers
from evwatch.clock import utc_now
from evwatch.config import KafkaSettings, Settings, Topics, WebhookSettings
from evwatch.contracts.events import AnomalyDetected
from evwatch.domain.webhooks import WebhookRecord, generate_secret
from evwatch.kafka import ensure_topics, producer
from evwatch.storage.tenants import ClickHouseTenantStore
from evwatch.storage.webhooks import ClickHouseWebhookStore

WEBHOOKS = 4
BACKLOG = 500  # events; each goes to every webhook
LAG_SECONDS = 10.0


class _Arrivals:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.at: dict[tuple[str, str], float] = {}

    def count(self) -> int:
        with self.lock:
            return len(self.at)


@contextmanager
def _receiver(arrivals: _Arrivals) -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            event_id = msgspec.json.decode(body)["eventId"]
            with arrivals.lock:
                arrivals.at.setdefault((self.path, event_id), time.monotonic())
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _event(tenant_id: str) -> AnomalyDetected:
    now = utc_now()
    return AnomalyDetected(
        event_id=f"bench-{uuid.uuid4().hex}",
        tenant_id=tenant_id,
        session_id="s",
        anomaly_id="a",
        anomaly_type="KWH_DECREASE",
        anomaly_type_id="kwh-decrease",
        charging_station_id="CP-1",
        connector_id="1",
        risk_score=0.9,
        period_start=now - timedelta(minutes=1),
        period_end=now,
        detected_at=now,
    )


def _wait(arrivals: _Arrivals, total: int, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    shown = time.monotonic()
    while arrivals.count() < total:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {arrivals.count()} of {total} deliveries within {timeout_s:.0f} s")
        if time.monotonic() - shown > 5:
            print(f"webhook_delivery: {arrivals.count()} of {total} delivered", flush=True)
            shown = time.monotonic()
        time.sleep(0.05)


def _paced_lags(arrivals: _Arrivals, kafka: KafkaSettings, tenant_id: str, events_per_s: float) -> list[float]:
    """Produce events at `events_per_s` for LAG_SECONDS; each delivery's seconds from produce to arrival."""
    produced: dict[str, float] = {}
    before = arrivals.count()
    paced = producer(kafka.bootstrap_servers, {"linger.ms": 0})
    begin = time.monotonic()
    n = 0
    while time.monotonic() - begin < LAG_SECONDS:
        if (ahead := begin + n / events_per_s - time.monotonic()) > 0:
            time.sleep(ahead)
        event = _event(tenant_id)
        paced.produce(kafka.topics.events, msgspec.json.encode(event), key=tenant_id.encode())
        paced.poll(0)
        produced[event.event_id] = time.monotonic()
        n += 1
    paced.flush(60)
    _wait(arrivals, before + n * WEBHOOKS, timeout_s=300)
    with arrivals.lock:
        return [at - produced[event_id] for (_, event_id), at in arrivals.at.items() if event_id in produced]


def run(base: Settings, backlog_events: int = BACKLOG) -> dict[str, Any]:
    """Drain a backlog of events to WEBHOOKS receivers, then produce at the measured rate and time each delivery."""
    suffix = uuid.uuid4().hex[:6]
    topics = Topics().suffixed(suffix)
    kafka = msgspec.structs.replace(base.kafka, topics=topics)
    ensure_topics(kafka.bootstrap_servers, list(topics.all()), kafka.partitions)
    webhooks = WebhookSettings(allow_http=True, allow_list=("127.0.0.1",), poll_interval_s=0.2)
    settings = msgspec.structs.replace(base, kafka=kafka, webhooks=webhooks, var_dir=base.var_dir / suffix)
    runtime = Runtime.open(settings, start_pipeline=False)
    arrivals = _Arrivals()
    try:
        with _receiver(arrivals) as port:
            tenant_id = f"bench-{suffix}"
            now = utc_now()
            ClickHouseTenantStore(runtime.client).upsert_tenant(tenant_id, tenant_id, now)
            store = ClickHouseWebhookStore(runtime.client)
            for n in range(WEBHOOKS):
                store.save_webhook(
                    WebhookRecord(
                        tenant_id=tenant_id,
                        webhook_id=str(uuid.uuid4()),
                        url=f"http://127.0.0.1:{port}/hook-{n}",
                        events=["anomaly.detected"],
                        description=None,
                        enabled=True,
                        secret=generate_secret(),
                        previous_secret="",
                        previous_secret_until=None,
                        created_at=now - timedelta(seconds=1),
                        updated_at=now,
                    )
                )
            backlog = producer(kafka.bootstrap_servers, {"linger.ms": 20})
            for _ in range(backlog_events):
                backlog.produce(topics.events, msgspec.json.encode(_event(tenant_id)), key=tenant_id.encode())
                backlog.poll(0)
            backlog.flush(60)

            workers = webhook_workers(settings)
            start = time.perf_counter()
            for worker in workers:
                worker.start()
            total = backlog_events * WEBHOOKS
            _wait(arrivals, total, timeout_s=600)
            elapsed = time.perf_counter() - start
            rate = total / elapsed

            # events at the measured delivery rate (each one is WEBHOOKS deliveries), then at half of it
            lags: dict[float, list[float]] = {}
            for share in (1.0, 0.5):
                lags[share] = _paced_lags(arrivals, kafka, tenant_id, rate * share / WEBHOOKS)
            for worker in workers:
                worker.stop()
    finally:
        runtime.close()
    return {
        "webhooks": WEBHOOKS,
        "backlog_events": backlog_events,
        "summary": {
            "deliveries_per_s": round(rate, 1),
            "lag_ms": percentiles(lags[1.0]),
            "lag_ms_at_half_rate": percentiles(lags[0.5]),
        },
        "notes": (
            "Backlog: events produced first, then the fan-out and sender started; deliveries/s is the drain rate "
            "to WEBHOOKS local receivers answering 204 (one attempt in flight per webhook, signed, chDB store). "
            "Lag: events produced at that rate (then at half of it) for LAG_SECONDS each; produce to the receiver's "
            "arrival. At the full rate the queue grows as fast as it drains, so the lag there includes queueing."
        ),
    }
