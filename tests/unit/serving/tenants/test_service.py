"""Tenant ids chosen by the server; the first key is an admin key, stored hashed, shown once."""

from __future__ import annotations

from datetime import UTC, datetime

from evwatch.domain.api_keys import NewKey, hash_key
from evwatch.domain.roles import ADMIN
from evwatch.domain.tenants import tenant_id_for
from serving.pagination import Page
from serving.tenants.service import TenantService

T0 = datetime(2026, 12, 2, tzinfo=UTC)


class _Store:
    def __init__(self) -> None:
        self.tenants: list[tuple[str, str, datetime]] = []
        self.keys: list[tuple[str, NewKey, str]] = []

    def upsert_tenant(self, tenant_id: str, name: str, created_at: datetime) -> None:
        self.tenants.append((tenant_id, name, created_at))

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
        self.keys.append((tenant_id, key, role))

    def list_tenants(self, offset: int, limit: int) -> tuple[list[tuple[str, str, datetime]], int]:
        return self.tenants[offset : offset + limit], len(self.tenants)


def test_ids_are_slugs_of_the_name_with_a_suffix() -> None:
    assert tenant_id_for("Acme Charging GmbH & Co.", "ab12") == "acme-charging-gmbh-co-ab12"
    assert tenant_id_for("⚡⚡", "ab12") == "tenant-ab12"
    assert len(tenant_id_for("x" * 500, "ab12")) == 45


def test_a_new_tenant_gets_one_admin_key_whose_plain_value_is_only_in_the_answer() -> None:
    store = _Store()
    created = TenantService(store, clock=lambda: T0).create("Acme")
    ((tenant_id, key, role),) = store.keys
    assert (tenant_id, role) == (created.tenant_id, ADMIN) and store.tenants == [(created.tenant_id, "Acme", T0)]
    assert key.hash == hash_key(created.api_key) and created.created_at == T0


def test_lists_are_paged() -> None:
    store = _Store()
    service = TenantService(store, clock=lambda: T0)
    for name in ("a", "b", "c"):
        service.create(name)
    page = service.list_tenants(Page(1, 2))
    assert [t.name for t in page.content] == ["c"] and page.pagination.total_count == 3
