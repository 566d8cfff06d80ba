"""One HTTP attempt of a webhook delivery, to the address the guard checked.

httpx would resolve the URL's host again when it connects, and a name can resolve to a public
address for the check and to an internal one a moment later (DNS rebinding). Here the connection
goes to the checked address itself, while the request keeps the URL's host: the `Host` header, and
for https the TLS server name (SNI) and certificate check, which httpcore takes from the URL, not
from the socket. Redirects are not followed (a 3xx is a failed attempt), proxies from the
environment are ignored, and the answer is read only up to what is kept of it.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass

import certifi
import httpcore
import httpx

from evwatch.domain.webhooks import MAX_RESPONSE_BYTES
from evwatch.webhook_targets import Target

USER_AGENT = "evwatch-webhooks/1"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an attempt got: the status and the start of the body, or the error that stopped it."""

    http_status: int | None
    latency_ms: int
    response_body: str
    error: str


class _PinnedBackend(httpcore.SyncBackend):
    """Connects to one address whatever host httpcore asks for; TLS still names the URL's host."""

    def __init__(self, address: str) -> None:
        self._address = address

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        return super().connect_tcp(self._address, port, timeout, local_address, socket_options)


class _PinnedTransport(httpx.HTTPTransport):
    def __init__(self, address: str, ssl_context: ssl.SSLContext) -> None:
        # HTTPTransport's own __init__ only builds a pool (and an SSL context, loading the CA bundle:
        # ~20 ms per attempt); this pool replaces it, with the shared context.
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, max_connections=1, network_backend=_PinnedBackend(address)
        )


_SSL = ssl.create_default_context(cafile=certifi.where())


def post(
    target: Target, headers: dict[str, str], body: bytes, timeout_s: float, ssl_context: ssl.SSLContext = _SSL
) -> Outcome:
    """POST `body` to the target's URL over a connection to its checked address; never raises for the receiver's faults."""
    started = time.monotonic()
    transport = _PinnedTransport(str(target.address), ssl_context)
    try:
        with httpx.Client(transport=transport, timeout=timeout_s, follow_redirects=False, trust_env=False) as client:
            request = client.build_request(
                "POST",
                target.url.url,
                content=body,
                headers={**headers, "content-type": "application/json", "user-agent": USER_AGENT},
            )
            deadline = started + timeout_s
            response = client.send(request, stream=True)
            try:
                kept = bytearray()
                for chunk in response.iter_bytes():
                    kept += chunk
                    if len(kept) >= MAX_RESPONSE_BYTES or time.monotonic() > deadline:
                        break
            finally:
                response.close()
            text = bytes(kept[:MAX_RESPONSE_BYTES]).decode("utf-8", errors="replace")
            return Outcome(response.status_code, _ms(started), text, "")
    except httpx.HTTPError as exc:
        return Outcome(None, _ms(started), "", f"{type(exc).__name__}: {exc}"[:500])


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
