"""Who may call what: every /v1 route declares its access policy; the caller dependency enforces it.

A route says `opt=allow(ADMINS)`; `serving.auth.provide_caller` resolves the key (before any body is
read) and then refuses a role outside the route's policy with 403. A route without a policy is
refused for everyone, so a new endpoint cannot ship open by mistake; `docs/roles.md` is the matrix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.exceptions import PermissionDeniedException

from evwatch.domain.api_keys import ADMIN, ROLES, SUPER_ADMIN

Policy = frozenset[str]

EVERY_ROLE: Policy = frozenset(ROLES)
# The contract's "admin only": the tenant's admins and evwatch's operators.
ADMINS: Policy = frozenset({ADMIN, SUPER_ADMIN})
SUPER_ADMINS: Policy = frozenset({SUPER_ADMIN})

_POLICY = "access_policy"


def allow(policy: Policy) -> dict[str, Any]:
    """A route's `opt`: the roles that may call it."""
    return {_POLICY: policy}


def declared_policy(opt: Mapping[str, Any]) -> Policy | None:
    """The policy a route declared, or None."""
    policy = opt.get(_POLICY)
    return policy if isinstance(policy, frozenset) else None


def enforce(role: str, opt: Mapping[str, Any]) -> None:
    """403 unless the route declares a policy that admits this role."""
    policy = declared_policy(opt)
    if policy is None:
        raise PermissionDeniedException("No access policy is declared for this operation.")
    if role not in policy:
        allowed = ", ".join(r for r in ROLES if r in policy)
        raise PermissionDeniedException(f"This operation needs the role {allowed}; this key has {role}.")
