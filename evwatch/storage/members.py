"""SQL for members: who belongs to which tenant, with which role, and who was removed."""

from __future__ import annotations

import time
from datetime import datetime

from clickhouse_connect.driver.client import Client

from evwatch.domain.members import MemberRecord

# A member row joined with its removal, if any (ClickHouse fills a missing Nullable with NULL).
_SELECT = (
    "SELECT m.tenant_id, m.user_id, m.email, m.role, m.joined_at, r.removed_at FROM members AS m FINAL "
    "LEFT JOIN (SELECT tenant_id, user_id, removed_at FROM member_removals FINAL) AS r "
    "ON m.tenant_id = r.tenant_id AND m.user_id = r.user_id "
)


class ClickHouseMemberStore:
    """Members and their removals."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def _query(self, where: str, parameters: dict[str, object]) -> list[MemberRecord]:
        rows = self._client.query(_SELECT + where, parameters=parameters, settings={"join_use_nulls": 1}).result_rows
        return [MemberRecord(*row) for row in rows]

    def find(self, tenant_id: str, user_id: str) -> MemberRecord | None:
        """The member, removed or not, or None if this user never came to this tenant."""
        found = self._query("WHERE m.tenant_id = {t:String} AND m.user_id = {u:String}", {"t": tenant_id, "u": user_id})
        return found[0] if found else None

    def home_of(self, user_id: str) -> MemberRecord | None:
        """The active membership of a user whose token names no tenant (open signup), earliest first."""
        found = self._query(
            "WHERE m.user_id = {u:String} AND r.removed_at IS NULL ORDER BY m.joined_at, m.tenant_id LIMIT 1",
            {"u": user_id},
        )
        return found[0] if found else None

    def list_active(self, tenant_id: str) -> list[MemberRecord]:
        """The tenant's members who were not removed, in the order they joined."""
        return self._query(
            "WHERE m.tenant_id = {t:String} AND r.removed_at IS NULL ORDER BY m.joined_at, m.user_id",
            {"t": tenant_id},
        )

    def record(self, member: MemberRecord) -> None:
        """Add the member, or change its email or role (a removal is kept apart and stays)."""
        self._client.insert(
            "members",
            [[member.tenant_id, member.user_id, member.email, member.role, member.joined_at, time.time_ns()]],
            column_names=["tenant_id", "user_id", "email", "role", "joined_at", "version"],
        )

    def remove(self, tenant_id: str, user_id: str, at: datetime, by: str) -> None:
        """Mark the member removed; their tokens are refused from then on."""
        self._client.insert(
            "member_removals",
            [[tenant_id, user_id, at, by]],
            column_names=["tenant_id", "user_id", "removed_at", "removed_by"],
        )
