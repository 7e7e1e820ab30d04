from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from taskstar.contract import TagRead, present
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import NotFound
from taskstar.domain.events import EventDraft, EventKind, event_draft
from taskstar.domain.keys import tag_name_key
from taskstar.domain.rules import tag_name_taken
from taskstar.domain.tasks import changes_between
from taskstar.sqlalchemy.models import Tag

from ..repositories import TagRepository
from .base import Service, repository


def _tag_event(kind: EventKind, tag: Tag, changes: dict[str, list[Any]] | None = None) -> EventDraft:
    return event_draft(kind, present(tag, TagRead), subject_id=tag.id, project_id=None, changes=changes)


class TagService(Service):
    tags = repository(TagRepository)

    async def page(self, access: Access, *, limit: int, offset: int) -> tuple[Sequence[Tag], int]:
        return await self.tags.page_in_workspace(access.workspace_id, limit=limit, offset=offset)

    async def create(self, access: Access, fields: Mapping[str, Any]) -> Tag:
        name, color = fields["name"], fields["color"]
        name_key = tag_name_key(name)
        if await self.tags.name_taken(access.workspace_id, name):
            raise tag_name_taken(name)
        tag = await self.tags.add(Tag(workspace_id=access.workspace_id, name=name, name_key=name_key, color=color))
        await self.commit_with_events(access, [_tag_event(EventKind.TAG_CREATED, tag)])
        return tag

    async def update(self, access: Access, tag_id: UUID, changes: Mapping[str, Any]) -> Tag:
        tag = await self._get(access, tag_id)
        changed = changes_between({field: getattr(tag, field) for field in changes}, changes)
        name = changes.get("name")
        if name is not None:
            name_key = tag_name_key(name)
            if name_key != tag.name_key and await self.tags.name_taken(access.workspace_id, name):
                raise tag_name_taken(name)
            tag.name_key = name_key
        for field, value in changes.items():
            setattr(tag, field, value)
        await self.session.flush()
        await self.commit_with_events(access, [_tag_event(EventKind.TAG_UPDATED, tag, changed)] if changed else [])
        return tag

    async def delete(self, access: Access, tag_id: UUID) -> None:
        tag = await self._get(access, tag_id)
        event = _tag_event(EventKind.TAG_DELETED, tag)  # its last state
        await self.session.delete(tag)  # its links to tasks go with it (the tasks stay)
        await self.session.flush()
        await self.commit_with_events(access, [event])

    async def _get(self, access: Access, tag_id: UUID) -> Tag:
        tag = await self.tags.in_workspace(access.workspace_id, tag_id)
        if tag is None:
            raise NotFound("No tag with this id")
        return tag
