"""The contract's read structs from SQLAlchemy rows and models, for the services to return.

Both the async services and their generated sync twin use these (they hold no I/O): every
relationship read here was loaded by the query that produced the object.
"""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import Row

from taskstar.contract import (
    ActivityRead,
    CommentRead,
    EventRead,
    MemberRead,
    TagRef,
    TaskRead,
    UserRef,
    WorkspaceRead,
    present,
)
from taskstar.domain.events import EventKind
from taskstar.domain.roles import Role
from taskstar.domain.tasks import task_key
from taskstar.sqlalchemy.models import Activity, Comment, Event, Membership, User, Workspace


class TaskRows(Protocol):
    """``repositories.TaskView`` of either twin: a task row with ``project_key``, ``assignee_name``
    and ``reporter_name``, and its ``(id, name, color)`` tag rows."""

    row: Row[Any]
    tags: list[Row[Any]]


def _user(user: User | None) -> UserRef | None:
    return UserRef(id=user.id, name=user.name) if user is not None else None


def _ref(user_id: UUID | None, name: str | None) -> UserRef | None:
    return UserRef(id=user_id, name=name) if user_id is not None and name is not None else None


def workspace_read(workspace: Workspace, role: Role) -> WorkspaceRead:
    """A workspace with the caller's ``role`` in it (not a column)."""
    return WorkspaceRead(
        id=workspace.id,
        name=workspace.name,
        slug=workspace.slug,
        role=role,
        created_at=workspace.created_at,
        updated_at=workspace.updated_at,
    )


def member_read(membership: Membership) -> MemberRead:
    """A membership with its user (``Membership.user`` loaded)."""
    return present(membership, MemberRead)


def comment_read(comment: Comment) -> CommentRead:
    """A comment with its author (``Comment.author`` loaded; ``None`` once the author is deleted)."""
    return CommentRead(
        id=comment.id,
        task_id=comment.task_id,
        author=_user(comment.author),
        body=comment.body,
        created_at=comment.created_at,
        updated_at=comment.updated_at,
    )


def activity_read(entry: Activity) -> ActivityRead:
    """An activity entry with its actor (``Activity.actor`` loaded)."""
    return ActivityRead(
        id=entry.id, kind=entry.kind, actor=_user(entry.actor), changes=entry.changes, created_at=entry.created_at
    )


def event_read(event: Event) -> EventRead:
    """An event with its actor (``Event.actor`` loaded; ``None`` once the actor is deleted)."""
    return EventRead(
        id=event.id,
        sequence=event.sequence,
        kind=EventKind(event.kind),  # the column holds the kind's text
        workspace_id=event.workspace_id,
        project_id=event.project_id,
        subject_id=event.subject_id,
        actor=_user(event.actor),
        data=event.data,
        changes=event.changes,
        created_at=event.created_at,
    )


def task_read(view: TaskRows) -> TaskRead:
    """A task as responses show it, from its rows."""
    row = view.row
    return TaskRead(
        id=row.id,
        project_id=row.project_id,
        number=row.number,
        key=task_key(row.project_key, row.number),
        title=row.title,
        description=row.description,
        status=row.status,
        priority=row.priority,
        assignee=_ref(row.assignee_id, row.assignee_name),
        reporter=_ref(row.reporter_id, row.reporter_name),
        tags=[TagRef(id=tag.id, name=tag.name, color=tag.color) for tag in view.tags],
        due_date=row.due_date,
        position=row.position,
        version=row.version,
        completed_at=row.completed_at,
        comment_count=row.comment_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
