from __future__ import annotations

from typing import Any
from uuid import UUID

from taskstar.contract import CommentRead
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import Forbidden, NotFound
from taskstar.domain.events import EventKind, event_draft
from taskstar.domain.roles import Role
from taskstar.domain.tasks import ActivityKind
from taskstar.piccolo.reads import comment_read
from taskstar.piccolo.tables import Comment, Task

from .activity import record_activity
from .base import Service, now


def _with_author() -> Any:
    return Comment.select(*Comment._meta.columns, Comment.author_id.name.as_alias("author_name"))


def _with_author_and_project() -> Any:
    """As :func:`_with_author`, with the task's ``project_id`` (events name the project)."""
    return Comment.select(
        *Comment._meta.columns,
        Comment.author_id.name.as_alias("author_name"),
        Comment.task_id.project_id.as_alias("project_id"),
    )


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
        async with self.writing_with_events(access) as events:
            # Counting first locks the task, so a concurrent delete (after the guard saw the task)
            # makes this a 404 rather than a foreign-key violation on the insert.
            project_id = await self._count_on_task(task_id, 1)
            if project_id is None:
                raise NotFound("No task with this id")
            comment = Comment(workspace_id=access.workspace_id, task_id=task_id, author_id=author_id, body=body)
            await comment.save()
            changes = {"comment_id": [None, str(comment.id)]}
            await record_activity([(access.workspace_id, task_id, author_id, ActivityKind.COMMENTED, changes)])
            created = comment_read(await self._get(access, comment.id))
            events.append(event_draft(EventKind.COMMENT_CREATED, created, subject_id=created.id, project_id=project_id))
        return created

    async def update(self, access: Access, author_id: UUID, comment_id: UUID, body: str) -> CommentRead:
        async with self.writing_with_events(access) as events:
            comment = await self._get(access, comment_id)
            if comment["author_id"] != author_id:
                raise Forbidden("Only the author can edit a comment")
            if comment["body"] != body:  # no change: nothing written, no event
                changes = {"body": [comment["body"], body]}
                comment |= {"body": body, "updated_at": now()}
                await Comment.update({Comment.body: body, Comment.updated_at: comment["updated_at"]}).where(
                    Comment.id == comment_id
                )
                events.append(
                    event_draft(
                        EventKind.COMMENT_UPDATED,
                        comment_read(comment),
                        subject_id=comment_id,
                        project_id=comment["project_id"],
                        changes=changes,
                    )
                )
        return comment_read(comment)

    async def delete(self, access: Access, actor_id: UUID, comment_id: UUID) -> None:
        async with self.writing_with_events(access) as events:
            comment = await self._get(access, comment_id)
            if comment["author_id"] != actor_id and not access.role.at_least(Role.ADMIN):
                raise Forbidden("Only the author or an admin can delete a comment")
            last_state = comment_read(comment)
            await Comment.delete().where(Comment.id == comment_id)
            await self._count_on_task(comment["task_id"], -1)
            events.append(
                event_draft(
                    EventKind.COMMENT_DELETED, last_state, subject_id=comment_id, project_id=comment["project_id"]
                )
            )

    async def _count_on_task(self, task_id: UUID, by: int) -> UUID | None:
        """Not a task change: no version bump, no ``updated_at``. Returns the task's project id,
        ``None`` when the task is gone; its row stays locked (PostgreSQL) until the transaction ends."""
        counted = (
            await Task.update({Task.comment_count: Task.comment_count + by})
            .where(Task.id == task_id)
            .returning(Task.project_id)
        )
        return counted[0]["project_id"] if counted else None

    async def _get(self, access: Access, comment_id: UUID) -> dict[str, Any]:
        """The comment with its author's name and its task's ``project_id``; ``NotFound`` outside
        the caller's workspace."""
        comment: dict[str, Any] | None = (
            await _with_author_and_project()
            .where(Comment.id == comment_id, Comment.workspace_id == access.workspace_id)
            .first()
        )
        if comment is None:
            raise NotFound("No comment with this id")
        return comment
