"""Standard Webhooks signatures (https://www.standardwebhooks.com), with the `standardwebhooks` library.

Each secret that signs adds one `v1,<base64 HMAC-SHA256 of id.timestamp.body>` to `webhook-signature`,
space-separated: during a rotation's grace period receivers holding either secret verify the same request.
"""

from __future__ import annotations

from datetime import datetime

from standardwebhooks.webhooks import Webhook


def signature_headers(message_id: str, body: str, secrets: list[str], at: datetime) -> dict[str, str]:
    """The three headers of a delivery: its id, the time it was signed, and one signature per secret."""
    signatures = " ".join(Webhook(secret).sign(message_id, at, body) for secret in secrets)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signatures,
    }
