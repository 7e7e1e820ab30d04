"""Projects of a workspace: the path's DTO machinery shapes them (``shapes.project``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, JSONBody

from taskstar.contract import ProjectPage, ProjectRead
from taskstar.domain.roles import Action
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import problems, serialized_as
from taskstar.http.pagination import Page
from taskstar.http.routes.dependencies import Projects
from taskstar.http.routes.shapes import PathShapes, fields_of

if TYPE_CHECKING:  # the path's model and bodies: resolved through ``signature_namespace``
    ProjectModel = Any
    ProjectCreateBody = Any
    ProjectUpdateBody = Any


def project_controller(shapes: PathShapes) -> type[Controller]:
    project = shapes.project

    class ProjectController(Controller):
        tags = ["projects"]
        signature_namespace = shapes.namespace
        return_dto = project.read_dto

        @get(
            "/api/workspaces/{workspace_id:uuid}/projects",
            operation_id="listProjects",
            return_dto=project.page_dto,
            responses=problems(404) | serialized_as(ProjectPage),
            opt={ACTION_KEY: Action.READ},
        )
        async def list_projects(
            self, workspace_id: FromPath[UUID], projects: Projects, page: Page, access: CurrentMembership
        ) -> OffsetPagination[ProjectModel]:
            """Projects by key."""
            rows, total = await projects.page(access, limit=page.limit, offset=page.offset)
            return OffsetPagination(items=list(rows), total=total, limit=page.limit, offset=page.offset)

        @post(
            "/api/workspaces/{workspace_id:uuid}/projects",
            operation_id="createProject",
            dto=project.create.dto,
            responses=problems(403, 404, 409) | serialized_as(ProjectRead, 201),
            opt={ACTION_KEY: Action.WRITE},
        )
        async def create_project(
            self,
            workspace_id: FromPath[UUID],
            data: JSONBody[ProjectCreateBody],
            projects: Projects,
            access: CurrentMembership,
        ) -> ProjectModel:
            """Create a project (member+); its key is unique in the workspace."""
            return await projects.create(access, fields_of(data))

        @get(
            "/api/projects/{project_id:uuid}",
            operation_id="getProject",
            responses=problems(404) | serialized_as(ProjectRead),
            opt={ACTION_KEY: Action.READ},
        )
        async def get_project(
            self, project_id: FromPath[UUID], projects: Projects, access: CurrentMembership
        ) -> ProjectModel:
            return await projects.get(access, project_id)

        @patch(
            "/api/projects/{project_id:uuid}",
            operation_id="updateProject",
            dto=project.update.dto,
            responses=problems(403, 404, 409) | serialized_as(ProjectRead),
            opt={ACTION_KEY: Action.WRITE},
        )
        async def update_project(
            self,
            project_id: FromPath[UUID],
            data: JSONBody[ProjectUpdateBody],
            projects: Projects,
            access: CurrentMembership,
        ) -> ProjectModel:
            """Partial update (member+); ``null`` clears the description."""
            return await projects.update(access, project_id, fields_of(data))

        @delete(
            "/api/projects/{project_id:uuid}",
            operation_id="deleteProject",
            return_dto=None,
            responses=problems(403, 404),
            opt={ACTION_KEY: Action.DELETE_PROJECT},
        )
        async def delete_project(
            self, project_id: FromPath[UUID], projects: Projects, access: CurrentMembership
        ) -> None:
            """Delete a project and its tasks (admin+)."""
            await projects.delete(access, project_id)

    return ProjectController
