"""`/v1/admin/tenants`: HTTP in, the tenant service, HTTP out (super_admin only)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from serving.access import SUPER_ADMINS, allow
from serving.auth import Caller
from serving.errors import ERROR_RESPONSES
from serving.json_body import JsonBody
from serving.pagination import Page
from serving.tenants.schemas import CreatedTenant, CreateTenantRequest, ListTenantsResponse
from serving.tenants.service import TenantService


class TenantController(Controller):
    """Create and list tenants: an extension beside the `/v1` contract, for evwatch's operators."""

    path = "/v1/admin/tenants"
    tags = ["Admin"]

    @post(
        "/",
        operation_id="create_tenant",
        opt=allow(SUPER_ADMINS),
        summary="Create Tenant",
        status_code=201,
        dto=JsonBody[CreateTenantRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def create_tenant(
        self,
        caller: NamedDependency[Caller],
        tenants: NamedDependency[TenantService],
        data: JSONBody[CreateTenantRequest],
    ) -> CreatedTenant:
        """A new tenant with its first `admin` API key, shown only in this answer."""
        return tenants.create(data.name)

    @get(
        "/",
        operation_id="list_tenants",
        opt=allow(SUPER_ADMINS),
        summary="List Tenants",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_tenants(
        self, caller: NamedDependency[Caller], tenants: NamedDependency[TenantService], paging: NamedDependency[Page]
    ) -> ListTenantsResponse:
        """Every tenant, oldest first, paged like the contract's lists."""
        return tenants.list_tenants(paging)
