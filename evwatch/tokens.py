"""Member tokens (JWT): verified with PyJWT against an OIDC issuer's JWKS or an embedded HS256 secret.

Signature, `exp`, `nbf`, `iss` and `aud` are checked by PyJWT; only the algorithms of the configured
mode are accepted, so `alg: none` and an HS256 token signed with a published RSA key both fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from evwatch.config import AuthSettings
from evwatch.domain.roles import ROLES

_EMBEDDED_ALGORITHMS = ["HS256"]
_JWKS_ALGORITHMS = ["RS256", "ES256"]
_REQUIRED = ["exp", "iss", "aud", "sub"]
# Generous enough for any IdP, small enough that a token is never mistaken for a body.
_MAX_TOKEN_CHARS = 8192


class InvalidToken(Exception):
    """The token is not one evwatch accepts; the message says why (for logs, never for the caller)."""


@dataclass(frozen=True, slots=True)
class Claims:
    """What evwatch reads from a verified token: who, and (once provisioned) which tenant with which role."""

    subject: str
    email: str
    tenant_id: str | None
    role: str | None


def looks_like_jwt(token: str) -> bool:
    """Three dot-separated parts: the compact JWS form (API keys have none)."""
    return token.count(".") == 2


class TokenVerifier:
    """Verifies member tokens for the configured mode; one instance per process (it caches the JWKS)."""

    def __init__(self, settings: AuthSettings, secret: str | None) -> None:
        self._settings = settings
        self._jwks = (
            jwt.PyJWKClient(
                settings.jwks_url,
                cache_jwk_set=True,
                lifespan=settings.jwks_cache_s,
                cooldown_duration=settings.jwks_cooldown_s,
                timeout=5,
            )
            if settings.jwks_url
            else None
        )
        if self._jwks is None and not secret:
            msg = "member tokens need a JWKS URL or an HS256 secret"
            raise ValueError(msg)
        self._secret = secret

    def verify(self, token: str) -> Claims:
        """The token's claims, or InvalidToken."""
        if len(token) > _MAX_TOKEN_CHARS:
            raise InvalidToken("token too long")
        try:
            if self._jwks is not None:
                key: Any = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = _JWKS_ALGORITHMS
            else:
                key, algorithms = self._secret, _EMBEDDED_ALGORITHMS
            payload = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_s,
                options={"require": _REQUIRED},
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise InvalidToken(f"{type(exc).__name__}: {exc}") from exc
        return _claims(payload)


def _text(payload: dict[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > 320:
        raise InvalidToken(f"claim {name!r} must be a non-empty string of at most 320 characters")
    return value


def _claims(payload: dict[str, Any]) -> Claims:
    subject, email = _text(payload, "sub"), _text(payload, "email")
    if subject is None or email is None:
        raise InvalidToken("the token needs the claims 'sub' and 'email'")
    role = _text(payload, "role")
    if role is not None and role not in ROLES:
        raise InvalidToken(f"unknown role {role!r}")
    return Claims(subject, email, _text(payload, "tenant_id"), role)


def issue_token(
    settings: AuthSettings,
    secret: str,
    *,
    subject: str,
    email: str,
    tenant_id: str | None,
    role: str | None,
    now: datetime,
    lifetime: timedelta,
) -> str:
    """An HS256 member token as the embedded mode verifies it (for `evwatch tokens issue` and tests)."""
    claims: dict[str, Any] = {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": subject,
        "email": email,
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    if tenant_id is not None:
        claims["tenant_id"] = tenant_id
    if role is not None:
        claims["role"] = role
    return jwt.encode(claims, secret, algorithm="HS256")
