from __future__ import annotations

from typing import Any
from uuid import UUID

from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import NotFound
from taskstar.domain.keys import tag_name_key
from taskstar.domain.rules import tag_name_taken
from taskstar.piccolo.tables import Tag

from .base import Service, save_changes


class TagService(Service):
    async def page(self, access: Access, *, limit: int, offset: int) -> tuple[list[Tag], int]:
        in_workspace = Tag.workspace_id == access.workspace_id
        async with self.db.reading():
            tags = await Tag.objects().where(in_workspace).order_by(Tag.name_key, Tag.id).limit(limit).offset(offset)
            return tags, await Tag.count().where(in_workspace)

    async def create(self, access: Access, fields: dict[str, Any]) -> Tag:
        name_key = tag_name_key(fields["name"])
        async with self.db.writing():
            if await self._name_taken(access.workspace_id, fields["name"]):
                raise tag_name_taken(fields["name"])
            tag = Tag(**fields, workspace_id=access.workspace_id, name_key=name_key)
            await tag.save()
        return tag

    async def update(self, access: Access, tag_id: UUID, changes: dict[str, Any]) -> Tag:
        async with self.db.writing():
            tag = await self._get(access, tag_id)
            name = changes.get("name")
            if name is not None:
                name_key = tag_name_key(name)
                if name_key != tag.name_key and await self._name_taken(access.workspace_id, name):
                    raise tag_name_taken(name)
                changes = {**changes, "name_key": name_key}
            await save_changes(tag, changes)
        return tag

    async def delete(self, access: Access, tag_id: UUID) -> None:
        async with self.db.writing():
            tag = await self._get(access, tag_id)
            await Tag.delete().where(Tag.id == tag.id)

    async def _get(self, access: Access, tag_id: UUID) -> Tag:
        tag = await Tag.objects().get((Tag.id == tag_id) & (Tag.workspace_id == access.workspace_id))
        if tag is None:
            raise NotFound("No tag with this id")
        return tag

    async def _name_taken(self, workspace_id: UUID, name: str) -> bool:
        return await Tag.exists().where(Tag.workspace_id == workspace_id, Tag.name_key == name.lower())
