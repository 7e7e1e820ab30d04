"""Workspaces: the caller's, and one by id."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from taskstar.contract import WorkspacePage, WorkspaceRead
from taskstar.domain.access import Caller
from taskstar.domain.roles import Action
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import problems
from taskstar.http.pagination import Page
from taskstar.http.routes.dependencies import Workspaces
from taskstar.http.routes.shapes import PathShapes, fields_of

if TYPE_CHECKING:  # the path's body declarations: resolved through ``signature_namespace``
    WorkspaceCreateBody = Any
    WorkspaceUpdateBody = Any


def workspace_controller(shapes: PathShapes) -> type[Controller]:
    class WorkspaceController(Controller):
        path = "/api/workspaces"
        tags = ["workspaces"]
        signature_namespace = shapes.namespace

        @get(operation_id="listWorkspaces", responses=problems())
        async def list_workspaces(
            self, workspaces: Workspaces, page: Page, request: Request[Caller, Any, State]
        ) -> WorkspacePage:
            """The caller's workspaces, oldest first, with the caller's role in each. With an API
            token: only the token's workspaces, with the role the token acts with."""
            rows, total = await workspaces.page_for(
                request.user.id, limit=page.limit, offset=page.offset, token=request.user.token
            )
            return WorkspacePage(items=list(rows), total=total, limit=page.limit, offset=page.offset)

        @post(
            operation_id="createWorkspace",
            dto=shapes.workspace_create.dto,
            return_dto=None,
            responses=problems(403, 409),
        )
        async def create_workspace(
            self,
            data: JSONBody[WorkspaceCreateBody],
            workspaces: Workspaces,
            request: Request[Caller, Any, State],
        ) -> WorkspaceRead:
            """Create a workspace; the caller becomes its owner. An API token limited to some
            workspaces, or capped at viewer, may not (403); ``role`` is the one a token acts with."""
            token = request.user.token
            if token is not None:
                token.check_may_create_workspaces()
            created = await workspaces.create(request.user.id, fields_of(data))
            return created if token is None else msgspec.structs.replace(created, role=token.cap(created.role))

        @get(
            "/{workspace_id:uuid}",
            operation_id="getWorkspace",
            responses=problems(404),
            opt={ACTION_KEY: Action.READ_WORKSPACE},
        )
        async def get_workspace(
            self, workspace_id: FromPath[UUID], workspaces: Workspaces, access: CurrentMembership
        ) -> WorkspaceRead:
            return await workspaces.get(access)

        @patch(
            "/{workspace_id:uuid}",
            operation_id="updateWorkspace",
            dto=shapes.workspace_update.dto,
            return_dto=None,
            responses=problems(403, 404, 409),
            opt={ACTION_KEY: Action.UPDATE_WORKSPACE},
        )
        async def update_workspace(
            self,
            workspace_id: FromPath[UUID],
            data: JSONBody[WorkspaceUpdateBody],
            workspaces: Workspaces,
            access: CurrentMembership,
        ) -> WorkspaceRead:
            """Rename or re-slug a workspace (admin or owner)."""
            return await workspaces.update(access, fields_of(data))

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

    return WorkspaceController
