"""Which webhook URLs evwatch may call: parsing a URL strictly and judging the addresses its host has.

A receiver URL is attacker-chosen: without these checks a tenant admin could make evwatch's workers
call its own network (cloud metadata, ClickHouse, Kafka). This module is pure; resolving the name and
connecting to the checked address is `evwatch.webhook_targets`' job (docs/webhooks.md, SSRF guard).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_URL_LENGTH = 2048
# Names that are internal by definition, whatever they resolve to where evwatch runs.
_INTERNAL_NAMES = ("localhost", "metadata.google.internal", "metadata.goog", "metadata")
_INTERNAL_SUFFIXES = (".localhost", ".internal", ".local", ".localdomain", ".home.arpa")
_METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "169.254.170.2")
)
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# What a browser or libc may read as an IPv4 address: dotted parts in decimal, octal (0...) or hex (0x...).
_NUMERIC_HOST = re.compile(r"^[0-9a-fx.]+$")


class UrlRefused(ValueError):
    """The URL may not be a webhook target; the message says why, for the 422."""


@dataclass(frozen=True, slots=True)
class WebhookUrl:
    """A parsed receiver URL: `host` is lowercase ASCII, `literal` the address when the host is one."""

    url: str
    scheme: str
    host: str
    port: int
    literal: IPAddress | None


def parse_webhook_url(url: str, *, allow_http: bool) -> WebhookUrl:
    """The URL's parts, or `UrlRefused` for anything but a plain https (or allowed http) URL."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(f"must be at most {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in url):
        raise UrlRefused("must not contain whitespace, control characters or backslashes")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and allow_http):
        raise UrlRefused(
            "must use https" if scheme != "http" else "must use https (http is not enabled on this server)"
        )
    if "@" in parts.netloc:
        raise UrlRefused("must not contain credentials (user@host)")
    raw_host = parts.hostname
    if not raw_host:
        raise UrlRefused("has no host")
    host, literal = _host(raw_host, bracketed=parts.netloc.split(":")[0].startswith("["))
    if literal is None and (host in _INTERNAL_NAMES or host.endswith(_INTERNAL_SUFFIXES)):
        raise UrlRefused(f"host {host!r} is an internal name")
    return WebhookUrl(url, scheme, host, port or (443 if scheme == "https" else 80), literal)


def _host(raw: str, *, bracketed: bool) -> tuple[str, IPAddress | None]:
    host = raw.lower().rstrip(".")
    if bracketed or ":" in host:
        if "%" in host:
            raise UrlRefused("must not name an IPv6 zone")
        try:
            return host, ipaddress.IPv6Address(host)
        except ValueError:
            raise UrlRefused(f"host {raw!r} is not a valid IPv6 address") from None
    if _NUMERIC_HOST.match(host) and (host.split(".")[-1].isdigit() or host.split(".")[-1].startswith("0x")):
        return host, _legacy_ipv4(host)
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise UrlRefused(f"host {raw!r} is not a valid host name") from None
    if not all(_LABEL.match(label) for label in ascii_host.split(".")):
        raise UrlRefused(f"host {raw!r} is not a valid host name")
    return ascii_host, None


def _legacy_ipv4(host: str) -> ipaddress.IPv4Address:
    """An address written the way inet_aton reads it (`2130706433`, `0x7f.1`, `0177.0.0.1`), or refused."""
    parts = host.split(".")
    try:
        if not 1 <= len(parts) <= 4:
            raise ValueError(host)
        numbers = [
            int(p, 16) if p.startswith("0x") else int(p, 8) if len(p) > 1 and p[0] == "0" else int(p) for p in parts
        ]
        *head, last = numbers
        if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):
            raise ValueError(host)
        value = 0
        for n in head:
            value = value * 256 + n
        return ipaddress.IPv4Address(value * 256 ** (5 - len(parts)) + last)
    except ValueError:
        raise UrlRefused(f"host {host!r} is neither a host name nor an IPv4 address") from None


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, compatible, 6to4, Teredo client, NAT64), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    value = int(address)
    # ::a.b.c.d (deprecated IPv4-compatible), leaving :: and ::1 to the checks below
    if value >> 32 == 0 and value > 1:
        return ipaddress.IPv4Address(value)
    return None


def refusal(address: IPAddress) -> str | None:
    """Why evwatch may not connect to `address`, or None when it is a public unicast address."""
    inner = embedded_ipv4(address)
    if inner is not None:
        reason = refusal(inner)
        return f"embeds {inner}, which {reason}" if reason else None
    checks = (
        (address in _METADATA, "is a cloud metadata address"),
        (address.is_unspecified, "is the unspecified address"),
        (address.is_loopback, "is a loopback address"),
        (address.is_multicast, "is a multicast address"),
        (address.is_link_local, "is a link-local address"),
        (address in _CGNAT, "is a carrier-grade NAT address"),
        (address.is_private, "is a private address"),
        (address.is_reserved, "is a reserved address"),
        (not address.is_global, "is not a public address"),
    )
    return next((reason for refused, reason in checks if refused), None)


@dataclass(frozen=True, slots=True)
class AllowList:
    """Hosts and networks exempt from `refusal` (tests, on-premises receivers)."""

    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """Entries are host names or IP networks (`10.0.0.0/8`, `127.0.0.1`)."""
        hosts, networks = set(), []
        for entry in (e.strip().lower() for e in entries):
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def admits(self, host: str, address: IPAddress) -> bool:
        """Whether this host, or this address, is exempt."""
        return host in self.hosts or any(address in network for network in self.networks)


def check_addresses(url: WebhookUrl, addresses: Iterable[IPAddress], allow: AllowList) -> IPAddress:
    """The address to connect to: the first one, when none of the host's addresses is refused.

    Every address must pass, not just the first: a name with one public and one internal address
    would otherwise reach the internal one whenever the resolver's order changes.
    """
    found = list(addresses)
    if not found:
        raise UrlRefused(f"host {url.host!r} has no address")
    for address in found:
        if allow.admits(url.host, address):
            continue
        reason = refusal(address)
        if reason is not None:
            shown = url.host if url.literal is not None else f"{url.host!r} resolves to {address}, which"
            raise UrlRefused(f"host {shown} {reason}")
    return found[0]
