"""The schema as Piccolo tables; the migrations in ``migrations/`` must match them.

It mirrors the SQLAlchemy models column for column (the contract is the same),
with differences Piccolo imposes: every table has a single-column primary key,
so tag links have their own ``id``; composite indexes cannot be declared on a
table, and Piccolo's ``Unique`` constraints become ``ALTER TABLE ... ADD
CONSTRAINT``, which SQLite does not have: both live in a hand-written
migration instead (the one named "composite indexes", and one per later table that needs
one, e.g. "api token index", "event feed index"), as indexes.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    OnDelete,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table
from uuid_utils.compat import uuid7

from taskstar.domain.events import EventKind
from taskstar.domain.roles import Role
from taskstar.domain.tasks import ActivityKind, Status


class _Row(Table):
    """Time-ordered UUIDv7 keys (``ORDER BY id`` is a creation-order tie-break) and audit times.

    In the tables below, ``required=True`` marks what every row must be given: no silent
    ``''`` default, and PiccoloDTO keeps the column's length.
    """

    id = UUID(primary_key=True, default=uuid7)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class User(_Row, tablename="user_account"):
    email = Varchar(length=254, required=True, unique=True, help_text="Stored lower-cased, so uniqueness ignores case.")
    name = Varchar(length=200, required=True)
    password_hash = Varchar(
        length=255, required=True, secret=True, help_text="argon2id; never leaves, in either direction."
    )


class Workspace(_Row):
    name = Varchar(length=200, required=True)
    slug = Varchar(length=50, required=True, unique=True)
    event_sequence = BigInt(
        default=0,
        help_text="Internal: the last event sequence given in this workspace. Writers take their numbers "
        "from it with an UPDATE as their transaction's last step: the row lock that takes makes sequence "
        "order commit order (taskstar.domain.events).",
    )


class Membership(_Row):
    """A user's role in a workspace; strangers have no row and see 404s."""

    workspace_id = ForeignKey(Workspace, on_delete=OnDelete.cascade, null=False)
    user_id = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    role = Varchar(length=16, required=True, choices=Role)


class Project(_Row):
    workspace_id = ForeignKey(Workspace, on_delete=OnDelete.cascade, null=False, index=True)
    key = Varchar(length=10, required=True, help_text="Prefixes task keys (WEB-42).")
    name = Varchar(length=200, required=True)
    description = Text(null=True, default=None)
    archived = Boolean(default=False)
    last_task_number = Integer(default=0, help_text="Internal: the highest task number handed out.")


class Tag(_Row):
    workspace_id = ForeignKey(Workspace, on_delete=OnDelete.cascade, null=False, index=True)
    name = Varchar(length=200, required=True)
    name_key = Varchar(
        length=200, required=True, help_text="Internal: the lower-cased name, so uniqueness ignores case."
    )
    color = Varchar(length=7, required=True)


class Task(_Row):
    workspace_id = ForeignKey(Workspace, on_delete=OnDelete.cascade, null=False, index=True)
    project_id = ForeignKey(Project, on_delete=OnDelete.cascade, null=False)
    number = Integer()
    title = Varchar(length=200, required=True)
    description = Text(null=True, default=None)
    status = Varchar(length=16, required=True, choices=Status, default=Status.TODO)
    priority = SmallInt(default=0, help_text="The priority's rank (0 none ... 4 urgent): sorting is by urgency.")
    assignee_id = ForeignKey(User, on_delete=OnDelete.set_null, null=True, index=True)
    reporter_id = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    due_date = Date(null=True, default=None)
    position = DoublePrecision(default=0.0)
    version = Integer(default=1, help_text="Optimistic concurrency: every change checks and raises it.")
    completed_at = Timestamptz(null=True, default=None)
    comment_count = Integer(default=0)


class TaskTag(Table, tablename="task_tag"):
    id = UUID(primary_key=True, default=uuid7)
    task_id = ForeignKey(Task, on_delete=OnDelete.cascade, null=False)
    tag_id = ForeignKey(Tag, on_delete=OnDelete.cascade, null=False, index=True)


class Comment(_Row):
    workspace_id = ForeignKey(Workspace, on_delete=OnDelete.cascade, null=False, index=True)
    task_id = ForeignKey(Task, on_delete=OnDelete.cascade, null=False)
    author_id = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    body = Text(required=True)


class Activity(_Row):
    """One row per create, change, move and comment, written in the same transaction."""

    workspace_id = ForeignKey(Workspace, on_delete=OnDelete.cascade, null=False, index=True)
    task_id = ForeignKey(Task, on_delete=OnDelete.cascade, null=False)
    actor_id = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    kind = Varchar(length=16, required=True, choices=ActivityKind)
    changes = JSON(default="{}", help_text="{field: [old, new]}")


class ApiToken(_Row, tablename="api_token"):
    """A personal API token (``taskstar.domain.api_tokens``): its hash, never the token itself.

    Revoking deletes the row; deleting the user deletes their tokens (``ON DELETE CASCADE``).
    The index for ``GET /api/me/tokens`` (``user_id, created_at``) is in the migration named
    "api token index", as the other composite indexes are.
    """

    user_id = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=200, required=True)
    token_hash = Varchar(
        length=64,
        required=True,
        unique=True,
        secret=True,
        help_text="SHA-256 of the token, hex: what a request finds it by.",
    )
    prefix = Varchar(length=12, required=True)
    workspace_ids = JSON(
        null=True, default=None, help_text="The workspaces the token may reach, as UUID strings; NULL: all the user's."
    )
    max_role = Varchar(length=16, required=True, choices=Role)
    expires_at = Timestamptz(required=True, default=None, help_text="No default: a token is given its lifetime.")
    last_used_at = Timestamptz(null=True, default=None)


class Event(_Row):
    """One committed change in a workspace (contract v1.1, "The event feed"), written in the
    change's own transaction; pruned after the retention window (``TASKSTAR_EVENT_RETENTION_DAYS``).

    The feed reads "events of a workspace after n": the unique index on ``(workspace_id,
    sequence)`` that serves it (and refuses a number given twice) is in the migration named
    "event feed index".
    """

    workspace_id = ForeignKey(Workspace, on_delete=OnDelete.cascade, null=False)
    sequence = BigInt(help_text="Rises by one per event of the workspace, in commit order.")
    kind = Varchar(length=32, required=True, choices=EventKind)
    project_id = UUID(
        null=True, default=None, help_text="No foreign key: a project.deleted event outlives its project."
    )
    subject_id = UUID(
        required=True,
        default=None,
        help_text="The task, comment, project, tag, member's user or workspace; no foreign key, as above.",
    )
    actor_id = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    data = JSON(required=True, help_text="The resource as its GET answered after the change.")
    changes = JSON(default="{}", help_text="{field: [old, new]}")


TABLES: tuple[type[Table], ...] = (
    User,
    Workspace,
    Membership,
    Project,
    Tag,
    Task,
    TaskTag,
    Comment,
    Activity,
    ApiToken,
    Event,
)
