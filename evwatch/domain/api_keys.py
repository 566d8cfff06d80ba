"""API key material: generation and hashing (keys are shown once and stored hashed)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

KEY_PREFIX = "evw_"


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly generated key: `plain` is returned to the caller once and never stored."""

    key_id: str
    plain: str
    hash: str
    prefix: str


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    """A stored key as the auth layer sees it."""

    tenant_id: str
    key_id: str
    role: str
    expires_at: datetime | None
    revoked_at: datetime | None


def hash_key(plain: str) -> str:
    """SHA-256 hex digest; keys carry 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(plain.encode()).hexdigest()


def generate_key() -> NewKey:
    """A new random key with its id, hash and display prefix."""
    plain = KEY_PREFIX + secrets.token_urlsafe(32)
    return NewKey(key_id=secrets.token_hex(8), plain=plain, hash=hash_key(plain), prefix=plain[:10])


def is_usable(record: ApiKeyRecord, now: datetime) -> bool:
    """Neither revoked nor expired."""
    return record.revoked_at is None and (record.expires_at is None or record.expires_at > now)


@dataclass(frozen=True, slots=True)
class ApiKeyInfo:
    """A stored key as its tenant's admins see it (never its value)."""

    tenant_id: str
    key_id: str
    name: str
    description: str | None
    role: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
