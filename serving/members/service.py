"""A tenant's members: listed for everyone in it, removed by admins, never the last admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from evwatch.clock import utc_now
from evwatch.domain.errors import Conflict, NotFound
from evwatch.domain.members import ACTIVE, MemberRecord, is_last_admin
from serving.members.directory import MemberDirectory
from serving.members.schemas import ListMembersResponse, Member


class MemberAdminStore(Protocol):
    """`evwatch.storage.members.ClickHouseMemberStore`."""

    def find(self, tenant_id: str, user_id: str) -> MemberRecord | None: ...

    def list_active(self, tenant_id: str) -> list[MemberRecord]: ...

    def remove(self, tenant_id: str, user_id: str, at: datetime, by: str) -> None: ...


class MemberService:
    """The member use cases."""

    def __init__(
        self, store: MemberAdminStore, directory: MemberDirectory, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._store = store
        self._directory = directory
        self._clock = clock

    def list_members(self, tenant_id: str) -> ListMembersResponse:
        """Active members in the order they joined (no invitations exist, so none are pending)."""
        return ListMembersResponse(
            members=[
                Member(user_id=m.user_id, email=m.email, role=m.role, status=ACTIVE, joined_at=m.joined_at)
                for m in self._store.list_active(tenant_id)
            ]
        )

    def remove(self, tenant_id: str, user_id: str, by: str) -> None:
        """Take the member out; their tokens are refused from then on. Idempotent; 409 for the last admin."""
        member = self._store.find(tenant_id, user_id)
        if member is None:
            raise NotFound(f"Member {user_id!r} not found.")
        if not member.active:
            return
        if is_last_admin(self._store.list_active(tenant_id), user_id):
            raise Conflict(f"Member {user_id!r} is the tenant's last admin; make another member admin first.")
        self._store.remove(tenant_id, user_id, self._clock(), by)
        self._directory.forget(tenant_id, user_id)
