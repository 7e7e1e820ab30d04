"""A workspace's members and their roles."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from taskstar.contract import MemberCreate, MemberPage, MemberRead, MemberUpdate
from taskstar.domain.roles import Action
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import problems
from taskstar.http.pagination import Page
from taskstar.http.routes.dependencies import Members


class MemberController(Controller):
    path = "/api/workspaces/{workspace_id:uuid}/members"
    tags = ["members"]

    @get(operation_id="listMembers", responses=problems(404), opt={ACTION_KEY: Action.READ_MEMBERS})
    async def list_members(
        self, workspace_id: FromPath[UUID], members: Members, page: Page, access: CurrentMembership
    ) -> MemberPage:
        """Members in the order they joined."""
        rows, total = await members.page(access, limit=page.limit, offset=page.offset)
        return MemberPage(items=list(rows), total=total, limit=page.limit, offset=page.offset)

    @post(operation_id="addMember", responses=problems(403, 404, 409), opt={ACTION_KEY: Action.MANAGE_MEMBERS})
    async def add_member(
        self, workspace_id: FromPath[UUID], data: JSONBody[MemberCreate], members: Members, access: CurrentMembership
    ) -> MemberRead:
        """Add a registered user by email (admin+; only an owner grants owner)."""
        return await members.add(access, email=data.email, role=data.role)

    @patch(
        "/{user_id:uuid}",
        operation_id="updateMember",
        responses=problems(403, 404, 409),
        opt={ACTION_KEY: Action.MANAGE_MEMBERS},
    )
    async def update_member(
        self,
        workspace_id: FromPath[UUID],
        user_id: FromPath[UUID],
        data: JSONBody[MemberUpdate],
        members: Members,
        access: CurrentMembership,
    ) -> MemberRead:
        """Change a member's role; the last owner cannot be demoted (409)."""
        return await members.change_role(access, user_id, data.role)

    @delete(
        "/{user_id:uuid}",
        operation_id="removeMember",
        responses=problems(403, 404, 409),
        opt={ACTION_KEY: Action.MANAGE_MEMBERS},
    )
    async def remove_member(
        self, workspace_id: FromPath[UUID], user_id: FromPath[UUID], members: Members, access: CurrentMembership
    ) -> None:
        """Remove a member; the last owner cannot be removed (409)."""
        await members.remove(access, user_id)
