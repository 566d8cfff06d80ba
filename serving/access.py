"""Who may call what: every /v1 route declares its access policy; the caller dependency enforces it.

A route says `opt=allow(ADMINS)`; `serving.auth.provide_principal` resolves the token (before any
body is read) and then refuses a role outside the route's policy with 403. A member token that
belongs to no tenant yet (open signup) is admitted only where a route says `tenantless=True`. A route without a policy is
refused for everyone, so a new endpoint cannot ship open by mistake; `docs/roles.md` is the matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.exceptions import PermissionDeniedException

from evwatch.domain.roles import ADMIN_ROLES, ROLES, SUPER_ADMIN

Policy = frozenset[str]

EVERY_ROLE: Policy = frozenset(ROLES)
# The contract's "admin only": the tenant's admins and evwatch's operators.
ADMINS: Policy = ADMIN_ROLES
SUPER_ADMINS: Policy = frozenset({SUPER_ADMIN})

_POLICY = "access_policy"
_TENANTLESS = "access_tenantless"
NO_TENANT = "This token belongs to no tenant yet: create your organization with PUT /v1/organization first."


def allow(policy: Policy, *, tenantless: bool = False) -> dict[str, Any]:
    """A route's `opt`: the roles that may call it, and whether a signed-up user without a tenant may."""
    return {_POLICY: policy, _TENANTLESS: tenantless}


def declared_policy(opt: Mapping[str, Any]) -> Policy | None:
    """The policy a route declared, or None."""
    policy = opt.get(_POLICY)
    return policy if isinstance(policy, frozenset) else None


def admits_tenantless(opt: Mapping[str, Any]) -> bool:
    """Whether the route serves a signed-up user who has no tenant yet."""
    return opt.get(_TENANTLESS) is True


def enforce(role: str | None, has_tenant: bool, opt: Mapping[str, Any]) -> None:
    """403 unless the route declares a policy that admits this role (or this tenantless user)."""
    policy = declared_policy(opt)
    if policy is None:
        raise PermissionDeniedException("No access policy is declared for this operation.")
    if not has_tenant or role is None:
        if not admits_tenantless(opt):
            raise PermissionDeniedException(NO_TENANT)
        return
    if role not in policy:
        allowed = ", ".join(r for r in ROLES if r in policy)
        raise PermissionDeniedException(f"This operation needs the role {allowed}; this key has {role}.")
