"""SQL for the tenant family: tenants and API keys."""

from __future__ import annotations

import time
from datetime import datetime

from clickhouse_connect.driver.client import Client

from evwatch.domain.api_keys import ApiKeyInfo, ApiKeyRecord, NewKey
from evwatch.storage.clickhouse import scalar

# `last_used_at` comes from api_key_usage (written apart, so it never races a revocation).
_INFO_COLUMNS = (
    "k.tenant_id, k.key_id, k.name, k.description, k.role, k.created_at, k.expires_at, u.last_used_at, k.revoked_at"
)


def _version() -> int:
    return time.time_ns()


class ClickHouseTenantStore:
    """SQL of the tenant family: tenants and API keys."""

    def __init__(self, client: Client) -> None:
        self._client = client

    def upsert_tenant(self, tenant_id: str, name: str, created_at: datetime) -> None:
        """Create or rename a tenant."""
        self._client.insert(
            "tenants",
            [[tenant_id, name, created_at, _version()]],
            column_names=["tenant_id", "name", "created_at", "version"],
        )

    def existing(self, tenant_ids: set[str]) -> set[str]:
        """The ids among `tenant_ids` that name a tenant."""
        if not tenant_ids:
            return set()
        rows = self._client.query(
            "SELECT DISTINCT tenant_id FROM tenants WHERE tenant_id IN {ids:Array(String)}",
            parameters={"ids": sorted(tenant_ids)},
        ).result_rows
        return {r[0] for r in rows}

    def list_tenants(self, offset: int, limit: int) -> tuple[list[tuple[str, str, datetime]], int]:
        """(tenant_id, name, created_at) of one page, oldest first, and how many tenants there are."""
        rows = self._client.query(
            "SELECT tenant_id, name, created_at FROM tenants FINAL ORDER BY created_at, tenant_id "
            "LIMIT {limit:UInt32} OFFSET {offset:UInt64}",
            parameters={"limit": limit, "offset": offset},
        ).result_rows
        total = scalar(self._client, "SELECT count() FROM tenants FINAL")
        return [(str(t), str(n), c) for t, n, c in rows], total

    def count_api_keys(self) -> int:
        """Number of API keys across all tenants (0 means a fresh database)."""
        return scalar(self._client, "SELECT count() FROM api_keys FINAL")

    def insert_api_key(
        self,
        tenant_id: str,
        key: NewKey,
        role: str,
        description: str | None,
        created_at: datetime,
        expires_at: datetime | None,
        name: str = "",
    ) -> None:
        """Store a new key (hash only)."""
        self._client.insert(
            "api_keys",
            [
                [
                    tenant_id,
                    key.key_id,
                    key.hash,
                    key.prefix,
                    name,
                    role,
                    description,
                    created_at,
                    expires_at,
                    None,
                    None,
                    _version(),
                ]
            ],
            column_names=[
                "tenant_id",
                "key_id",
                "key_hash",
                "key_prefix",
                "name",
                "role",
                "description",
                "created_at",
                "expires_at",
                "last_used_at",
                "revoked_at",
                "version",
            ],
        )

    def list_api_keys(self, tenant_id: str) -> list[ApiKeyInfo]:
        """Every key of the tenant, revoked ones included, newest first."""
        rows = self._client.query(
            f"SELECT {_INFO_COLUMNS} FROM api_keys AS k FINAL "
            "LEFT JOIN (SELECT key_id, max(last_used_at) AS last_used_at FROM api_key_usage "
            "WHERE tenant_id = {t:String} GROUP BY key_id) AS u ON k.key_id = u.key_id "
            "WHERE k.tenant_id = {t:String} ORDER BY k.created_at DESC, k.key_id",
            parameters={"t": tenant_id},
            settings={"join_use_nulls": 1},
        ).result_rows
        return [ApiKeyInfo(*row) for row in rows]

    def record_key_usage(self, uses: list[tuple[str, str, datetime]]) -> None:
        """(tenant_id, key_id, last used) of keys used since the last call; the latest time wins."""
        if uses:
            self._client.insert("api_key_usage", uses, column_names=["tenant_id", "key_id", "last_used_at"])

    def revoke_api_key(self, tenant_id: str, key_id: str, at: datetime) -> bool:
        """Mark the key revoked (once; a revoked key keeps its first `revoked_at`); False if the tenant has no such key."""
        self._client.command(
            "INSERT INTO api_keys (tenant_id, key_id, key_hash, key_prefix, name, role, description, created_at, "
            "expires_at, last_used_at, revoked_at, version) "
            "SELECT tenant_id, key_id, key_hash, key_prefix, name, role, description, created_at, expires_at, "
            "last_used_at, {at:DateTime64(3, 'UTC')}, {v:UInt64} FROM api_keys FINAL "
            "WHERE tenant_id = {t:String} AND key_id = {k:String} AND revoked_at IS NULL",
            parameters={"t": tenant_id, "k": key_id, "at": at, "v": _version()},
        )
        return bool(
            scalar(
                self._client,
                "SELECT count() FROM api_keys FINAL WHERE tenant_id = {t:String} AND key_id = {k:String}",
                {"t": tenant_id, "k": key_id},
            )
        )

    def find_api_key(self, key_hash: str) -> ApiKeyRecord | None:
        """The key with this hash, whatever its tenant, or None."""
        rows = self._client.query(
            "SELECT tenant_id, key_id, role, expires_at, revoked_at FROM api_keys FINAL "
            "WHERE key_hash = {h:String} LIMIT 1",
            parameters={"h": key_hash},
        ).result_rows
        if not rows:
            return None
        tenant_id, key_id, role, expires_at, revoked_at = rows[0]
        return ApiKeyRecord(tenant_id, key_id, role, expires_at, revoked_at)
