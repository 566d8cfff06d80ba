"""The contract's seven webhook operations through the real app: secrets shown once, inputs checked."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from tests.support.kafka import wait_for
from tests.support.webhook_receiver import receiver

pytestmark = [pytest.mark.kafka, pytest.mark.triton, pytest.mark.clickhouse]

WEBHOOK_FIELDS = {
    "id",
    "url",
    "events",
    "description",
    "enabled",
    "failureCount",
    "disabledAt",
    "createdAt",
    "updatedAt",
}


def test_create_list_get_update_rotate_test_and_delete(api: Any, tenant: Any) -> None:
    with receiver() as hooks:
        url = hooks.url("/crud")
        made = api.post(
            "/v1/webhooks",
            json={"url": url, "events": ["anomaly.detected"], "description": "ops"},
            headers=tenant.headers,
        )
        assert made.status_code == 200, made.text
        created = made.json()
        assert set(created) == WEBHOOK_FIELDS | {"secret"}
        assert created["secret"].startswith("whsec_")
        assert created["enabled"] is True and created["failureCount"] == 0 and created["disabledAt"] is None
        path = f"/v1/webhooks/{created['id']}"

        listed = api.get("/v1/webhooks", headers=tenant.headers).json()
        assert listed["pagination"] == {"totalCount": 1, "page": 0, "size": 1}
        assert set(listed["content"][0]) == WEBHOOK_FIELDS
        assert created["secret"] not in api.get(path, headers=tenant.headers).text

        changed = api.patch(
            path, json={"events": ["incident.created", "anomaly.detected"], "description": None}, headers=tenant.headers
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["events"] == ["incident.created", "anomaly.detected"]
        assert changed.json()["description"] is None and changed.json()["url"] == url
        assert "secret" not in changed.json()

        rotated = api.post(f"{path}/rotate-secret", headers=tenant.headers)
        assert rotated.status_code == 200, rotated.text
        new_secret = rotated.json()["secret"]
        assert new_secret.startswith("whsec_") and new_secret != created["secret"]

        tested = api.post(f"{path}/test", headers=tenant.headers)
        assert tested.status_code == 200 and tested.json() == {}
        got = wait_for(lambda: hooks.to("/crud"), timeout_s=30)[0]
        # both secrets sign during the rotation's grace period
        for secret in (created["secret"], new_secret):
            event = Webhook(secret).verify(got.body, got.headers)
            assert event["type"] == "webhook.test" and event["webhookId"] == created["id"]

        def delivered() -> list[dict[str, Any]] | None:
            recent = api.get(path, headers=tenant.headers).json()["recentDeliveries"]
            return recent if recent and recent[0]["status"] == "delivered" else None

        (delivery,) = wait_for(delivered, timeout_s=30)
        assert delivery["eventType"] == "webhook.test" and delivery["httpStatus"] == 200
        assert delivery["attemptCount"] == 1 and delivery["completedAt"] is not None
        assert got.headers["webhook-id"] == delivery["id"]

        deleted = api.delete(path, headers=tenant.headers)
        assert deleted.status_code == 200 and deleted.content == b""
        assert api.get(path, headers=tenant.headers).status_code == 404
        assert api.get("/v1/webhooks", headers=tenant.headers).json()["content"] == []


def test_unknown_event_types_and_refused_urls_are_422_naming_them(api: Any, tenant: Any) -> None:
    answer = api.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["session.deleted"]}, headers=tenant.headers
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["details"]["fields"][0]["field"] == "events[0]" and "session.deleted" in answer.text
    for url, reason in (
        ("https://10.0.0.1/hook", "private"),
        ("https://169.254.169.254/latest/meta-data/", "metadata"),
        ("https://[::ffff:10.0.0.1]/hook", "embeds 10.0.0.1"),
        ("gopher://127.0.0.1/x", "https"),
    ):
        answer = api.post("/v1/webhooks", json={"url": url, "events": ["webhook.test"]}, headers=tenant.headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["details"]["fields"][0]["field"] == "url" and reason in answer.text, answer.text
    made = api.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["webhook.test"]}, headers=tenant.headers
    )
    hook_path = f"/v1/webhooks/{made.json()['id']}"
    refused = api.patch(hook_path, json={"url": "https://192.168.0.1/"}, headers=tenant.headers)
    assert refused.status_code == 422 and "private" in refused.text
    assert api.get(hook_path, headers=tenant.headers).json()["url"] == "http://127.0.0.1:9/x"


def test_another_tenants_or_an_unknown_webhook_is_404(api: Any, tenant: Any, new_tenant: Any) -> None:
    made = api.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["webhook.test"]}, headers=tenant.headers
    )
    other = new_tenant()
    for webhook_id in (made.json()["id"], str(uuid.uuid4()), "not-a-uuid"):
        path = f"/v1/webhooks/{webhook_id}"
        assert api.get(path, headers=other.headers).status_code == 404
        assert api.post(f"{path}/test", headers=other.headers).status_code == 404
        assert api.delete(path, headers=other.headers).status_code == 404
    assert api.get(f"/v1/webhooks/{made.json()['id']}", headers=tenant.headers).status_code == 200
