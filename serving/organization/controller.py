"""`/v1/organization`: HTTP in, the organization service, HTTP out."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import JSONBody

from serving.access import ADMINS, EVERY_ROLE, allow
from serving.auth import Principal
from serving.errors import ERROR_RESPONSES
from serving.json_body import JsonBody
from serving.organization.schemas import Organization, UpdateOrganizationRequest
from serving.organization.service import OrganizationService


class OrganizationController(Controller):
    """The tenant's organization record; also where open signup creates a tenant."""

    path = "/v1/organization"
    tags = ["Organization"]

    @get(
        "/",
        operation_id="get_organization",
        opt=allow(EVERY_ROLE, tenantless=True),
        summary="Get Organization",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def get_organization(
        self, principal: NamedDependency[Principal], organization: NamedDependency[OrganizationService]
    ) -> Organization:
        """The organization of the caller's tenant; 404 until one exists."""
        return organization.get(principal)

    @put(
        "/",
        operation_id="update_organization",
        opt=allow(ADMINS, tenantless=True),
        summary="Update Organization",
        dto=JsonBody[UpdateOrganizationRequest],
        return_dto=None,
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def update_organization(
        self,
        principal: NamedDependency[Principal],
        organization: NamedDependency[OrganizationService],
        data: JSONBody[UpdateOrganizationRequest],
    ) -> Organization:
        """Create or replace (cleared optional fields are cleared); admins only. A signed-up user without a
        tenant gets one here, as its admin, and their token acts in it from then on (`tenantId` names it)."""
        return organization.put(principal, data)
