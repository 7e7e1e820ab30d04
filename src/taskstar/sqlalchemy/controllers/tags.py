from __future__ import annotations

from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, JSONBody

from taskstar.contract import TagCreate, TagRead, TagUpdate, set_fields
from taskstar.domain.roles import Action
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import problems, serialized_as
from taskstar.http.pagination import Page
from taskstar.sqlalchemy.dtos import TagDTO
from taskstar.sqlalchemy.models import Tag

from .dependencies import Tags, provide_tag_service


class TagController(Controller):
    tags = ["tags"]
    dependencies = {"tag_service": Provide(provide_tag_service, sync_to_thread=False)}

    @get(
        "/api/workspaces/{workspace_id:uuid}/tags",
        operation_id="listTags",
        return_dto=TagDTO,
        responses=problems(404) | serialized_as(OffsetPagination[TagRead]),
        opt={ACTION_KEY: Action.READ},
    )
    async def list_tags(
        self, workspace_id: FromPath[UUID], tag_service: Tags, page: Page, access: CurrentMembership
    ) -> OffsetPagination[Tag]:
        """Tags by name."""
        rows, total = await tag_service.page(access, limit=page.limit, offset=page.offset)
        return OffsetPagination(items=list(rows), total=total, limit=page.limit, offset=page.offset)

    @post(
        "/api/workspaces/{workspace_id:uuid}/tags",
        operation_id="createTag",
        responses=problems(403, 404, 409) | serialized_as(TagRead, 201),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def create_tag(
        self,
        workspace_id: FromPath[UUID],
        data: JSONBody[TagCreate],
        tag_service: Tags,
        access: CurrentMembership,
    ) -> Tag:
        """Create a tag (member+); names are unique in the workspace ignoring case."""
        return await tag_service.create(access, name=data.name, color=data.color)

    @patch(
        "/api/tags/{tag_id:uuid}",
        operation_id="updateTag",
        responses=problems(403, 404, 409) | serialized_as(TagRead),
        opt={ACTION_KEY: Action.MANAGE_TAGS},
    )
    async def update_tag(
        self, tag_id: FromPath[UUID], data: JSONBody[TagUpdate], tag_service: Tags, access: CurrentMembership
    ) -> Tag:
        """Rename or recolor a tag (admin+)."""
        return await tag_service.update(access, tag_id, set_fields(data))

    @delete(
        "/api/tags/{tag_id:uuid}",
        operation_id="deleteTag",
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.MANAGE_TAGS},
    )
    async def delete_tag(self, tag_id: FromPath[UUID], tag_service: Tags, access: CurrentMembership) -> None:
        """Delete a tag; tasks lose it (admin+)."""
        await tag_service.delete(access, tag_id)
