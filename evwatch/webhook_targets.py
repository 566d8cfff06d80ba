"""Resolving a webhook URL to the one address evwatch will connect to, checked (the SSRF guard's edge).

Called when a webhook is created or changed (a refusal is the 422) and again before every attempt,
since what a name resolves to can change; the attempt then connects to the address checked here
(`evwatch.webhook_http`), never to a second lookup of the name.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

from evwatch.config import WebhookSettings
from evwatch.domain.webhook_urls import AllowList, IPAddress, UrlRefused, WebhookUrl, check_addresses, parse_webhook_url

# host, port -> every address the name has; `socket.getaddrinfo` in production, a table in tests
Resolve = Callable[[str, int], list[IPAddress]]


@dataclass(frozen=True, slots=True)
class Target:
    """Where an attempt goes: the URL as given, and the checked address to connect to."""

    url: WebhookUrl
    address: IPAddress


def system_resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the system resolver gives for the name (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlRefused(f"host {host!r} does not resolve ({exc})") from None
    found: list[IPAddress] = []
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if address not in found:
            found.append(address)
    return found


class TargetGuard:
    """Parses, resolves and checks receiver URLs under the configured switches and allow-list."""

    def __init__(self, settings: WebhookSettings, resolve: Resolve = system_resolve) -> None:
        self._allow_http = settings.allow_http
        self._allow = AllowList.parse(settings.allow_list)
        self._resolve = resolve

    def check(self, url: str) -> Target:
        """The target, or `UrlRefused` saying why the URL may not be called."""
        parsed = parse_webhook_url(url, allow_http=self._allow_http)
        addresses = [parsed.literal] if parsed.literal is not None else self._resolve(parsed.host, parsed.port)
        return Target(parsed, check_addresses(parsed, addresses, self._allow))
