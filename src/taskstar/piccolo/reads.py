"""The contract's read structs from Piccolo's rows (dicts), for the services to return.

Piccolo returns rows as dicts with stored values (a priority's rank, a role's string), so each
reader converts them to the domain's types here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from taskstar.contract import (
    ActivityRead,
    CommentRead,
    EventRead,
    MemberRead,
    MemberUser,
    TagRef,
    TaskRead,
    UserRef,
    WorkspaceRead,
)
from taskstar.domain.events import EventKind
from taskstar.domain.roles import Role
from taskstar.domain.tasks import ActivityKind, Priority, Status, task_key
from taskstar.piccolo.queries import TaskView

Row = Mapping[str, Any]


def _ref(user_id: UUID | None, name: str | None) -> UserRef | None:
    return UserRef(id=user_id, name=name) if user_id is not None and name is not None else None


def workspace_read(row: Row, role: Role | str) -> WorkspaceRead:
    """A workspace's columns with the caller's ``role`` in it (not a column)."""
    return WorkspaceRead(
        id=row["id"],
        name=row["name"],
        slug=row["slug"],
        role=Role(role),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def member_read(row: Row) -> MemberRead:
    """A membership row with ``user_name`` and ``user_email`` joined."""
    user = MemberUser(id=row["user_id"], name=row["user_name"], email=row["user_email"])
    return MemberRead(user=user, role=Role(row["role"]), created_at=row["created_at"], updated_at=row["updated_at"])


def comment_read(row: Row) -> CommentRead:
    """A comment row with ``author_name`` joined (``None`` once the author is deleted)."""
    return CommentRead(
        id=row["id"],
        task_id=row["task_id"],
        author=_ref(row["author_id"], row["author_name"]),
        body=row["body"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def activity_read(row: Row) -> ActivityRead:
    """An activity row with ``actor_name`` joined and ``changes`` decoded."""
    return ActivityRead(
        id=row["id"],
        kind=ActivityKind(row["kind"]),
        actor=_ref(row["actor_id"], row["actor_name"]),
        changes=row["changes"],
        created_at=row["created_at"],
    )


def event_read(row: Row) -> EventRead:
    """An event row with ``actor_name`` joined (``None`` once the actor is deleted) and ``data``
    and ``changes`` decoded."""
    return EventRead(
        id=row["id"],
        sequence=row["sequence"],
        kind=EventKind(row["kind"]),
        workspace_id=row["workspace_id"],
        project_id=row["project_id"],
        subject_id=row["subject_id"],
        actor=_ref(row["actor_id"], row["actor_name"]),
        data=row["data"],
        changes=row["changes"],
        created_at=row["created_at"],
    )


def task_read(view: TaskView) -> TaskRead:
    """A task of ``queries.TaskView``: its columns with ``project_key``, ``assignee_name``,
    ``reporter_name``, and its tags."""
    row = view.row
    return TaskRead(
        id=row["id"],
        project_id=row["project_id"],
        number=row["number"],
        key=task_key(row["project_key"], row["number"]),
        title=row["title"],
        description=row["description"],
        status=Status(row["status"]),
        priority=Priority.from_rank(row["priority"]),
        assignee=_ref(row["assignee_id"], row["assignee_name"]),
        reporter=_ref(row["reporter_id"], row["reporter_name"]),
        tags=[TagRef(id=tag["tag_id"], name=tag["name"], color=tag["color"]) for tag in view.tags],
        due_date=row["due_date"],
        position=row["position"],
        version=row["version"],
        completed_at=row["completed_at"],
        comment_count=row["comment_count"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
