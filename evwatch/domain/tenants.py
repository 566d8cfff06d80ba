"""Tenant ids: chosen by evwatch, readable, never guessable from another tenant's."""

from __future__ import annotations

import re
import secrets

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def tenant_id_for(name: str, suffix: str) -> str:
    """A readable, unique id: the name as a slug (at most 40 characters) plus a random suffix."""
    slug = _NOT_SLUG.sub("-", name.lower()).strip("-")[:40].strip("-") or "tenant"
    return f"{slug}-{suffix}"


def new_tenant_id(name: str) -> str:
    """A fresh id for a tenant called `name`."""
    return tenant_id_for(name, secrets.token_hex(4))
