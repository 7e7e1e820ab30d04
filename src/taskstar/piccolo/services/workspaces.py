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
from taskstar.piccolo.reads import workspace_read
from taskstar.piccolo.tables import Membership, Workspace

from .base import Service, save_changes


class WorkspaceService(Service):
    async def create(self, creator_id: UUID, fields: Mapping[str, Any]) -> WorkspaceRead:
        """A new workspace whose creator is its owner, both rows or neither."""
        async with self.db.writing():
            if await Workspace.exists().where(Workspace.slug == fields["slug"]):
                raise slug_taken(fields["slug"])
            workspace = Workspace(**fields)
            await workspace.save()
            await Membership(workspace_id=workspace.id, user_id=creator_id, role=Role.OWNER.value).save()
        return workspace_read(workspace.to_dict(), Role.OWNER)

    async def page_for(
        self, user_id: UUID, *, limit: int, offset: int, token: TokenLimits | None = None
    ) -> tuple[list[WorkspaceRead], int]:
        """The user's workspaces with their role in each (``role``), oldest first; with an API
        token's limits, only the token's workspaces, each with the role the token acts with."""
        workspace = Membership.workspace_id
        mine = [Membership.user_id == user_id]
        if token is not None and token.workspace_ids is not None:
            mine.append(Membership.workspace_id.is_in(list(token.workspace_ids)))
        async with self.db.reading():
            rows = await (
                Membership.select(
                    workspace.id.as_alias("id"), workspace.name.as_alias("name"), workspace.slug.as_alias("slug"),
                    workspace.created_at.as_alias("created_at"), workspace.updated_at.as_alias("updated_at"),
                    Membership.role,
                )
                .where(*mine)
                .order_by(workspace.created_at, workspace.id)
                .limit(limit)
                .offset(offset)
            )  # fmt: skip
            total = await Membership.count().where(*mine)
        return [workspace_read(row, token.cap(Role(row["role"])) if token else row["role"]) for row in rows], total

    async def get(self, access: Access) -> WorkspaceRead:
        return workspace_read((await self._get(access)).to_dict(), access.role)

    async def _get(self, access: Access) -> Workspace:
        workspace = await Workspace.objects().get(Workspace.id == access.workspace_id)
        assert workspace is not None  # the caller's membership, just loaded, refers to it
        return workspace

    async def update(self, access: Access, changes: Mapping[str, Any]) -> WorkspaceRead:
        async with self.writing_with_events(access) as events:
            workspace = await self._get(access)
            new_slug = changes.get("slug")
            if (
                new_slug is not None
                and new_slug != workspace.slug
                and await Workspace.exists().where(Workspace.slug == new_slug)
            ):
                raise slug_taken(new_slug)
            changed = changes_between({field: getattr(workspace, field) for field in changes}, changes)
            await save_changes(workspace, changes)
            updated = workspace_read(workspace.to_dict(), access.role)
            if changed:  # no change: nothing written, no event
                # data: the workspace as the actor's own GET answers it (with the actor's role).
                events.append(
                    event_draft(
                        EventKind.WORKSPACE_UPDATED, updated, subject_id=workspace.id, project_id=None, changes=changed
                    )
                )
        return updated

    async def delete(self, access: Access) -> None:
        """One DELETE; the database cascades to everything the workspace owns."""
        async with self.db.writing():
            await Workspace.delete().where(Workspace.id == access.workspace_id)
