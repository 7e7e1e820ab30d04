"""The service ports: what the HTTP edge asks of a persistence path, one ``Protocol`` per service.

The routes in ``taskstar.http.routes`` are written once against these ports, and each path's
services implement them: ``taskstar.sqlalchemy.services`` and ``taskstar.piccolo.services``
directly (coroutines); ``taskstar.sqlalchemy.sync.services`` with the same parameters as blocking
methods, which ``taskstar.http.threaded.Threaded`` turns into coroutines run in a worker thread.
``tests/test_ports.py`` checks every path's services against every port.

Reads return the contract's structs (``taskstar.contract``) or, where the seed shows a path's DTO
machinery (projects, tags, the registered user), the path's own model, typed here by a type
variable: the route's DTO (or the serialization plugin) shapes it. Failures are the domain's
errors (``taskstar.domain.errors``): ``NotFound`` 404, ``Forbidden`` 403, ``Conflict`` 409,
``InvalidInput`` 400, ``PreconditionFailed`` 412; the edge maps them to problem details.

Every write commits before it returns (one unit of work per request); a raised error means nothing
was written.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from uuid import UUID

if TYPE_CHECKING:
    from taskstar.contract import (
        ActivityRead,
        ApiTokenCreated,
        ApiTokenRead,
        CommentRead,
        EventRead,
        MemberRead,
        TaskRead,
        WorkspaceRead,
    )
    from taskstar.domain.access import Caller, Membership
    from taskstar.domain.api_tokens import TokenLimits
    from taskstar.domain.listing import TaskQuery
    from taskstar.domain.preconditions import Preconditions
    from taskstar.domain.resources import ResourceRef
    from taskstar.domain.roles import Role

UserT_co = TypeVar("UserT_co", covariant=True)
ProjectT_co = TypeVar("ProjectT_co", covariant=True)
TagT_co = TypeVar("TagT_co", covariant=True)

#: Fields a client sent, by contract name (``taskstar.contract.set_fields`` or a DTO's builtins).
Fields = Mapping[str, Any]


class UsersPort(Protocol[UserT_co]):
    async def register(self, *, email: str, password: str, name: str) -> UserT_co:
        """A new account (its model: the path's DTO shapes it); ``Conflict`` if the email is taken
        ignoring case, ``InvalidInput`` if its lower-cased form exceeds 254 characters."""
        ...

    async def authenticate(self, *, email: str, password: str) -> UUID:
        """The id of the user with these credentials; ``AuthenticationFailed`` (401) otherwise, in the same time
        whether or not the email exists."""
        ...

    async def caller(self, user_id: UUID, resource: ResourceRef | None) -> tuple[Caller, Membership | None] | None:
        """The user behind a token (``None`` if deleted) and their membership in the workspace owning
        ``resource`` (``None`` for a stranger or a missing resource), in one round trip."""
        ...

    async def caller_by_token(
        self, token_hash: str, resource: ResourceRef | None, now: datetime
    ) -> tuple[Caller, Membership | None] | None:
        """As :meth:`caller`, for the personal API token whose SHA-256 is ``token_hash``: ``None``
        when no such token exists (revoked, never issued) or it expired by ``now``; else the
        caller with the token's limits (``Caller.token``) and their membership as it is (the edge
        applies the limits), in one round trip."""
        ...


class ApiTokensPort(Protocol):
    async def create(self, user_id: UUID, fields: Fields, now: datetime) -> ApiTokenCreated:
        """A new token (``name``, ``workspace_ids``, ``max_role``, ``expires_in_days``) with its
        secret, which is stored only as a hash; ``InvalidInput`` on ``workspace_ids`` naming any
        that is not one of the user's workspaces."""
        ...

    async def page_for(self, user_id: UUID, *, limit: int, offset: int) -> tuple[Sequence[ApiTokenRead], int]:
        """The user's tokens, newest first, and their total (expired ones included, until revoked)."""
        ...

    async def revoke(self, user_id: UUID, token_id: UUID) -> None:
        """Delete the user's token: the very next request with it is a 401. ``NotFound`` for a token
        that is not theirs."""
        ...

    async def record_uses(self, uses: Mapping[UUID, datetime]) -> None:
        """Write each token's ``last_used_at`` (token id to the moment of use) in one transaction,
        skipping any written less than a minute before that moment (by another worker, say)."""
        ...


class WorkspacesPort(Protocol):
    async def create(self, creator_id: UUID, fields: Fields) -> WorkspaceRead:
        """A workspace (``name``, ``slug``) owned by its creator; ``Conflict`` on a taken slug."""
        ...

    async def page_for(
        self, user_id: UUID, *, limit: int, offset: int, token: TokenLimits | None = None
    ) -> tuple[Sequence[WorkspaceRead], int]:
        """The user's workspaces, oldest first, each with the user's role; and their total. With an
        API token's limits, only the token's workspaces, each with the role the token acts with."""
        ...

    async def get(self, access: Membership) -> WorkspaceRead: ...

    async def update(self, access: Membership, changes: Fields) -> WorkspaceRead:
        """Rename or re-slug; ``Conflict`` on a taken slug."""
        ...

    async def delete(self, access: Membership) -> None:
        """The workspace and everything in it."""
        ...


class MembersPort(Protocol):
    async def page(self, access: Membership, *, limit: int, offset: int) -> tuple[Sequence[MemberRead], int]:
        """Members in the order they joined, and their total."""
        ...

    async def add(self, access: Membership, *, email: str, role: Role) -> MemberRead:
        """``NotFound`` for an unknown email, ``Conflict`` for a member already, ``Forbidden`` when a
        non-owner grants owner (``taskstar.domain.members``)."""
        ...

    async def change_role(self, access: Membership, user_id: UUID, role: Role) -> MemberRead:
        """``Conflict`` when it would leave the workspace without an owner."""
        ...

    async def remove(self, access: Membership, user_id: UUID) -> None:
        """``Conflict`` for the last owner."""
        ...


class ProjectsPort(Protocol[ProjectT_co]):
    async def page(self, access: Membership, *, limit: int, offset: int) -> tuple[Sequence[ProjectT_co], int]:
        """The workspace's projects by key, and their total."""
        ...

    async def create(self, access: Membership, fields: Fields) -> ProjectT_co:
        """``Conflict`` when the key is taken in the workspace."""
        ...

    async def get(self, access: Membership, project_id: UUID) -> ProjectT_co: ...

    async def update(self, access: Membership, project_id: UUID, changes: Fields) -> ProjectT_co: ...

    async def delete(self, access: Membership, project_id: UUID) -> None:
        """The project with its tasks, their comments and activity."""
        ...


class TagsPort(Protocol[TagT_co]):
    async def page(self, access: Membership, *, limit: int, offset: int) -> tuple[Sequence[TagT_co], int]:
        """The workspace's tags by name, and their total."""
        ...

    async def create(self, access: Membership, fields: Fields) -> TagT_co:
        """``Conflict`` when the name is taken ignoring case."""
        ...

    async def update(self, access: Membership, tag_id: UUID, changes: Fields) -> TagT_co: ...

    async def delete(self, access: Membership, tag_id: UUID) -> None:
        """The tag, and its links to tasks (the tasks stay)."""
        ...


class TasksPort(Protocol):
    async def page(
        self, access: Membership, project_id: UUID, query: TaskQuery
    ) -> tuple[Sequence[TaskRead], int, str | None]:
        """One page of the project's tasks, the filtered total, and the next keyset cursor (``None``
        on the last page); ``InvalidInput`` for a cursor this list did not issue."""
        ...

    async def get(self, access: Membership, task_id: UUID) -> TaskRead: ...

    async def activity_page(
        self, access: Membership, task_id: UUID, *, limit: int, offset: int
    ) -> tuple[Sequence[ActivityRead], int]:
        """The task's activity, oldest first, and its total."""
        ...

    async def create_many(
        self, access: Membership, actor_id: UUID, project_id: UUID, drafts: Sequence[Fields], *, bulk: bool
    ) -> Sequence[TaskRead]:
        """New tasks numbered in order, all or none; ``InvalidInput`` names each failing item
        (``items[i].field`` when ``bulk``)."""
        ...

    async def update(
        self, access: Membership, actor_id: UUID, task_id: UUID, changes: Fields, preconditions: Preconditions
    ) -> TaskRead:
        """A partial update and its activity entry; ``PreconditionFailed`` when ``preconditions``
        (RFC 9110 If-Match / If-None-Match) do not hold for the current version."""
        ...

    async def update_many(
        self, access: Membership, actor_id: UUID, project_id: UUID, task_ids: Sequence[UUID], changes: Fields
    ) -> Sequence[TaskRead]:
        """The same changes on each task of the project, all or none."""
        ...

    async def move(
        self,
        access: Membership,
        actor_id: UUID,
        task_id: UUID,
        target_project_id: UUID,
        preconditions: Preconditions,
    ) -> TaskRead:
        """The task in another project of the workspace, with that project's next number."""
        ...

    async def delete(self, access: Membership, task_id: UUID, preconditions: Preconditions) -> None: ...


class CommentsPort(Protocol):
    async def page(
        self, access: Membership, task_id: UUID, *, limit: int, offset: int
    ) -> tuple[Sequence[CommentRead], int]:
        """Comments on the task, oldest first, and their total."""
        ...

    async def create(self, access: Membership, author_id: UUID, task_id: UUID, body: str) -> CommentRead: ...

    async def update(self, access: Membership, author_id: UUID, comment_id: UUID, body: str) -> CommentRead:
        """``Forbidden`` unless the caller wrote it."""
        ...

    async def delete(self, access: Membership, actor_id: UUID, comment_id: UUID) -> None:
        """``Forbidden`` unless the caller wrote it or is an admin or owner."""
        ...


class EventsPort(Protocol):
    async def page(self, access: Membership, *, after: int, limit: int) -> tuple[Sequence[EventRead], int]:
        """Up to ``limit`` of the workspace's events numbered above ``after``, oldest first, and the
        ``after`` to send next (the last one's ``sequence``, or ``after`` itself when none is newer);
        ``Gone`` (410) when events after ``after`` were pruned (``taskstar.domain.events.check_kept``)."""
        ...

    async def after(self, workspace_id: UUID, after: int, limit: int) -> Sequence[EventRead]:
        """Up to ``limit`` events of the workspace numbered above ``after``, oldest first (the live
        stream's read: no retention check, the stream checked its start with :meth:`page`)."""
        ...

    async def audience(
        self, workspace_id: UUID, user_ids: Collection[UUID], token_ids: Collection[UUID], now: datetime
    ) -> tuple[set[UUID], set[UUID]]:
        """Which of ``user_ids`` are members of the workspace, and which of ``token_ids`` are API
        tokens neither revoked nor expired at ``now``: who may still be sent its events."""
        ...

    async def prune(self, cutoff: datetime) -> int:
        """Delete every event created before ``cutoff``, each workspace's oldest first, in short
        transactions of their own; returns how many were deleted."""
        ...


#: Each port by the dependency name the routes inject it under (``taskstar.http.routes``).
PORTS: dict[str, type[Any]] = {
    "users": UsersPort,
    "api_tokens": ApiTokensPort,
    "workspaces": WorkspacesPort,
    "members": MembersPort,
    "projects": ProjectsPort,
    "tag_service": TagsPort,  # not "tags": a handler parameter of that name is taken by the OpenAPI tags
    "tasks": TasksPort,
    "comments": CommentsPort,
    "events": EventsPort,
}
