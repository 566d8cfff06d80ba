"""Webhook rules: event types, secrets and their rotation, delivery ids, the retry schedule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from evwatch.domain.webhooks import (
    EVENT_TYPES,
    ROTATION_GRACE,
    WebhookRecord,
    delivery_id,
    event_problems,
    generate_secret,
    retry_delay,
    signing_secrets,
    subscribed,
)

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def record(**overrides: object) -> WebhookRecord:
    fields: dict[str, object] = {
        "tenant_id": "t",
        "webhook_id": "w",
        "url": "https://receiver.example/hook",
        "events": ["anomaly.detected"],
        "description": None,
        "enabled": True,
        "secret": "whsec_new",
        "previous_secret": "",
        "previous_secret_until": None,
        "created_at": T0,
        "updated_at": T0,
    }
    return WebhookRecord(**{**fields, **overrides})  # type: ignore[arg-type]


def test_unknown_event_types_are_named_and_known_ones_pass() -> None:
    assert event_problems("events", list(EVENT_TYPES)) == []
    problems = event_problems("events", ["anomaly.detected", "session.deleted"])
    assert [p.field for p in problems] == ["events[1]"]
    assert "'session.deleted'" in problems[0].message
    assert event_problems("events", [])[0].field == "events"


def test_a_secret_is_standard_webhooks_base64() -> None:
    secret = generate_secret()
    assert secret.startswith("whsec_") and secret != generate_secret()


def test_after_a_rotation_both_secrets_sign_for_24_hours_then_only_the_new_one() -> None:
    rotated = record(previous_secret="whsec_old", previous_secret_until=T0 + ROTATION_GRACE)
    assert signing_secrets(rotated, T0) == ["whsec_new", "whsec_old"]
    assert signing_secrets(rotated, T0 + ROTATION_GRACE - timedelta(seconds=1)) == ["whsec_new", "whsec_old"]
    assert signing_secrets(rotated, T0 + ROTATION_GRACE) == ["whsec_new"]
    assert signing_secrets(record(), T0) == ["whsec_new"]


def test_a_delivery_id_is_the_same_for_the_same_event_and_webhook_only() -> None:
    assert delivery_id("w", "e1", "anomaly.detected") == delivery_id("w", "e1", "anomaly.detected")
    assert delivery_id("w", "e1", "anomaly.detected") != delivery_id("w2", "e1", "anomaly.detected")
    assert delivery_id("w", "e1", "anomaly.detected") != delivery_id("w", "e2", "anomaly.detected")


def test_retries_follow_the_schedule_with_jitter_and_end_with_it() -> None:
    schedule = (5.0, 30.0, 120.0)
    rng = random.Random(7)
    for attempts, base in enumerate(schedule, start=1):
        for _ in range(50):
            delay = retry_delay(attempts, schedule, 0.2, rng)
            assert delay is not None and base * 0.8 <= delay <= base * 1.2
    assert retry_delay(4, schedule, 0.2, rng) is None
    assert retry_delay(1, schedule, 0.0, rng) == 5.0


def test_only_active_subscribed_webhooks_get_events_no_older_than_themselves() -> None:
    hook = record()
    assert subscribed(hook, "anomaly.detected", T0)
    assert not subscribed(hook, "incident.created", T0)
    assert not subscribed(hook, "anomaly.detected", T0 - timedelta(seconds=1))
    assert not subscribed(record(enabled=False), "anomaly.detected", T0)
    assert not subscribed(record(disabled_at=T0), "anomaly.detected", T0)
