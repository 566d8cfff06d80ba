"""The delivery engine with a real receiver on 127.0.0.1: events from `evwatch.events` reach the
tenant's webhooks signed, retried, in order, once each across a restart, and never another tenant's."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import msgspec
import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from entrypoints.runtime import webhook_workers
from evwatch.clock import utc_now
from evwatch.contracts.events import AnomalyDetected
from evwatch.storage.webhooks import ClickHouseWebhookStore
from evwatch.webhook_targets import TargetGuard
from serving.webhooks.service import WebhookService
from tests.plugins.services import create_tenant
from tests.support.kafka import consume_all, produce, wait_for
from tests.support.webhook_receiver import receiver

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]


def _hook(api: Any, tenant: Any, url: str, events: list[str]) -> dict[str, Any]:
    made = api.post("/v1/webhooks", json={"url": url, "events": events}, headers=tenant.headers)
    assert made.status_code == 200, made.text
    return dict(made.json())


def _anomalies(runtime: Any, tenant_id: str, count: int) -> list[str]:
    """Announce `count` anomaly.detected events of the tenant on the events topic; their ids."""
    now = utc_now()
    ids, values = [], []
    for n in range(count):
        event = AnomalyDetected(
            event_id=f"ev-{uuid.uuid4().hex}",
            tenant_id=tenant_id,
            session_id=f"s-{n}",
            anomaly_id=f"a-{n}",
            anomaly_type="KWH_DECREASE",
            anomaly_type_id="kwh-decrease",
            charging_station_id="CP-1",
            connector_id="1",
            risk_score=0.9,
            period_start=now - timedelta(minutes=5),
            period_end=now,
            detected_at=now,
        )
        ids.append(event.event_id)
        values.append(msgspec.json.encode(event))
    kafka = runtime.settings.kafka
    produce(kafka.bootstrap_servers, kafka.topics.events, values, key=tenant_id.encode())
    return ids


def test_an_event_arrives_signed_with_the_library_verifying_it(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime)
    with receiver() as hooks:
        hook = _hook(api, tenant, hooks.url("/signed"), ["anomaly.detected"])
        (event_id,) = _anomalies(runtime, tenant.tenant_id, 1)
        (got,) = wait_for(lambda: hooks.to("/signed"), timeout_s=30)
        event = Webhook(hook["secret"]).verify(got.body, got.headers)
        assert event["eventId"] == event_id and event["type"] == "anomaly.detected"
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= set(got.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + "A" * 44).verify(got.body, got.headers)


def test_two_500s_are_retried_and_every_attempt_is_recorded(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime)
    with receiver(answer=lambda _path, n: 500 if n <= 2 else 200) as hooks:
        hook = _hook(api, tenant, hooks.url("/flaky"), ["webhook.test"])
        assert api.post(f"/v1/webhooks/{hook['id']}/test", headers=tenant.headers).status_code == 200

        def delivered() -> dict[str, Any] | None:
            detail = api.get(f"/v1/webhooks/{hook['id']}", headers=tenant.headers).json()
            recent = detail["recentDeliveries"]
            return detail if recent and recent[0]["status"] == "delivered" else None

        detail = wait_for(delivered, timeout_s=30)
        delivery = detail["recentDeliveries"][0]
        assert delivery["attemptCount"] == 3 and delivery["httpStatus"] == 200
        assert detail["failureCount"] == 0 and detail["enabled"] is True
        got = hooks.to("/flaky")
        assert len(got) == 3 and len({r.headers["webhook-id"] for r in got}) == 1
        # the backoff waited between attempts (schedule 0.2 s, 0.4 s, jitter 10 %)
        assert got[1].at - got[0].at >= 0.15 and got[2].at - got[1].at >= 0.3
        attempts = ClickHouseWebhookStore(runtime.client).attempts(tenant.tenant_id, hook["id"], delivery["id"])
        assert [a.http_status for a in attempts] == [500, 500, 200]
        assert [a.response_body for a in attempts] == ["answer 1: 500", "answer 2: 500", "answer 3: 200"]
        assert all(a.latency_ms >= 0 and a.error == "" for a in attempts)
        # the same history through the API extension
        history = api.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=tenant.headers).json()
        assert history["pagination"] == {"totalCount": 1, "page": 0, "size": 20}
        (shown,) = history["content"]
        assert shown["id"] == delivery["id"] and shown["status"] == "delivered"
        assert [(a["attempt"], a["httpStatus"], a["responseBody"], a["error"]) for a in shown["attempts"]] == [
            (1, 500, "answer 1: 500", None),
            (2, 500, "answer 2: 500", None),
            (3, 200, "answer 3: 200", None),
        ]
        assert all(isinstance(a["latencyMs"], int) for a in shown["attempts"])


def test_after_the_grace_period_only_the_new_secret_signs(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime)
    with receiver() as hooks:
        hook = _hook(api, tenant, hooks.url("/rotated"), ["webhook.test"])
        # rotated 25 hours ago by the service's clock: the old secret's 24 h are over
        past = WebhookService(
            ClickHouseWebhookStore(runtime.client),
            TargetGuard(runtime.settings.webhooks),
            clock=lambda: utc_now() - timedelta(hours=25),
        )
        new_secret = past.rotate(tenant.tenant_id, hook["id"]).secret
        assert api.post(f"/v1/webhooks/{hook['id']}/test", headers=tenant.headers).status_code == 200
        (got,) = wait_for(lambda: hooks.to("/rotated"), timeout_s=30)
        assert len(got.headers["webhook-signature"].split(" ")) == 1
        Webhook(new_secret).verify(got.body, got.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(hook["secret"]).verify(got.body, got.headers)

        # rotated now: both sign, two signatures in one header
        newest = api.post(f"/v1/webhooks/{hook['id']}/rotate-secret", headers=tenant.headers).json()["secret"]
        assert api.post(f"/v1/webhooks/{hook['id']}/test", headers=tenant.headers).status_code == 200
        got = wait_for(lambda: hooks.to("/rotated")[1:], timeout_s=30)[0]
        assert len(got.headers["webhook-signature"].split(" ")) == 2
        for secret in (newest, new_secret):
            Webhook(secret).verify(got.body, got.headers)


def test_a_failing_receiver_is_disabled_announced_and_re_enabled(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime)
    limit = runtime.settings.webhooks.disable_after
    with receiver(answer=lambda _path, _n: 500) as hooks:
        hook = _hook(api, tenant, hooks.url("/down"), ["webhook.test"])
        path = f"/v1/webhooks/{hook['id']}"
        assert api.post(f"{path}/test", headers=tenant.headers).status_code == 200

        def disabled() -> dict[str, Any] | None:
            detail = api.get(path, headers=tenant.headers).json()
            return detail if detail["disabledAt"] else None

        detail = wait_for(disabled, timeout_s=30)
        assert detail["enabled"] is False and detail["failureCount"] == limit
        assert len(hooks.to("/down")) == limit
        kafka = runtime.settings.kafka
        announced = [
            msgspec.json.decode(m.value())
            for m in consume_all(kafka.bootstrap_servers, kafka.topics.events, 1, timeout_s=10)
            if b"webhook.disabled" in m.value()
        ]
        assert {"type": "webhook.disabled", "webhookId": hook["id"], "failureCount": limit}.items() <= next(
            a for a in announced if a["webhookId"] == hook["id"]
        ).items()

        enabled = api.patch(path, json={"enabled": True}, headers=tenant.headers).json()
        assert enabled["enabled"] is True and enabled["failureCount"] == 0 and enabled["disabledAt"] is None
        assert api.get(path, headers=tenant.headers).json()["failureCount"] == 0


def test_events_go_only_to_their_own_tenants_webhooks(api: Any, runtime: Any) -> None:
    a, b = create_tenant(runtime), create_tenant(runtime)
    with receiver() as hooks:
        _hook(api, a, hooks.url("/a"), ["anomaly.detected"])
        _hook(api, b, hooks.url("/b"), ["anomaly.detected", "incident.created"])
        _hook(api, a, hooks.url("/a-incidents"), ["incident.created"])
        ids = _anomalies(runtime, a.tenant_id, 3)
        got = wait_for(lambda: hooks.to("/a")[2:] and hooks.to("/a"), timeout_s=30)
        assert [msgspec.json.decode(r.body)["eventId"] for r in got] == ids  # in order
        # B's webhook, and A's webhook for another type, were given time and got nothing
        (marker,) = _anomalies(runtime, b.tenant_id, 1)
        wait_for(lambda: hooks.to("/b"), timeout_s=30)
        assert [msgspec.json.decode(r.body)["eventId"] for r in hooks.to("/b")] == [marker]
        assert hooks.to("/a-incidents") == []


def _restart_webhook_workers(runtime: Any) -> None:
    """Stop the runtime's webhook workers (as a process stopping would) and start new ones over the same store and group."""
    old = [w for w in runtime.workers if w.name.startswith("webhook-")]
    for worker in old:
        worker.stop()
    fresh = webhook_workers(runtime.settings)
    for worker in fresh:
        worker.start()
    runtime.workers[:] = [w for w in runtime.workers if w not in old] + fresh


def test_a_restart_with_100_events_in_flight_delivers_each_exactly_once(api: Any, runtime: Any) -> None:
    tenant = create_tenant(runtime)
    with receiver(delay_s=0.02) as hooks:
        hook = _hook(api, tenant, hooks.url("/restart"), ["anomaly.detected"])
        ids = _anomalies(runtime, tenant.tenant_id, 100)
        wait_for(lambda: len(hooks.to("/restart")) >= 10, timeout_s=30)
        _restart_webhook_workers(runtime)
        assert len(hooks.to("/restart")) < 100, "the restart came too late to have events in flight"
        wait_for(lambda: len(hooks.to("/restart")) >= 100, timeout_s=60)
        # time for a duplicate to show, if there were one
        assert runtime.readiness().checks["webhook-sender"]
        time.sleep(1.5)
        got = [msgspec.json.decode(r.body)["eventId"] for r in hooks.to("/restart")]
        assert Counter(got) == Counter(ids)
        assert got == ids  # in order, too
        for r in hooks.to("/restart"):
            Webhook(hook["secret"]).verify(r.body, r.headers)
