from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from taskstar.contract import ProjectRead, present
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import NotFound
from taskstar.domain.events import EventDraft, EventKind, event_draft
from taskstar.domain.rules import project_key_taken
from taskstar.domain.tasks import changes_between
from taskstar.sqlalchemy.models import Project

from ..repositories import ProjectRepository
from .base import Service, repository


def _project_event(kind: EventKind, project: Project, changes: dict[str, list[Any]] | None = None) -> EventDraft:
    return event_draft(
        kind, present(project, ProjectRead), subject_id=project.id, project_id=project.id, changes=changes
    )


class ProjectService(Service):
    projects = repository(ProjectRepository)

    async def page(self, access: Access, *, limit: int, offset: int) -> tuple[Sequence[Project], int]:
        return await self.projects.page_in_workspace(access.workspace_id, limit=limit, offset=offset)

    async def create(self, access: Access, fields: Mapping[str, Any]) -> Project:
        if await self.projects.key_taken(access.workspace_id, fields["key"]):
            raise project_key_taken(fields["key"])
        project = await self.projects.add(Project(workspace_id=access.workspace_id, last_task_number=0, **fields))
        await self.commit_with_events(access, [_project_event(EventKind.PROJECT_CREATED, project)])
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
        changed = changes_between({field: getattr(project, field) for field in changes}, changes)
        for field, value in changes.items():
            setattr(project, field, value)
        await self.session.flush()
        events = [_project_event(EventKind.PROJECT_UPDATED, project, changed)] if changed else []
        await self.commit_with_events(access, events)
        return project

    async def delete(self, access: Access, project_id: UUID) -> None:
        project = await self.get(access, project_id)
        event = _project_event(EventKind.PROJECT_DELETED, project)  # its last state
        await self.session.delete(project)  # the database cascades to its tasks
        await self.session.flush()
        await self.commit_with_events(access, [event])
