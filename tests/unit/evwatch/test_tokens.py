"""Member tokens in the embedded HS256 mode: what is accepted, and every way a token is refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from evwatch.config import AuthSettings
from evwatch.tokens import Claims, InvalidToken, TokenVerifier, issue_token, looks_like_jwt

SETTINGS = AuthSettings(leeway_s=0)
SECRET = "s" * 43
NOW = datetime.now(UTC)


def _token(**overrides: object) -> str:
    claims: dict[str, object] = {
        "iss": SETTINGS.issuer,
        "aud": SETTINGS.audience,
        "sub": "u1",
        "email": "ada@example.com",
        "tenant_id": "acme",
        "role": "admin",
        "iat": int(NOW.timestamp()),
        "nbf": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(days=1)).timestamp()),
    }
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, SECRET, algorithm="HS256")


def _b64(part: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


@pytest.fixture
def verifier() -> TokenVerifier:
    return TokenVerifier(SETTINGS, SECRET)


def test_a_token_from_the_cli_helper_is_read_back(verifier: TokenVerifier) -> None:
    token = issue_token(
        SETTINGS,
        SECRET,
        subject="u1",
        email="a@b.c",
        tenant_id="acme",
        role="member",
        now=NOW,
        lifetime=timedelta(hours=1),
    )
    assert looks_like_jwt(token) and not looks_like_jwt("evw_abc")
    assert verifier.verify(token) == Claims("u1", "a@b.c", "acme", "member")
    signup = issue_token(
        SETTINGS, SECRET, subject="u2", email="b@b.c", tenant_id=None, role=None, now=NOW, lifetime=timedelta(hours=1)
    )
    assert verifier.verify(signup) == Claims("u2", "b@b.c", None, None)


@pytest.mark.parametrize(
    ("why", "token"),
    [
        ("expired", _token(exp=int((NOW - timedelta(days=1)).timestamp()))),
        # a day off, so that the suite's own duration never turns the case around
        ("not yet valid", _token(nbf=int((NOW + timedelta(days=1)).timestamp()))),
        ("wrong audience", _token(aud="someone-else")),
        ("wrong issuer", _token(iss="https://evil.example")),
        ("no expiry", _token(exp=None)),
        ("no subject", _token(sub=None)),
        ("no email", _token(email=None)),
        ("unknown role", _token(role="emperor")),
        ("wrong signature", _token().rsplit(".", 1)[0] + "." + _token(sub="u2").rsplit(".", 1)[1]),
        ("another secret", jwt.encode(jwt.decode(_token(), options={"verify_signature": False}), "x" * 43, "HS256")),
        ("alg none", _b64({"alg": "none", "typ": "JWT"}) + "." + _b64({"sub": "u1", "email": "a@b.c"}) + "."),
        ("garbage", "a.b.c"),
        ("too long", _token(email="a@b.c", pad="x" * 9000)),
    ],
)
def test_refused(verifier: TokenVerifier, why: str, token: str) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_a_tampered_payload_breaks_the_signature(verifier: TokenVerifier) -> None:
    header, _, signature = _token().split(".")
    forged = _b64(
        {
            "iss": SETTINGS.issuer,
            "aud": SETTINGS.audience,
            "sub": "u1",
            "email": "a@b.c",
            "role": "super_admin",
            "exp": 2**31,
        }
    )
    with pytest.raises(InvalidToken):
        verifier.verify(f"{header}.{forged}.{signature}")


def test_a_verifier_needs_a_key_source() -> None:
    with pytest.raises(ValueError, match="JWKS URL or an HS256 secret"):
        TokenVerifier(SETTINGS, None)
