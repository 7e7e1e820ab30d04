"""Tags of a workspace: the path's DTO machinery shapes them (``shapes.tag``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, delete, get, patch, post
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, JSONBody

from taskstar.contract import TagPage, TagRead
from taskstar.domain.roles import Action
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import problems, serialized_as
from taskstar.http.pagination import Page
from taskstar.http.routes.dependencies import Tags
from taskstar.http.routes.shapes import PathShapes, fields_of

if TYPE_CHECKING:  # the path's model and bodies: resolved through ``signature_namespace``
    TagModel = Any
    TagCreateBody = Any
    TagUpdateBody = Any


def tag_controller(shapes: PathShapes) -> type[Controller]:
    tag = shapes.tag

    class TagController(Controller):
        tags = ["tags"]
        signature_namespace = shapes.namespace
        return_dto = tag.read_dto

        @get(
            "/api/workspaces/{workspace_id:uuid}/tags",
            operation_id="listTags",
            return_dto=tag.page_dto,
            responses=problems(404) | serialized_as(TagPage),
            opt={ACTION_KEY: Action.READ},
        )
        async def list_tags(
            self, workspace_id: FromPath[UUID], tag_service: Tags, page: Page, access: CurrentMembership
        ) -> OffsetPagination[TagModel]:
            """Tags by name."""
            rows, total = await tag_service.page(access, limit=page.limit, offset=page.offset)
            return OffsetPagination(items=list(rows), total=total, limit=page.limit, offset=page.offset)

        @post(
            "/api/workspaces/{workspace_id:uuid}/tags",
            operation_id="createTag",
            dto=tag.create.dto,
            responses=problems(403, 404, 409) | serialized_as(TagRead, 201),
            opt={ACTION_KEY: Action.WRITE},
        )
        async def create_tag(
            self,
            workspace_id: FromPath[UUID],
            data: JSONBody[TagCreateBody],
            tag_service: Tags,
            access: CurrentMembership,
        ) -> TagModel:
            """Create a tag (member+); names are unique in the workspace ignoring case."""
            return await tag_service.create(access, fields_of(data))

        @patch(
            "/api/tags/{tag_id:uuid}",
            operation_id="updateTag",
            dto=tag.update.dto,
            responses=problems(403, 404, 409) | serialized_as(TagRead),
            opt={ACTION_KEY: Action.MANAGE_TAGS},
        )
        async def update_tag(
            self, tag_id: FromPath[UUID], data: JSONBody[TagUpdateBody], tag_service: Tags, access: CurrentMembership
        ) -> TagModel:
            """Rename or recolor a tag (admin+)."""
            return await tag_service.update(access, tag_id, fields_of(data))

        @delete(
            "/api/tags/{tag_id:uuid}",
            operation_id="deleteTag",
            return_dto=None,
            responses=problems(403, 404),
            opt={ACTION_KEY: Action.MANAGE_TAGS},
        )
        async def delete_tag(self, tag_id: FromPath[UUID], tag_service: Tags, access: CurrentMembership) -> None:
            """Delete a tag; tasks lose it (admin+)."""
            await tag_service.delete(access, tag_id)

    return TagController
