from __future__ import annotations

from typing import Any
from uuid import UUID

from taskstar.contract import TagRead, present
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import NotFound
from taskstar.domain.events import EventDraft, EventKind, event_draft
from taskstar.domain.keys import tag_name_key
from taskstar.domain.rules import tag_name_taken
from taskstar.domain.tasks import changes_between
from taskstar.piccolo.tables import Tag

from .base import Service, save_changes


def _tag_event(kind: EventKind, tag: Tag, changes: dict[str, list[Any]] | None = None) -> EventDraft:
    return event_draft(kind, present(tag, TagRead), subject_id=tag.id, project_id=None, changes=changes)


class TagService(Service):
    async def page(self, access: Access, *, limit: int, offset: int) -> tuple[list[Tag], int]:
        in_workspace = Tag.workspace_id == access.workspace_id
        async with self.db.reading():
            tags = await Tag.objects().where(in_workspace).order_by(Tag.name_key, Tag.id).limit(limit).offset(offset)
            return tags, await Tag.count().where(in_workspace)

    async def create(self, access: Access, fields: dict[str, Any]) -> Tag:
        name_key = tag_name_key(fields["name"])
        async with self.writing_with_events(access) as events:
            if await self._name_taken(access.workspace_id, fields["name"]):
                raise tag_name_taken(fields["name"])
            tag = Tag(**fields, workspace_id=access.workspace_id, name_key=name_key)
            await tag.save()
            events.append(_tag_event(EventKind.TAG_CREATED, tag))
        return tag

    async def update(self, access: Access, tag_id: UUID, changes: dict[str, Any]) -> Tag:
        async with self.writing_with_events(access) as events:
            tag = await self._get(access, tag_id)
            changed = changes_between({field: getattr(tag, field) for field in changes}, changes)
            name = changes.get("name")
            if name is not None:
                name_key = tag_name_key(name)
                if name_key != tag.name_key and await self._name_taken(access.workspace_id, name):
                    raise tag_name_taken(name)
                changes = {**changes, "name_key": name_key}
            await save_changes(tag, changes)
            if changed:  # no change: nothing written, no event
                events.append(_tag_event(EventKind.TAG_UPDATED, tag, changed))
        return tag

    async def delete(self, access: Access, tag_id: UUID) -> None:
        async with self.writing_with_events(access) as events:
            tag = await self._get(access, tag_id)
            await Tag.delete().where(Tag.id == tag.id)  # its links to tasks go with it (the tasks stay)
            events.append(_tag_event(EventKind.TAG_DELETED, tag))  # its last state

    async def _get(self, access: Access, tag_id: UUID) -> Tag:
        tag = await Tag.objects().get((Tag.id == tag_id) & (Tag.workspace_id == access.workspace_id))
        if tag is None:
            raise NotFound("No tag with this id")
        return tag

    async def _name_taken(self, workspace_id: UUID, name: str) -> bool:
        return await Tag.exists().where(Tag.workspace_id == workspace_id, Tag.name_key == name.lower())
