"""`/v1/members`: HTTP in, the member service, HTTP out."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, delete, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath

from serving.access import ADMINS, EVERY_ROLE, allow
from serving.auth import Caller
from serving.errors import ERROR_RESPONSES
from serving.members.schemas import ListMembersResponse
from serving.members.service import MemberService


class MemberController(Controller):
    """List the tenant's members; admins remove them."""

    path = "/v1/members"
    tags = ["Members"]

    @get(
        "/",
        operation_id="list_members",
        opt=allow(EVERY_ROLE),
        summary="List Members",
        sync_to_thread=True,
        responses=ERROR_RESPONSES,
    )
    def list_members(
        self, caller: NamedDependency[Caller], members: NamedDependency[MemberService]
    ) -> ListMembersResponse:
        """The tenant's members; a member is recorded the first time their token is used."""
        return members.list_members(caller.tenant_id)

    @delete(
        "/{user_id:str}",
        operation_id="remove_member",
        opt=allow(ADMINS),
        summary="Remove Member",
        status_code=200,
        sync_to_thread=True,
        responses={**ERROR_RESPONSES, 200: ResponseSpec(data_container=None, description="Removed (empty body).")},
    )
    def remove_member(
        self, caller: NamedDependency[Caller], members: NamedDependency[MemberService], user_id: FromPath[str]
    ) -> Response[bytes]:
        """Admins only; 409 for the last admin; the member's tokens are refused within a second on every worker."""
        members.remove(caller.tenant_id, user_id, caller.subject)
        return Response(b"", status_code=200, media_type=MediaType.TEXT)
