"""Roles, least to most privileged, shared by API keys and members.

`member` works with the tenant's data; `admin` runs a tenant (keys, members, organization,
webhooks); `super_admin` operates evwatch itself (tenants). The contract's "admin only" admits
`admin` and `super_admin`.
"""

from __future__ import annotations

MEMBER, ADMIN, SUPER_ADMIN = "member", "admin", "super_admin"
ROLES = (MEMBER, ADMIN, SUPER_ADMIN)
ADMIN_ROLES = frozenset({ADMIN, SUPER_ADMIN})
