from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import Conflict, FieldError
from taskstar.domain.roles import Role
from taskstar.sqlalchemy.models import Membership, Workspace

from ..repositories import MembershipRepository, WorkspaceRepository
from .base import Service, repository


def _slug_conflict(slug: str) -> Conflict:
    return Conflict(f"The slug {slug!r} is taken", errors=[FieldError("slug", "already taken")])


class WorkspaceService(Service):
    workspaces = repository(WorkspaceRepository)
    memberships = repository(MembershipRepository)

    async def create(self, creator_id: UUID, *, name: str, slug: str) -> Workspace:
        """A new workspace whose creator is its owner, both rows or neither."""
        if await self.workspaces.slug_taken(slug):
            raise _slug_conflict(slug)
        workspace = await self.workspaces.add(Workspace(name=name, slug=slug))
        await self.memberships.add(Membership(workspace_id=workspace.id, user_id=creator_id, role=Role.OWNER))
        await self.session.commit()
        return workspace

    async def page_for(self, user_id: UUID, *, limit: int, offset: int) -> tuple[Sequence[tuple[Workspace, Role]], int]:
        return await self.workspaces.page_for_user(user_id, limit=limit, offset=offset)

    async def get(self, access: Access) -> Workspace:
        return await self.workspaces.get(access.workspace_id)

    async def update(self, access: Access, changes: dict[str, Any]) -> Workspace:
        workspace = await self.workspaces.get(access.workspace_id)
        new_slug = changes.get("slug")
        if new_slug is not None and new_slug != workspace.slug and await self.workspaces.slug_taken(new_slug):
            raise _slug_conflict(new_slug)
        for field, value in changes.items():
            setattr(workspace, field, value)
        await self.session.flush()
        await self.session.commit()
        return workspace

    async def delete(self, access: Access) -> None:
        await self.workspaces.remove(access.workspace_id)
        await self.session.commit()
