"""The SSRF guard's pure half: hostile webhook URLs are refused, each for a reason that names it."""

from __future__ import annotations

import ipaddress

import pytest

from evwatch.config import WebhookSettings
from evwatch.domain.webhook_urls import AllowList, UrlRefused, parse_webhook_url, refusal
from evwatch.webhook_targets import TargetGuard

PUBLIC = ipaddress.ip_address("93.184.215.14")
# names a test resolver knows: what a hostile DNS zone could answer
ZONE = {
    "receiver.example": [PUBLIC],
    "rebind.example": [PUBLIC, ipaddress.ip_address("10.1.2.3")],
    "internal.example": [ipaddress.ip_address("192.168.0.10")],
    "v6loop.example": [ipaddress.ip_address("::1")],
    "mapped.example": [ipaddress.ip_address("::ffff:127.0.0.1")],
}


def _resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    if host not in ZONE:
        raise UrlRefused(f"host {host!r} does not resolve")
    return list(ZONE[host])


def guard(**overrides: object) -> TargetGuard:
    return TargetGuard(WebhookSettings(**overrides), _resolve)  # type: ignore[arg-type]


HOSTILE = [
    ("http://receiver.example/hook", "https"),
    ("ftp://receiver.example/hook", "https"),
    ("file:///etc/passwd", "https"),
    ("https://127.0.0.1/hook", "loopback"),
    ("https://localhost/hook", "internal name"),
    ("https://api.localhost/hook", "internal name"),
    ("https://169.254.169.254/latest/meta-data/", "metadata"),
    ("https://metadata.google.internal/computeMetadata/v1/", "internal name"),
    ("https://[fd00:ec2::254]/latest/meta-data/", "metadata"),
    ("https://10.0.0.1/hook", "private"),
    ("https://172.16.5.4/hook", "private"),
    ("https://192.168.1.1/hook", "private"),
    ("https://100.64.0.1/hook", "carrier-grade NAT"),
    ("https://0.0.0.0/hook", "unspecified"),
    ("https://[::]/hook", "unspecified"),
    ("https://[::1]/hook", "loopback"),
    ("https://[fe80::1]/hook", "link-local"),
    ("https://[fc00::1]/hook", "private"),
    ("https://224.0.0.1/hook", "multicast"),
    ("https://[ff02::1]/hook", "multicast"),
    ("https://240.0.0.1/hook", "private"),  # reserved 240/4: Python counts it as private
    ("https://[::ffff:127.0.0.1]/hook", "embeds 127.0.0.1"),
    ("https://[::ffff:169.254.169.254]/hook", "embeds 169.254.169.254"),
    ("https://[::127.0.0.1]/hook", "embeds 127.0.0.1"),
    ("https://[2002:7f00:1::]/hook", "embeds 127.0.0.1"),  # 6to4
    ("https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/hook", "embeds 10.0.0.1"),  # Teredo client
    ("https://[64:ff9b::a00:1]/hook", "embeds 10.0.0.1"),  # NAT64
    ("https://2130706433/hook", "loopback"),  # decimal 127.0.0.1
    ("https://0x7f000001/hook", "loopback"),  # hex
    ("https://0177.0.0.1/hook", "loopback"),  # octal
    ("https://0x7f.1/hook", "loopback"),  # short form
    ("https://127.1/hook", "loopback"),
    ("https://999.1.1.1/hook", "neither a host name nor an IPv4 address"),
    ("https://user:pw@receiver.example/hook", "credentials"),
    ("https://receiver.example@127.0.0.1/hook", "credentials"),
    ("https://[fe80::1%25eth0]/hook", "zone"),
    ("https://internal.example/hook", "resolves to 192.168.0.10"),
    ("https://rebind.example/hook", "resolves to 10.1.2.3"),  # one bad address is enough
    ("https://v6loop.example/hook", "loopback"),
    ("https://mapped.example/hook", "embeds 127.0.0.1"),
    ("https://nowhere.example/hook", "does not resolve"),
    ("https:///hook", "no host"),
    ("https://receiver.example:99999/hook", "not a valid URL"),
    ("https://receiver .example/hook", "whitespace"),
    ("https://receiver.example\\@127.0.0.1/", "backslash"),
    ("https://bad_name.example/hook", "not a valid host name"),
]


@pytest.mark.parametrize(("url", "reason"), HOSTILE, ids=[u for u, _ in HOSTILE])
def test_hostile_urls_are_refused_naming_why(url: str, reason: str) -> None:
    with pytest.raises(UrlRefused, match=reason.replace(".", r"\.").replace("*", r"\*")):
        guard().check(url)


def test_there_are_at_least_fifteen_hostile_urls() -> None:
    assert len(HOSTILE) >= 15


def test_a_public_https_receiver_is_checked_to_its_address() -> None:
    target = guard().check("https://Receiver.Example./hook?x=1")
    assert target.address == PUBLIC
    assert target.url.host == "receiver.example" and target.url.port == 443


def test_http_needs_the_switch_and_the_allow_list_admits_hosts_and_networks() -> None:
    local = guard(allow_http=True, allow_list=("127.0.0.1", "internal.example"))
    assert str(local.check("http://127.0.0.1:8080/hook").address) == "127.0.0.1"
    assert str(local.check("http://internal.example/hook").address) == "192.168.0.10"
    with pytest.raises(UrlRefused, match="private"):
        local.check("http://10.0.0.1/hook")
    networks = guard(allow_list=("10.0.0.0/8",))
    assert str(networks.check("https://10.9.8.7/").address) == "10.9.8.7"


def test_public_addresses_pass_and_embedded_public_ones_too() -> None:
    for text in ("93.184.215.14", "2606:2800:220:1:248:1893:25c8:1946", "::ffff:93.184.215.14"):
        assert refusal(ipaddress.ip_address(text)) is None, text


def test_the_allow_list_parses_hosts_and_networks() -> None:
    allow = AllowList.parse(["127.0.0.1", "hooks.corp.", "fd00::/8"])
    assert allow.admits("hooks.corp", PUBLIC)
    assert allow.admits("x", ipaddress.ip_address("fd00::5"))
    assert not allow.admits("x", PUBLIC)


def test_a_literal_url_keeps_its_parts() -> None:
    parsed = parse_webhook_url("https://[2606:2800::1]:8443/x", allow_http=False)
    assert parsed.port == 8443 and parsed.literal == ipaddress.ip_address("2606:2800::1")
