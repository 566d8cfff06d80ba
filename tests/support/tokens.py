"""Member tokens for tests, signed like `evwatch tokens issue` with the runtime's embedded secret."""

from __future__ import annotations

import uuid
from datetime import timedelta

from entrypoints.runtime import Runtime, token_secret
from evwatch.clock import utc_now
from evwatch.tokens import issue_token


def member_token(
    runtime: Runtime, tenant_id: str | None, role: str | None, *, user: str | None = None, hours: float = 1.0
) -> tuple[str, dict[str, str]]:
    """(user id, Authorization header) of a new member token; a fresh user unless `user` is given."""
    user_id = user or f"user-{uuid.uuid4().hex[:8]}"
    token = issue_token(
        runtime.settings.auth,
        token_secret(runtime.settings),
        subject=user_id,
        email=f"{user_id}@example.com",
        tenant_id=tenant_id,
        role=role,
        now=utc_now(),
        lifetime=timedelta(hours=hours),
    )
    return user_id, {"Authorization": f"Bearer {token}"}
