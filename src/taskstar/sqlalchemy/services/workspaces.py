from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from taskstar.contract import WorkspaceRead
from taskstar.domain.access import Membership as Access
from taskstar.domain.api_tokens import TokenLimits
from taskstar.domain.events import EventKind, event_draft
from taskstar.domain.roles import Role
from taskstar.domain.rules import slug_taken
from taskstar.domain.tasks import changes_between
from taskstar.sqlalchemy.models import Membership, Workspace
from taskstar.sqlalchemy.reads import workspace_read

from ..repositories import MembershipRepository, WorkspaceRepository
from .base import Service, repository


class WorkspaceService(Service):
    workspaces = repository(WorkspaceRepository)
    memberships = repository(MembershipRepository)

    async def create(self, creator_id: UUID, fields: Mapping[str, Any]) -> WorkspaceRead:
        """A new workspace whose creator is its owner, both rows or neither."""
        if await self.workspaces.slug_taken(fields["slug"]):
            raise slug_taken(fields["slug"])
        workspace = await self.workspaces.add(Workspace(name=fields["name"], slug=fields["slug"]))
        await self.memberships.add(Membership(workspace_id=workspace.id, user_id=creator_id, role=Role.OWNER))
        await self.session.commit()
        return workspace_read(workspace, Role.OWNER)

    async def page_for(
        self, user_id: UUID, *, limit: int, offset: int, token: TokenLimits | None = None
    ) -> tuple[list[WorkspaceRead], int]:
        only = token.workspace_ids if token else None
        rows, total = await self.workspaces.page_for_user(user_id, limit=limit, offset=offset, only=only)
        return [workspace_read(workspace, token.cap(role) if token else role) for workspace, role in rows], total

    async def get(self, access: Access) -> WorkspaceRead:
        return workspace_read(await self.workspaces.get(access.workspace_id), access.role)

    async def update(self, access: Access, changes: Mapping[str, Any]) -> WorkspaceRead:
        workspace = await self.workspaces.get(access.workspace_id)
        new_slug = changes.get("slug")
        if new_slug is not None and new_slug != workspace.slug and await self.workspaces.slug_taken(new_slug):
            raise slug_taken(new_slug)
        changed = changes_between({field: getattr(workspace, field) for field in changes}, changes)
        for field, value in changes.items():
            setattr(workspace, field, value)
        await self.session.flush()
        updated = workspace_read(workspace, access.role)
        # data: the workspace as the actor's own GET answers it (with the actor's role).
        events = [
            event_draft(EventKind.WORKSPACE_UPDATED, updated, subject_id=workspace.id, project_id=None, changes=changed)
        ]
        await self.commit_with_events(access, events if changed else [])
        return updated

    async def delete(self, access: Access) -> None:
        await self.workspaces.remove(access.workspace_id)
        await self.session.commit()
