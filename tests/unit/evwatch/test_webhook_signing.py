"""Signatures are Standard Webhooks ones: the library's own verifier accepts them, per secret."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from evwatch.domain.webhooks import generate_secret
from evwatch.webhook_signing import signature_headers


def test_each_signing_secret_verifies_and_a_stranger_does_not() -> None:
    old, new, stranger = generate_secret(), generate_secret(), generate_secret()
    body = '{"type":"webhook.test","eventId":"e1"}'
    headers = signature_headers("msg_1", body, [new, old], datetime.now(UTC))
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert all(part.startswith("v1,") for part in headers["webhook-signature"].split(" "))
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers) == {"type": "webhook.test", "eventId": "e1"}
    with pytest.raises(WebhookVerificationError):
        Webhook(stranger).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body + " ", headers)
