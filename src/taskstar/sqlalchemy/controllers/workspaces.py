from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import Provide
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, JSONBody

from taskstar.contract import WorkspaceCreate, WorkspaceRead, WorkspaceUpdate, set_fields
from taskstar.domain.access import Caller
from taskstar.domain.roles import Action, Role
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import problems
from taskstar.http.pagination import Page
from taskstar.sqlalchemy.models import Workspace

from .dependencies import Workspaces, provide_workspace_service


def _read(workspace: Workspace, role: Role) -> WorkspaceRead:
    return WorkspaceRead(
        id=workspace.id,
        name=workspace.name,
        slug=workspace.slug,
        role=role,
        created_at=workspace.created_at,
        updated_at=workspace.updated_at,
    )


class WorkspaceController(Controller):
    path = "/api/workspaces"
    tags = ["workspaces"]
    dependencies = {"workspaces": Provide(provide_workspace_service, sync_to_thread=False)}

    @get(operation_id="listWorkspaces", responses=problems())
    async def list_workspaces(
        self,
        workspaces: Workspaces,
        page: Page,
        request: Request[Caller, object, object],
    ) -> OffsetPagination[WorkspaceRead]:
        """The caller's workspaces, oldest first, with the caller's role in each."""
        rows, total = await workspaces.page_for(request.user.id, limit=page.limit, offset=page.offset)
        return OffsetPagination(
            items=[_read(workspace, role) for workspace, role in rows],
            total=total,
            limit=page.limit,
            offset=page.offset,
        )

    @post(operation_id="createWorkspace", responses=problems(409))
    async def create_workspace(
        self,
        data: JSONBody[WorkspaceCreate],
        workspaces: Workspaces,
        request: Request[Caller, object, object],
    ) -> WorkspaceRead:
        """Create a workspace; the caller becomes its owner."""
        workspace = await workspaces.create(request.user.id, name=data.name, slug=data.slug)
        return _read(workspace, Role.OWNER)

    @get(
        "/{workspace_id:uuid}",
        operation_id="getWorkspace",
        responses=problems(404),
        opt={ACTION_KEY: Action.READ_WORKSPACE},
    )
    async def get_workspace(
        self,
        workspace_id: FromPath[UUID],
        workspaces: Workspaces,
        access: CurrentMembership,
    ) -> WorkspaceRead:
        return _read(await workspaces.get(access), access.role)

    @patch(
        "/{workspace_id:uuid}",
        operation_id="updateWorkspace",
        responses=problems(403, 404, 409),
        opt={ACTION_KEY: Action.UPDATE_WORKSPACE},
    )
    async def update_workspace(
        self,
        workspace_id: FromPath[UUID],
        data: JSONBody[WorkspaceUpdate],
        workspaces: Workspaces,
        access: CurrentMembership,
    ) -> WorkspaceRead:
        """Rename or re-slug a workspace (admin or owner)."""
        return _read(await workspaces.update(access, set_fields(data)), access.role)

    @delete(
        "/{workspace_id:uuid}",
        operation_id="deleteWorkspace",
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.DELETE_WORKSPACE},
    )
    async def delete_workspace(
        self,
        workspace_id: FromPath[UUID],
        workspaces: Workspaces,
        access: CurrentMembership,
    ) -> None:
        """Delete a workspace and everything in it (owner only)."""
        await workspaces.delete(access)
