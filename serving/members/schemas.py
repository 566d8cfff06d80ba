"""Bodies of `/v1/members`, as the contract names them."""

from __future__ import annotations

from datetime import datetime

import msgspec


class Member(msgspec.Struct, rename="camel", omit_defaults=True):
    """A member of the tenant (invitations are not sent by this version, so none is `pending`; their fields are omitted)."""

    user_id: str | None
    email: str
    role: str
    status: str
    joined_at: datetime | None = None
    invited_at: datetime | None = None
    expires_at: datetime | None = None
    invited_by: str | None = None
    invitation_id: str | None = None


class ListMembersResponse(msgspec.Struct, rename="camel"):
    """The tenant's members, in the order they joined."""

    members: list[Member]
