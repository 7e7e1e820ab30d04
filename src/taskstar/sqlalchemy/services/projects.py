from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import NotFound
from taskstar.domain.rules import project_key_taken
from taskstar.sqlalchemy.models import Project

from ..repositories import ProjectRepository
from .base import Service, repository


class ProjectService(Service):
    projects = repository(ProjectRepository)

    async def page(self, access: Access, *, limit: int, offset: int) -> tuple[Sequence[Project], int]:
        return await self.projects.page_in_workspace(access.workspace_id, limit=limit, offset=offset)

    async def create(self, access: Access, fields: Mapping[str, Any]) -> Project:
        if await self.projects.key_taken(access.workspace_id, fields["key"]):
            raise project_key_taken(fields["key"])
        project = await self.projects.add(Project(workspace_id=access.workspace_id, last_task_number=0, **fields))
        await self.session.commit()
        return project

    async def get(self, access: Access, project_id: UUID) -> Project:
        project = await self.projects.in_workspace(access.workspace_id, project_id)
        if project is None:
            raise NotFound("No project with this id")
        return project

    async def update(self, access: Access, project_id: UUID, changes: Mapping[str, Any]) -> Project:
        project = await self.get(access, project_id)
        new_key = changes.get("key")
        if (
            new_key is not None
            and new_key != project.key
            and await self.projects.key_taken(access.workspace_id, new_key)
        ):
            raise project_key_taken(new_key)
        for field, value in changes.items():
            setattr(project, field, value)
        await self.session.flush()
        await self.session.commit()
        return project

    async def delete(self, access: Access, project_id: UUID) -> None:
        project = await self.get(access, project_id)
        await self.session.delete(project)  # the database cascades to its tasks
        await self.session.flush()
        await self.session.commit()
