"""Members: people of a tenant, known from their tokens (recorded on first use), removable by admins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from evwatch.domain.roles import ADMIN_ROLES

# A member's status in the contract; `pending` is for invitations, which this version does not send.
ACTIVE = "active"


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """One person in one tenant. A removed member stays recorded so that their tokens stay refused."""

    tenant_id: str
    user_id: str
    email: str
    role: str
    joined_at: datetime
    removed_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Not removed."""
        return self.removed_at is None


def is_last_admin(members: Iterable[MemberRecord], user_id: str) -> bool:
    """Whether removing `user_id` would leave the tenant without an active admin member."""
    admins = {m.user_id for m in members if m.active and m.role in ADMIN_ROLES}
    return admins == {user_id}
