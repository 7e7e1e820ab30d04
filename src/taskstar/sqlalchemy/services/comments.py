from __future__ import annotations

from uuid import UUID

from taskstar.contract import CommentRead
from taskstar.domain.access import Membership as Access
from taskstar.domain.errors import Forbidden, NotFound
from taskstar.domain.events import EventKind, event_draft
from taskstar.domain.roles import Role
from taskstar.domain.tasks import ActivityKind
from taskstar.sqlalchemy.models import Comment
from taskstar.sqlalchemy.reads import comment_read

from ..repositories import ActivityRepository, CommentRepository, TaskRepository, activity_entry
from .base import Service, repository


class CommentService(Service):
    """Comments count on their task and in its activity, in the same transaction;
    they are not task changes, so the task's version stays."""

    comments = repository(CommentRepository)
    tasks = repository(TaskRepository)
    activity = repository(ActivityRepository)

    async def page(self, access: Access, task_id: UUID, *, limit: int, offset: int) -> tuple[list[CommentRead], int]:
        rows, total = await self.comments.page_for_task(task_id, limit=limit, offset=offset)
        return [comment_read(comment) for comment in rows], total

    async def create(self, access: Access, author_id: UUID, task_id: UUID, body: str) -> CommentRead:
        # Counting first locks the task, so a concurrent delete (after the guard saw the task)
        # makes this a 404 rather than a foreign-key violation on the insert.
        if await self.tasks.bump_comment_count(task_id, 1) is None:
            raise NotFound("No task with this id")
        comment = await self.comments.add(
            Comment(workspace_id=access.workspace_id, task_id=task_id, author_id=author_id, body=body)
        )
        changes = {"comment_id": [None, str(comment.id)]}
        await self.activity.record(
            [activity_entry(access.workspace_id, task_id, author_id, ActivityKind.COMMENTED, changes)]
        )
        stored, project_id = await self._get(access, comment.id)
        created = comment_read(stored)
        event = event_draft(EventKind.COMMENT_CREATED, created, subject_id=created.id, project_id=project_id)
        await self.commit_with_events(access, [event])
        return created

    async def update(self, access: Access, author_id: UUID, comment_id: UUID, body: str) -> CommentRead:
        comment, project_id = await self._get(access, comment_id)
        if comment.author_id != author_id:
            raise Forbidden("Only the author can edit a comment")
        if comment.body == body:  # no change: nothing written, no event
            await self.session.commit()
            return comment_read(comment)
        changes = {"body": [comment.body, body]}
        comment.body = body
        await self.session.flush()
        updated = comment_read(comment)
        event = event_draft(
            EventKind.COMMENT_UPDATED, updated, subject_id=comment.id, project_id=project_id, changes=changes
        )
        await self.commit_with_events(access, [event])
        return updated

    async def delete(self, access: Access, actor_id: UUID, comment_id: UUID) -> None:
        comment, project_id = await self._get(access, comment_id)
        if comment.author_id != actor_id and not access.role.at_least(Role.ADMIN):
            raise Forbidden("Only the author or an admin can delete a comment")
        last_state = comment_read(comment)
        await self.session.delete(comment)
        await self.tasks.bump_comment_count(comment.task_id, -1)
        await self.session.flush()
        event = event_draft(EventKind.COMMENT_DELETED, last_state, subject_id=comment.id, project_id=project_id)
        await self.commit_with_events(access, [event])

    async def _get(self, access: Access, comment_id: UUID) -> tuple[Comment, UUID]:
        """The comment and its task's project id; ``NotFound`` outside the caller's workspace."""
        found = await self.comments.one(access.workspace_id, comment_id)
        if found is None:
            raise NotFound("No comment with this id")
        return found
