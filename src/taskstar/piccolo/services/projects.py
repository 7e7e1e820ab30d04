from __future__ import annotations

from typing import Any
from uuid import UUID

from taskstar.contract import ProjectRead, present
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import NotFound
from taskstar.domain.events import EventDraft, EventKind, event_draft
from taskstar.domain.rules import project_key_taken
from taskstar.domain.tasks import changes_between
from taskstar.piccolo.tables import Project

from .base import Service, save_changes


def _project_event(kind: EventKind, project: Project, changes: dict[str, list[Any]] | None = None) -> EventDraft:
    return event_draft(
        kind, present(project, ProjectRead), subject_id=project.id, project_id=project.id, changes=changes
    )


class ProjectService(Service):
    async def page(self, access: Access, *, limit: int, offset: int) -> tuple[list[Project], int]:
        in_workspace = Project.workspace_id == access.workspace_id
        async with self.db.reading():
            projects = (
                await Project.objects()
                .where(in_workspace)
                .order_by(Project.key, Project.id)
                .limit(limit)
                .offset(offset)
            )
            return projects, await Project.count().where(in_workspace)

    async def create(self, access: Access, fields: dict[str, Any]) -> Project:
        async with self.writing_with_events(access) as events:
            if await self._key_taken(access.workspace_id, fields["key"]):
                raise project_key_taken(fields["key"])
            project = Project(**fields, workspace_id=access.workspace_id, last_task_number=0)
            await project.save()
            events.append(_project_event(EventKind.PROJECT_CREATED, project))
        return project

    async def get(self, access: Access, project_id: UUID) -> Project:
        project = await Project.objects().get(
            (Project.id == project_id) & (Project.workspace_id == access.workspace_id)
        )
        if project is None:
            raise NotFound("No project with this id")
        return project

    async def update(self, access: Access, project_id: UUID, changes: dict[str, Any]) -> Project:
        async with self.writing_with_events(access) as events:
            project = await self.get(access, project_id)
            new_key = changes.get("key")
            if new_key is not None and new_key != project.key and await self._key_taken(access.workspace_id, new_key):
                raise project_key_taken(new_key)
            changed = changes_between({field: getattr(project, field) for field in changes}, changes)
            await save_changes(project, changes)
            if changed:  # no change: nothing written, no event
                events.append(_project_event(EventKind.PROJECT_UPDATED, project, changed))
        return project

    async def delete(self, access: Access, project_id: UUID) -> None:
        async with self.writing_with_events(access) as events:
            project = await self.get(access, project_id)
            await Project.delete().where(Project.id == project.id)  # the database cascades to its tasks
            events.append(_project_event(EventKind.PROJECT_DELETED, project))  # its last state

    async def _key_taken(self, workspace_id: UUID, key: str) -> bool:
        return await Project.exists().where(Project.workspace_id == workspace_id, Project.key == key)
