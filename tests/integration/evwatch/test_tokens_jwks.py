"""Member tokens against a real JWKS served over HTTP, with the issuer rotating its keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from evwatch.config import AuthSettings
from evwatch.tokens import InvalidToken, TokenVerifier


class Issuer:
    """An OIDC-like issuer: signing keys by `kid`, of which the JWKS publishes the current ones."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.published: list[str] = []
        self.fetches = 0

    def add(self, kid: str, key: Any) -> None:
        self.keys[kid] = key
        self.published.append(kid)

    def jwks(self) -> bytes:
        self.fetches += 1
        entries = []
        for kid in self.published:
            public = self.keys[kid].public_key()
            algorithm = RSAAlgorithm if isinstance(public, rsa.RSAPublicKey) else ECAlgorithm
            entries.append({**json.loads(algorithm.to_jwk(public)), "kid": kid, "use": "sig"})
        return json.dumps({"keys": entries}).encode()

    def token(self, kid: str, *, alg: str = "RS256", **claims: Any) -> str:
        now = datetime.now(UTC)
        payload = {
            "iss": "https://id.example",
            "aud": "evwatch-api",
            "sub": "u1",
            "email": "ada@example.com",
            "tenant_id": "acme",
            "role": "member",
            "exp": int((now + timedelta(minutes=5)).timestamp()),
            "nbf": int(now.timestamp()),
            **claims,
        }
        return jwt.encode(payload, self.keys[kid], algorithm=alg, headers={"kid": kid})


@pytest.fixture
def issuer() -> Iterator[tuple[Issuer, str]]:
    issuer = Issuer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = issuer.jwks()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer, f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def _verifier(url: str, cache_s: float = 300.0) -> TokenVerifier:
    settings = AuthSettings(jwks_url=url, issuer="https://id.example", jwks_cache_s=cache_s, jwks_cooldown_s=0.0)
    return TokenVerifier(settings, None)


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_keys_are_fetched_once_and_a_rotation_is_picked_up(issuer: tuple[Issuer, str]) -> None:
    idp, url = issuer
    idp.add("k1", _rsa())
    verifier = _verifier(url)
    assert verifier.verify(idp.token("k1")).tenant_id == "acme"
    verifier.verify(idp.token("k1", sub="u2"))
    assert idp.fetches == 1  # cached

    idp.add("k2", ec.generate_private_key(ec.SECP256R1()))  # the issuer rotates, to an EC key
    assert verifier.verify(idp.token("k2", alg="ES256")).subject == "u1"  # unknown kid: one refetch
    assert idp.fetches == 2


def test_a_retired_key_stops_working_when_the_cache_expires(issuer: tuple[Issuer, str]) -> None:
    idp, url = issuer
    idp.add("old", _rsa())
    idp.add("new", _rsa())
    verifier = _verifier(url, cache_s=0.2)
    old = idp.token("old")
    assert verifier.verify(old).subject == "u1"
    idp.published.remove("old")
    threading.Event().wait(0.3)
    with pytest.raises(InvalidToken):
        verifier.verify(old)
    assert verifier.verify(idp.token("new")).subject == "u1"


def _hs256_signed_with(secret: bytes, claims: dict[str, Any]) -> str:
    """What PyJWT refuses to make: an HS256 token keyed with a public key (algorithm confusion)."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = (
        b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode()) + "." + b64(json.dumps(claims).encode())
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def _accepted(verifier: TokenVerifier, token: str) -> bool:
    try:
        verifier.verify(token)
    except InvalidToken:
        return False
    return True


def test_forged_tokens_are_refused(issuer: tuple[Issuer, str]) -> None:
    idp, url = issuer
    idp.add("k1", _rsa())
    verifier = _verifier(url)
    stranger = Issuer()
    stranger.add("k1", _rsa())  # same kid, someone else's key
    stranger.add("k9", _rsa())  # a kid the issuer never published
    public_pem = idp.keys["k1"].public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    claims = {"iss": "https://id.example", "aud": "evwatch-api", "sub": "u1", "email": "a@b.c", "exp": 2**31}
    expired = int((datetime.now(UTC) - timedelta(minutes=5)).timestamp())
    forged = {
        "wrong signature": stranger.token("k1"),
        "unknown kid": stranger.token("k9"),
        "wrong audience": idp.token("k1", aud="another-api"),
        "expired": idp.token("k1", exp=expired),
        "alg none": jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"}),
        "HS256 keyed with the public key": _hs256_signed_with(public_pem, claims),
    }
    assert [why for why, token in forged.items() if _accepted(verifier, token)] == []
    assert verifier.verify(idp.token("k1")).subject == "u1"
