"""The tenant's organization, and open signup: a user without a tenant creates one by creating it.

Order matters for crash safety. Signup writes the tenant, then the user's admin membership (from
then on the user's token acts in the new tenant), then billing, then the organization; billing is
provisioned whenever an organization is created and is skipped where it exists. A crash at any
step leaves a state the same PUT, retried, completes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from evwatch.clock import utc_now
from evwatch.domain.errors import Forbidden, NotFound
from evwatch.domain.members import MemberRecord
from evwatch.domain.organizations import OrganizationRecord
from evwatch.domain.roles import ADMIN
from evwatch.domain.tenants import new_tenant_id
from serving.auth import Principal
from serving.members.directory import MemberDirectory
from serving.organization.schemas import Organization, UpdateOrganizationRequest

_NONE_YET = "This tenant has no organization yet; create it with PUT /v1/organization."


class OrganizationStore(Protocol):
    """`evwatch.storage.organizations.ClickHouseOrganizationStore`."""

    def find(self, tenant_id: str) -> OrganizationRecord | None: ...

    def save(self, organization: OrganizationRecord) -> None: ...

    def provision_billing(self, tenant_id: str, billing_email: str, at: datetime) -> None: ...


class TenantRegistry(Protocol):
    """`evwatch.storage.tenants.ClickHouseTenantStore`."""

    def upsert_tenant(self, tenant_id: str, name: str, created_at: datetime) -> None: ...


def _view(record: OrganizationRecord) -> Organization:
    return Organization(
        id=record.organization_id,
        tenant_id=record.tenant_id,
        name=record.name,
        phone=record.phone,
        address=record.address,
        tax_id_type=record.tax_id_type,
        tax_id_value=record.tax_id_value,
        created_at=record.created_at,
        updated_at=record.updated_at,
    )


class OrganizationService:
    """Get, create or replace the organization; provision a tenant for open signup."""

    def __init__(
        self,
        store: OrganizationStore,
        tenants: TenantRegistry,
        directory: MemberDirectory,
        open_signup: bool,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._store = store
        self._tenants = tenants
        self._directory = directory
        self._open_signup = open_signup
        self._clock = clock

    def get(self, principal: Principal) -> Organization:
        """The tenant's organization; 404 until one exists (always for a user without a tenant)."""
        record = None if principal.tenant_id is None else self._store.find(principal.tenant_id)
        if record is None:
            raise NotFound(_NONE_YET)
        return _view(record)

    def put(self, principal: Principal, body: UpdateOrganizationRequest) -> Organization:
        """Create or replace the record; for a signed-up user without a tenant, provision one first."""
        tenant_id = principal.tenant_id if principal.tenant_id is not None else self._sign_up(principal, body.name)
        now = self._clock()
        existing = self._store.find(tenant_id)
        if existing is None:
            self._store.provision_billing(tenant_id, principal.email or "", now)
        record = OrganizationRecord(
            tenant_id=tenant_id,
            organization_id=existing.organization_id if existing else f"org_{secrets.token_hex(8)}",
            name=body.name,
            phone=body.phone,
            address=body.address,
            tax_id_type=body.tax_id_type,
            tax_id_value=body.tax_id_value,
            created_at=existing.created_at if existing else now,
            updated_at=now if existing else None,
        )
        self._store.save(record)
        return _view(record)

    def _sign_up(self, principal: Principal, name: str) -> str:
        if not self._open_signup or principal.user_id is None or principal.email is None:
            raise Forbidden("Open signup is disabled: ask an evwatch operator for a tenant.")
        tenant_id = new_tenant_id(name)
        now = self._clock()
        self._tenants.upsert_tenant(tenant_id, name, now)
        self._directory.remember(MemberRecord(tenant_id, principal.user_id, principal.email, ADMIN, now))
        return tenant_id
