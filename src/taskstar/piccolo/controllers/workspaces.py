from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import Provide
from litestar.dto import DTOData
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, JSONBody

from taskstar.contract import WorkspaceRead
from taskstar.domain.access import Caller
from taskstar.domain.roles import Action, Role
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import problems
from taskstar.http.pagination import Page
from taskstar.piccolo.dtos import WorkspacePatch, WorkspaceWrite
from taskstar.piccolo.tables import Workspace

from .dependencies import Workspaces, provide_workspace_service


def _read(workspace: Workspace | dict[str, Any], role: Role | str) -> WorkspaceRead:
    """A workspace with the caller's role in it (the role is not a column: a contract struct, not a DTO)."""
    row = workspace if isinstance(workspace, dict) else workspace.to_dict()
    return WorkspaceRead(
        id=row["id"],
        name=row["name"],
        slug=row["slug"],
        role=Role(role),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


class WorkspaceController(Controller):
    path = "/api/workspaces"
    tags = ["workspaces"]
    dependencies = {"workspaces": Provide(provide_workspace_service, sync_to_thread=False)}

    @get(operation_id="listWorkspaces", responses=problems())
    async def list_workspaces(
        self, workspaces: Workspaces, page: Page, request: Request[Caller, object, object]
    ) -> OffsetPagination[WorkspaceRead]:
        """The caller's workspaces, oldest first, with the caller's role in each."""
        rows, total = await workspaces.page_for(request.user.id, limit=page.limit, offset=page.offset)
        return OffsetPagination(
            items=[_read(row, row["role"]) for row in rows], total=total, limit=page.limit, offset=page.offset
        )

    @post(operation_id="createWorkspace", dto=WorkspaceWrite, return_dto=None, responses=problems(409))
    async def create_workspace(
        self, data: JSONBody[DTOData[Workspace]], workspaces: Workspaces, request: Request[Caller, object, object]
    ) -> WorkspaceRead:
        """Create a workspace; the caller becomes its owner."""
        return _read(await workspaces.create(request.user.id, data.as_builtins()), Role.OWNER)

    @get(
        "/{workspace_id:uuid}",
        operation_id="getWorkspace",
        responses=problems(404),
        opt={ACTION_KEY: Action.READ_WORKSPACE},
    )
    async def get_workspace(
        self, workspace_id: FromPath[UUID], workspaces: Workspaces, access: CurrentMembership
    ) -> WorkspaceRead:
        return _read(await workspaces.get(access), access.role)

    @patch(
        "/{workspace_id:uuid}",
        operation_id="updateWorkspace",
        dto=WorkspacePatch,
        return_dto=None,
        responses=problems(403, 404, 409),
        opt={ACTION_KEY: Action.UPDATE_WORKSPACE},
    )
    async def update_workspace(
        self,
        workspace_id: FromPath[UUID],
        data: JSONBody[DTOData[Workspace]],
        workspaces: Workspaces,
        access: CurrentMembership,
    ) -> WorkspaceRead:
        """Rename or re-slug a workspace (admin or owner)."""
        return _read(await workspaces.update(access, data.as_builtins()), access.role)

    @delete(
        "/{workspace_id:uuid}",
        operation_id="deleteWorkspace",
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.DELETE_WORKSPACE},
    )
    async def delete_workspace(
        self, workspace_id: FromPath[UUID], workspaces: Workspaces, access: CurrentMembership
    ) -> None:
        """Delete a workspace and everything in it (owner only)."""
        await workspaces.delete(access)
