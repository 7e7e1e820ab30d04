from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, JSONBody

from taskstar.contract import ProjectCreate, ProjectRead, ProjectUpdate, set_fields
from taskstar.domain.roles import Action
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import problems, serialized_as
from taskstar.http.pagination import Page
from taskstar.sqlalchemy.dtos import ProjectDTO
from taskstar.sqlalchemy.models import Project

from .dependencies import Projects, provide_project_service


class ProjectController(Controller):
    tags = ["projects"]
    dependencies = {"projects": Provide(provide_project_service, sync_to_thread=False)}

    @get(
        "/api/workspaces/{workspace_id:uuid}/projects",
        operation_id="listProjects",
        return_dto=ProjectDTO,
        responses=problems(404) | serialized_as(OffsetPagination[ProjectRead]),
        opt={ACTION_KEY: Action.READ},
    )
    async def list_projects(
        self, workspace_id: FromPath[UUID], projects: Projects, page: Page, access: CurrentMembership
    ) -> OffsetPagination[Project]:
        """Projects by key."""
        rows, total = await projects.page(access, limit=page.limit, offset=page.offset)
        return OffsetPagination(items=list(rows), total=total, limit=page.limit, offset=page.offset)

    @post(
        "/api/workspaces/{workspace_id:uuid}/projects",
        operation_id="createProject",
        responses=problems(403, 404, 409) | serialized_as(ProjectRead, 201),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def create_project(
        self,
        workspace_id: FromPath[UUID],
        data: JSONBody[ProjectCreate],
        projects: Projects,
        access: CurrentMembership,
    ) -> Project:
        """Create a project (member+); its key is unique in the workspace."""
        return await projects.create(access, set_fields(data))

    @get(
        "/api/projects/{project_id:uuid}",
        operation_id="getProject",
        responses=problems(404) | serialized_as(ProjectRead),
        opt={ACTION_KEY: Action.READ},
    )
    async def get_project(self, project_id: FromPath[UUID], projects: Projects, access: CurrentMembership) -> Project:
        return await projects.get(access, project_id)

    @patch(
        "/api/projects/{project_id:uuid}",
        operation_id="updateProject",
        responses=problems(403, 404, 409) | serialized_as(ProjectRead),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def update_project(
        self,
        project_id: FromPath[UUID],
        data: JSONBody[ProjectUpdate],
        projects: Projects,
        access: CurrentMembership,
    ) -> Project:
        """Partial update (member+); ``null`` clears the description."""
        return await projects.update(access, project_id, set_fields(data))

    @delete(
        "/api/projects/{project_id:uuid}",
        operation_id="deleteProject",
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.DELETE_PROJECT},
    )
    async def delete_project(self, project_id: FromPath[UUID], projects: Projects, access: CurrentMembership) -> None:
        """Delete a project and its tasks (admin+)."""
        await projects.delete(access, project_id)
