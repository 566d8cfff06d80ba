"""Bytewax keys: which state a stateful step keeps per entity (a session, a station) of a tenant."""

from __future__ import annotations

# A control character no real id carries, so `split_key` never splits inside an id.
_SEP = "\x1f"


def entity_key(tenant_id: str, entity_id: str) -> str:
    """The key of one tenant's session or station."""
    return f"{tenant_id}{_SEP}{entity_id}"


def split_key(key: str) -> tuple[str, str]:
    """(tenant_id, entity_id) of a key."""
    tenant_id, entity_id = key.split(_SEP, 1)
    return tenant_id, entity_id
