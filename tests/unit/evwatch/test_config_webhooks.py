"""Webhook settings from the environment: lists are comma-separated, defaults are the documented ones."""

from __future__ import annotations

from evwatch.config import WebhookSettings, load_settings


def test_the_defaults_are_the_documented_schedule_and_threshold() -> None:
    defaults = load_settings({}).webhooks
    assert defaults == WebhookSettings()
    assert defaults.retry_schedule_s == (5.0, 30.0, 120.0, 600.0, 3600.0, 21600.0, 43200.0, 86400.0)
    assert defaults.disable_after == 18 and not defaults.allow_http and defaults.allow_list == ()


def test_every_webhook_variable_is_read() -> None:
    loaded = load_settings(
        {
            "EVWATCH_WEBHOOKS_ALLOW_HTTP": "true",
            "EVWATCH_WEBHOOKS_ALLOW_LIST": " 127.0.0.1, hooks.corp ,10.0.0.0/8",
            "EVWATCH_WEBHOOKS_TIMEOUT_S": "3",
            "EVWATCH_WEBHOOKS_CONCURRENCY": "2",
            "EVWATCH_WEBHOOKS_RETRY_SCHEDULE_S": "1,2.5",
            "EVWATCH_WEBHOOKS_JITTER": "0",
            "EVWATCH_WEBHOOKS_DISABLE_AFTER": "3",
            "EVWATCH_WEBHOOKS_POLL_INTERVAL_S": "0.5",
            "EVWATCH_WEBHOOKS_CONSUMER_GROUP": "g",
        }
    ).webhooks
    assert loaded == WebhookSettings(
        allow_http=True,
        allow_list=("127.0.0.1", "hooks.corp", "10.0.0.0/8"),
        timeout_s=3.0,
        concurrency=2,
        retry_schedule_s=(1.0, 2.5),
        jitter=0.0,
        disable_after=3,
        poll_interval_s=0.5,
        consumer_group="g",
    )
