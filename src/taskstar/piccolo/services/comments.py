from __future__ import annotations

from typing import Any
from uuid import UUID

from taskstar.contract import CommentRead
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import Forbidden, NotFound
from taskstar.domain.roles import Role
from taskstar.domain.tasks import ActivityKind
from taskstar.piccolo.reads import comment_read
from taskstar.piccolo.tables import Comment, Task

from .activity import record_activity
from .base import Service, now


def _with_author() -> Any:
    return Comment.select(*Comment._meta.columns, Comment.author_id.name.as_alias("author_name"))


class CommentService(Service):
    """Comments count on their task and in its activity, in the same transaction; they are
    not task changes, so the task's version stays. Rows carry ``author_name`` joined."""

    async def page(self, access: Access, task_id: UUID, *, limit: int, offset: int) -> tuple[list[CommentRead], int]:
        of_task = Comment.task_id == task_id
        async with self.db.reading():
            rows = (
                await _with_author().where(of_task).order_by(Comment.created_at, Comment.id).limit(limit).offset(offset)
            )
            return [comment_read(row) for row in rows], await Comment.count().where(of_task)

    async def create(self, access: Access, author_id: UUID, task_id: UUID, body: str) -> CommentRead:
        async with self.db.writing():
            # Counting first locks the task, so a concurrent delete (after the guard saw the task)
            # makes this a 404 rather than a foreign-key violation on the insert.
            if not await self._count_on_task(task_id, 1):
                raise NotFound("No task with this id")
            comment = Comment(workspace_id=access.workspace_id, task_id=task_id, author_id=author_id, body=body)
            await comment.save()
            changes = {"comment_id": [None, str(comment.id)]}
            await record_activity([(access.workspace_id, task_id, author_id, ActivityKind.COMMENTED, changes)])
            return comment_read(await self._get(access, comment.id))

    async def update(self, access: Access, author_id: UUID, comment_id: UUID, body: str) -> CommentRead:
        async with self.db.writing():
            comment = await self._get(access, comment_id)
            if comment["author_id"] != author_id:
                raise Forbidden("Only the author can edit a comment")
            if comment["body"] != body:
                comment |= {"body": body, "updated_at": now()}
                await Comment.update({Comment.body: body, Comment.updated_at: comment["updated_at"]}).where(
                    Comment.id == comment_id
                )
        return comment_read(comment)

    async def delete(self, access: Access, actor_id: UUID, comment_id: UUID) -> None:
        async with self.db.writing():
            comment = await self._get(access, comment_id)
            if comment["author_id"] != actor_id and not access.role.at_least(Role.ADMIN):
                raise Forbidden("Only the author or an admin can delete a comment")
            await Comment.delete().where(Comment.id == comment_id)
            await self._count_on_task(comment["task_id"], -1)

    async def _count_on_task(self, task_id: UUID, by: int) -> bool:
        """Not a task change: no version bump, no ``updated_at``. False when the task is gone."""
        counted = (
            await Task.update({Task.comment_count: Task.comment_count + by})
            .where(Task.id == task_id)
            .returning(Task.id)
        )
        return bool(counted)

    async def _get(self, access: Access, comment_id: UUID) -> dict[str, Any]:
        comment: dict[str, Any] | None = (
            await _with_author().where(Comment.id == comment_id, Comment.workspace_id == access.workspace_id).first()
        )
        if comment is None:
            raise NotFound("No comment with this id")
        return comment
