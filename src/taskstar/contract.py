"""The contract's request and response shapes (``shared/spec/api.md``), free of any framework.

Request structs list only the fields a client owns: anything else in a body
is ignored, on every path, the way Litestar's DTOs ignore excluded fields.
Response structs list only public fields, so nothing private can leave and the
OpenAPI document shows no password or hash.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

import msgspec
from msgspec import UNSET, Meta, UnsetType

from taskstar.domain.api_tokens import DEFAULT_DAYS, DEFAULT_MAX_ROLE, MAX_DAYS, MIN_DAYS
from taskstar.domain.events import EventKind
from taskstar.domain.roles import Role
from taskstar.domain.tasks import MAX_BULK_ITEMS, ActivityKind, Priority, Status

# Limits from the contract; outside them a request is a 400.
# Patterns avoid \s and \S: Python and JSON Schema (ECMA) disagree on which characters are
# spaces, and the OpenAPI document must promise exactly what the server accepts.
# PostgreSQL cannot store NUL in text, so no string may carry one, on any database.
NO_NUL = r"^[^\x00]*$"
NOT_BLANK = r"^(?=[^\x00]*[^\x00 \t\n\r\f\v])[^\x00]*$"
Name = Annotated[str, Meta(min_length=1, max_length=200, pattern=NOT_BLANK, description="1-200 characters")]
Email = Annotated[
    str,
    Meta(
        max_length=254,
        pattern=r"^[^@\x00-\x20\x7f]+@[^@\x00-\x20\x7f]+\.[^@\x00-\x20\x7f]+$",
        description="an email address, name@example.com",
        examples=["ada@example.com"],
    ),
]
Password = Annotated[str, Meta(min_length=8, max_length=128, pattern=NO_NUL)]
Slug = Annotated[
    str,
    Meta(
        min_length=2,
        max_length=50,
        pattern=r"^[a-z0-9-]+$",
        description="lower-case letters, digits, hyphens",
    ),
]


class Schema(msgspec.Struct, kw_only=True, omit_defaults=False):
    """Base of every contract shape."""


# --- users and auth ---------------------------------------------------------


class UserRead(Schema):
    id: UUID
    email: str
    name: str
    created_at: datetime
    updated_at: datetime


class RegisterRequest(Schema):
    email: Email
    password: Password
    name: Name


class LoginRequest(Schema):
    email: Annotated[str, Meta(max_length=254, pattern=NO_NUL)]
    password: Annotated[str, Meta(max_length=128)]


class AccessToken(Schema):
    access_token: str
    token_type: Literal["bearer"]
    """Always ``bearer`` (RFC 6750): send ``Authorization: Bearer <access_token>``."""
    expires_in: int
    """Seconds until the token expires (RFC 6749 5.1)."""


# --- personal API tokens ----------------------------------------------------


class ApiTokenCreate(Schema):
    name: Name
    workspace_ids: (
        Annotated[
            list[UUID],
            Meta(
                min_length=1,
                max_length=100,
                description="1-100 of your workspaces; null: every workspace you belong to, now and later",
            ),
        ]
        | None
    ) = None
    max_role: Role = DEFAULT_MAX_ROLE
    """The strongest role the token acts with (default ``member``)."""
    expires_in_days: Annotated[int, Meta(ge=MIN_DAYS, le=MAX_DAYS, description="1-365, default 90")] = DEFAULT_DAYS


class ApiTokenRead(Schema):
    """A token as listed: no secret, only its first 12 characters (``prefix``) to tell it apart."""

    id: UUID
    name: str
    prefix: str
    workspace_ids: list[UUID] | None
    """``null``: every workspace the owner belongs to."""
    max_role: Role
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime | None
    """Updated at most once a minute."""


class ApiTokenCreated(ApiTokenRead):
    """The new token; ``token`` is shown in this response only, never again."""

    token: str


class ApiTokenPage(Schema):
    """A page of the caller's tokens, newest first."""

    items: list[ApiTokenRead]
    total: int
    limit: int
    offset: int


# --- workspaces and members -------------------------------------------------


class WorkspaceRead(Schema):
    id: UUID
    name: str
    slug: str
    role: Role
    """The caller's role in this workspace."""
    created_at: datetime
    updated_at: datetime


class WorkspaceCreate(Schema):
    name: Name
    slug: Slug


class WorkspaceUpdate(Schema):
    name: Name | UnsetType = UNSET
    slug: Slug | UnsetType = UNSET


class WorkspacePage(Schema):
    """A page of the caller's workspaces (``limit``/``offset``; ``total`` counts them all)."""

    items: list[WorkspaceRead]
    total: int
    limit: int
    offset: int


class MemberUser(Schema):
    id: UUID
    name: str
    email: str


class MemberRead(Schema):
    user: MemberUser
    role: Role
    created_at: datetime
    updated_at: datetime


class MemberPage(Schema):
    """A page of a workspace's members."""

    items: list[MemberRead]
    total: int
    limit: int
    offset: int


class MemberCreate(Schema, kw_only=True):
    email: Email
    role: Role = Role.MEMBER


class MemberUpdate(Schema):
    role: Role


# --- projects and tags ------------------------------------------------------

ProjectKey = Annotated[
    str,
    Meta(pattern=r"^[A-Z][A-Z0-9]{1,9}$", description="2-10 upper-case letters/digits, starting with a letter"),
]
LongText = Annotated[str, Meta(max_length=20_000, pattern=NO_NUL)]
Color = Annotated[
    str, Meta(pattern=r"^#[0-9a-fA-F]{6}$", description="a colour as #RRGGBB in hexadecimal", examples=["#3b82f6"])
]


class ProjectCreate(Schema, kw_only=True):
    key: ProjectKey
    name: Name
    description: LongText | None = None
    archived: bool = False


class ProjectUpdate(Schema):
    key: ProjectKey | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    description: LongText | None | UnsetType = UNSET
    archived: bool | UnsetType = UNSET


class ProjectRead(Schema):
    """A project as every path sends it (the SQLAlchemy paths serialize the model through the
    serialization plugin's DTO, piccolo through a PiccoloDTO; this is the shape both document)."""

    id: UUID
    workspace_id: UUID
    key: str
    name: str
    description: str | None
    archived: bool
    created_at: datetime
    updated_at: datetime


class ProjectPage(Schema):
    """A page of a workspace's projects."""

    items: list[ProjectRead]
    total: int
    limit: int
    offset: int


class TagCreate(Schema):
    name: Name
    color: Color


class TagRead(Schema):
    """A tag as every path sends it (see ``ProjectRead``)."""

    id: UUID
    workspace_id: UUID
    name: str
    color: str
    created_at: datetime
    updated_at: datetime


class TagPage(Schema):
    """A page of a workspace's tags."""

    items: list[TagRead]
    total: int
    limit: int
    offset: int


class TagUpdate(Schema):
    name: Name | UnsetType = UNSET
    color: Color | UnsetType = UNSET


# --- tasks, comments, activity ------------------------------------------------

Position = Annotated[float, Meta(ge=-1e12, le=1e12)]


class UserRef(Schema):
    id: UUID
    name: str


class TagRef(Schema):
    id: UUID
    name: str
    color: str


class TaskRead(Schema):
    id: UUID
    project_id: UUID
    number: int
    key: str
    title: str
    description: str | None
    status: Status
    priority: Priority
    assignee: UserRef | None
    reporter: UserRef | None
    tags: list[TagRef]
    due_date: date | None
    position: float
    version: int
    completed_at: datetime | None
    comment_count: int
    created_at: datetime
    updated_at: datetime


class TaskCreate(Schema, kw_only=True):
    title: Name
    description: LongText | None = None
    status: Status = Status.TODO
    priority: Priority = Priority.NONE
    assignee_id: UUID | None = None
    tag_ids: Annotated[list[UUID], Meta(max_length=50)] = msgspec.field(default_factory=list)
    due_date: date | None = None
    position: Position = 0.0


class TaskUpdate(Schema):
    """Partial: omitted fields stay; ``null`` clears description, assignee and due date."""

    title: Name | UnsetType = UNSET
    description: LongText | None | UnsetType = UNSET
    status: Status | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    assignee_id: UUID | None | UnsetType = UNSET
    tag_ids: Annotated[list[UUID], Meta(max_length=50)] | UnsetType = UNSET
    due_date: date | None | UnsetType = UNSET
    position: Position | UnsetType = UNSET


class TaskPage(Schema):
    items: list[TaskRead]
    total: int
    limit: int
    offset: int
    next_cursor: str | None
    """Send back as ``cursor`` (with the same filters and sort) for the next page; null at the end."""


BulkItems = Annotated[list[TaskCreate], Meta(min_length=1, max_length=MAX_BULK_ITEMS)]


class TaskBulkCreate(Schema):
    items: BulkItems


class TaskBulkChanges(Schema):
    status: Status | UnsetType = UNSET
    priority: Priority | UnsetType = UNSET
    assignee_id: UUID | None | UnsetType = UNSET


class TaskBulkUpdate(Schema):
    ids: Annotated[list[UUID], Meta(min_length=1, max_length=MAX_BULK_ITEMS)]
    changes: TaskBulkChanges = msgspec.field(name="set")


class TaskItems(Schema):
    items: list[TaskRead]


class TaskMove(Schema):
    project_id: UUID


class ActivityRead(Schema):
    id: UUID
    kind: ActivityKind
    actor: UserRef | None
    changes: dict[str, list[Any]]
    created_at: datetime


class ActivityPage(Schema):
    """A page of a task's activity, oldest first."""

    items: list[ActivityRead]
    total: int
    limit: int
    offset: int


class CommentRead(Schema):
    id: UUID
    task_id: UUID
    author: UserRef | None
    body: str
    created_at: datetime
    updated_at: datetime


CommentBody = Annotated[str, Meta(min_length=1, max_length=20_000, pattern=NOT_BLANK)]


class CommentPage(Schema):
    """A page of a task's comments, oldest first."""

    items: list[CommentRead]
    total: int
    limit: int
    offset: int


class CommentWrite(Schema):
    body: CommentBody


# --- the event feed (v1.1) ---------------------------------------------------


class EventRead(Schema):
    """One committed change in a workspace, as the feed and the live stream send it."""

    id: UUID
    sequence: int
    """Rises by one with each event of the workspace, in commit order."""
    kind: EventKind
    workspace_id: UUID
    project_id: UUID | None
    """The project the subject belongs to (the project itself for ``project.*``); null for
    ``member.*`` and ``workspace.*``."""
    subject_id: UUID
    """The id of the task, comment, project, tag, member's user or workspace the event is about."""
    actor: UserRef | None
    """Who made the change; null once that user's account is deleted."""
    data: dict[str, Any]
    """The resource as its own GET answered the actor after the change (its last state for
    ``*.deleted``)."""
    changes: dict[str, list[Any]]
    """``{field: [old, new]}`` for ``*.updated`` and ``*.moved``; ``{}`` otherwise."""
    created_at: datetime


class EventPage(Schema):
    """Events after the requested ``after``, oldest first."""

    items: list[EventRead]
    next_after: int
    """Send back as ``after`` for the next page: the last item's ``sequence``, or the ``after``
    sent when there are no newer events yet."""


S = TypeVar("S", bound=Schema)


def present(source: object, schema: type[S]) -> S:
    """Shape an object (ORM row, dataclass) into a response struct, reading only the struct's fields."""
    return msgspec.convert(source, schema, from_attributes=True)


def token_created(token: ApiTokenRead, secret: str) -> ApiTokenCreated:
    """The creation response: the stored token and, this once, its secret."""
    return ApiTokenCreated(**msgspec.structs.asdict(token), token=secret)


def set_fields(data: Schema) -> dict[str, Any]:
    """The fields a partial update (PATCH) actually sent."""
    return {name: value for name, value in msgspec.structs.asdict(data).items() if value is not UNSET}
