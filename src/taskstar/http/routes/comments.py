"""Comments on tasks."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from taskstar.contract import CommentPage, CommentRead, CommentWrite
from taskstar.domain.access import Caller
from taskstar.domain.roles import Action
from taskstar.http.guards import ACTION_KEY, CurrentMembership
from taskstar.http.openapi import problems
from taskstar.http.pagination import Page
from taskstar.http.routes.dependencies import Comments

CallerRequest = Request[Caller, Any, State]


class CommentController(Controller):
    tags = ["comments"]

    @get(
        "/api/tasks/{task_id:uuid}/comments",
        operation_id="listComments",
        responses=problems(404),
        opt={ACTION_KEY: Action.READ},
    )
    async def list_comments(
        self, task_id: FromPath[UUID], comments: Comments, page: Page, access: CurrentMembership
    ) -> CommentPage:
        """Comments on a task, oldest first."""
        rows, total = await comments.page(access, task_id, limit=page.limit, offset=page.offset)
        return CommentPage(items=list(rows), total=total, limit=page.limit, offset=page.offset)

    @post(
        "/api/tasks/{task_id:uuid}/comments",
        operation_id="createComment",
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def create_comment(
        self,
        task_id: FromPath[UUID],
        data: JSONBody[CommentWrite],
        comments: Comments,
        access: CurrentMembership,
        request: CallerRequest,
    ) -> CommentRead:
        """Comment on a task (member+); the task's version does not change."""
        return await comments.create(access, request.user.id, task_id, data.body)

    @patch(
        "/api/comments/{comment_id:uuid}",
        operation_id="updateComment",
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def update_comment(
        self,
        comment_id: FromPath[UUID],
        data: JSONBody[CommentWrite],
        comments: Comments,
        access: CurrentMembership,
        request: CallerRequest,
    ) -> CommentRead:
        """Edit a comment (its author only)."""
        return await comments.update(access, request.user.id, comment_id, data.body)

    @delete(
        "/api/comments/{comment_id:uuid}",
        operation_id="deleteComment",
        responses=problems(403, 404),
        opt={ACTION_KEY: Action.WRITE},
    )
    async def delete_comment(
        self, comment_id: FromPath[UUID], comments: Comments, access: CurrentMembership, request: CallerRequest
    ) -> None:
        """Delete a comment (its author, or an admin+)."""
        await comments.delete(access, request.user.id, comment_id)
