"""An attempt connects to the checked address, never to a fresh lookup of the name, while the
request still names the URL's host: in `Host`, and for https in the TLS server name and certificate check."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from evwatch.domain.webhook_urls import parse_webhook_url
from evwatch.domain.webhooks import MAX_RESPONSE_BYTES, Attempt
from evwatch.webhook_http import post
from evwatch.webhook_targets import Target

# a name no resolver knows: reaching the server proves the name was never looked up
NAME = "receiver.invalid-tld-for-tests"
LOOPBACK = ipaddress.ip_address("127.0.0.1")


class _Handler(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []
    status = 200
    body = b"ok"

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("content-length", "0")))
        _Handler.seen.append((self.path, self.headers.get("host", "")))
        self.send_response(_Handler.status)
        self.send_header("location", "http://127.0.0.1:1/elsewhere")
        self.end_headers()
        self.wfile.write(_Handler.body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass


@contextmanager
def _server(context: ssl.SSLContext | None = None) -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _target(url: str) -> Target:
    return Target(parse_webhook_url(url, allow_http=True), LOOPBACK)


def test_plain_http_goes_to_the_checked_address_with_the_urls_host() -> None:
    _Handler.seen, _Handler.status, _Handler.body = [], 200, b"x" * (MAX_RESPONSE_BYTES * 3)
    with _server() as port:
        outcome = post(_target(f"http://{NAME}:{port}/hook?a=1"), {"webhook-id": "m"}, b"{}", 5.0)
    assert outcome.http_status == 200 and outcome.error == ""
    assert len(outcome.response_body) == MAX_RESPONSE_BYTES
    assert _Handler.seen == [("/hook?a=1", f"{NAME}:{port}")]


def test_redirects_are_not_followed_and_count_as_failures() -> None:
    _Handler.seen, _Handler.status, _Handler.body = [], 302, b""
    with _server() as port:
        outcome = post(_target(f"http://{NAME}:{port}/hook"), {}, b"{}", 5.0)
    assert outcome.http_status == 302 and len(_Handler.seen) == 1
    attempt = Attempt("t", "w", "d", 1, dt.datetime.now(dt.UTC), outcome.http_status, 1, "", "")
    assert not attempt.succeeded


def test_nothing_listening_is_an_error_not_an_exception() -> None:
    outcome = post(_target(f"http://{NAME}:9/hook"), {}, b"{}", 2.0)
    assert outcome.http_status is None and "ConnectError" in outcome.error


def _certificate(tmp: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def test_https_names_the_urls_host_in_sni_and_checks_the_certificate_against_it(tmp_path: Path) -> None:
    cert, key = _certificate(tmp_path)
    server_names: list[str | None] = []
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    server_context.sni_callback = lambda _sock, name, _ctx: server_names.append(name)  # type: ignore[assignment,misc,return-value]
    trusting = ssl.create_default_context(cafile=str(cert))
    _Handler.seen, _Handler.status, _Handler.body = [], 204, b""
    with _server(server_context) as port:
        outcome = post(_target(f"https://{NAME}:{port}/tls"), {}, b"{}", 5.0, ssl_context=trusting)
        assert outcome.http_status == 204, outcome.error
        assert server_names == [NAME]
        assert _Handler.seen == [("/tls", f"{NAME}:{port}")]
        # the same server under another name: the certificate does not match, so no request is made
        other = Target(parse_webhook_url(f"https://other.example:{port}/tls", allow_http=False), LOOPBACK)
        refused = post(other, {}, b"{}", 5.0, ssl_context=trusting)
    assert refused.http_status is None and "certificate" in refused.error.lower()
    assert len(_Handler.seen) == 1
