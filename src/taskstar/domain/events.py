"""The event feed's rules, once for every persistence path (contract v1.1, "The event feed").

Every committed change in a workspace is recorded as an event in the same transaction as the
change. A write service builds one :class:`EventDraft` per changed resource; the path's event
repository numbers the drafts with the workspace's next ``sequence`` values and inserts them as
the transaction's last statements before its commit.

Why the feed is gap-free in commit order: the numbers come from a counter on the workspace's row
(``UPDATE workspace SET event_sequence = event_sequence + n ... RETURNING``). That UPDATE locks
the row until the transaction ends (PostgreSQL), or holds the database's one write lock (SQLite),
so a second writer in the same workspace gets its numbers only after the first has committed or
rolled back. Sequence order is therefore commit order, a rolled-back writer gives its numbers
back, and every committed prefix of the sequence is complete: a reader that saw ``n`` will never
later see an event numbered below ``n`` appear. ``docs/architecture.md`` compares this with the
``pg_snapshot_xmin`` technique and says why it was chosen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

import msgspec

from taskstar.domain.errors import Gone, InvalidInput


class EventKind(StrEnum):
    """The kinds of the contract's event feed, ``<resource>.<verb>``."""

    TASK_CREATED = "task.created"
    TASK_UPDATED = "task.updated"
    TASK_MOVED = "task.moved"
    TASK_DELETED = "task.deleted"
    COMMENT_CREATED = "comment.created"
    COMMENT_UPDATED = "comment.updated"
    COMMENT_DELETED = "comment.deleted"
    PROJECT_CREATED = "project.created"
    PROJECT_UPDATED = "project.updated"
    PROJECT_DELETED = "project.deleted"
    TAG_CREATED = "tag.created"
    TAG_UPDATED = "tag.updated"
    TAG_DELETED = "tag.deleted"
    MEMBER_ADDED = "member.added"
    MEMBER_UPDATED = "member.updated"
    MEMBER_REMOVED = "member.removed"
    WORKSPACE_UPDATED = "workspace.updated"


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event before it is numbered: what changed, as the contract's event shows it.

    ``data`` is the resource as its own GET answers after the change (its last state for
    ``*.deleted``), as JSON-ready builtins; ``changes`` is ``{field: [old, new]}`` for
    ``*.updated`` and ``*.moved``, else empty. ``project_id`` is the project the subject belongs
    to (the project itself for ``project.*``), ``None`` for workspace-level kinds.
    """

    kind: EventKind
    subject_id: UUID
    project_id: UUID | None
    data: dict[str, Any]
    changes: Mapping[str, list[Any]] = field(default_factory=dict)


def event_draft(
    kind: EventKind,
    resource: object,
    *,
    subject_id: UUID,
    project_id: UUID | None,
    changes: Mapping[str, list[Any]] | None = None,
) -> EventDraft:
    """An :class:`EventDraft` whose ``data`` is ``resource`` (a contract struct) as JSON builtins,
    exactly as the resource's own GET would serialize it (UUIDs and datetimes as strings)."""
    data = msgspec.to_builtins(resource)
    return EventDraft(kind, subject_id, project_id, data, _json_ready(changes or {}))


def _json_ready(changes: Mapping[str, list[Any]]) -> dict[str, list[Any]]:
    """``changes`` with UUIDs, dates and enums as JSON strings (activity stores the same shape)."""
    return msgspec.to_builtins(dict(changes))  # type: ignore[no-any-return]


#: Events are kept at least this many days unless ``TASKSTAR_EVENT_RETENTION_DAYS`` says otherwise.
DEFAULT_RETENTION_DAYS = 30


def retention_cutoff(now: datetime, days: int) -> datetime:
    """Events created before this moment may be pruned."""
    return now - timedelta(days=days)


def check_kept(after: int, first: int | None, newest: int) -> None:
    """Refuse a cursor a poller could miss events with; otherwise return.

    ``first`` is the lowest sequence read above ``after`` (``None`` when none was); ``newest`` is
    the workspace's counter, read before those events. Sequences are contiguous per workspace and
    commit in order, and pruning removes a prefix, so:

    - ``after`` 0 asks for the oldest kept events: never refused;
    - a read that does not start at ``after + 1`` although ``newest`` is past ``after`` means events
      after ``after`` were pruned: :class:`Gone` (410, contract v1.1: "an ``after`` older than what
      is kept is a 410"), with ``resume_after`` where the kept events begin;
    - ``after`` above ``newest`` was never handed out (a cursor from another workspace, or from
      before a restore): :class:`InvalidInput` on ``after`` (400), rather than a silent wait for
      numbers that were already given.
    """
    if after > newest:
        raise InvalidInput.on("after", f"no event of this workspace is numbered {after} yet; the newest is {newest}")
    if after == 0 or first == after + 1 or (first is None and newest == after):
        return
    resume_after = first - 1 if first is not None else newest
    raise Gone(
        f"Events after {after} are no longer kept; reload what you show, then read on from after={resume_after}",
        resume_after=resume_after,
    )


#: Events deleted per pruning transaction: short transactions, so writers never wait long.
PRUNE_BATCH = 1_000
