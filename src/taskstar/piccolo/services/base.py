from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from piccolo.table import Table
from uuid_utils.compat import uuid7

from taskstar.domain.access import Membership
from taskstar.domain.events import EventDraft
from taskstar.piccolo.database import Database
from taskstar.piccolo.tables import Event, Workspace


class Service:
    def __init__(self, db: Database) -> None:
        self.db = db

    @asynccontextmanager
    async def writing_with_events(self, access: Membership) -> AsyncIterator[list[EventDraft]]:
        """``db.writing()`` for a write that records events: the body appends the change's event
        drafts to the list it gets; when it ends without an error, :meth:`commit_with_events`
        records them as the transaction's last statements, and leaving the block commits. On an
        error the change rolls back and no event is recorded."""
        async with self.db.writing():
            drafts: list[EventDraft] = []
            yield drafts
            await self.commit_with_events(access, drafts)

    async def commit_with_events(self, access: Membership, drafts: Sequence[EventDraft]) -> None:
        """Record ``drafts`` as the workspace's next events, by the caller, right before the commit
        (:meth:`writing_with_events` calls it last): the change and its events in one transaction,
        the event counter's lock held only until that commit (``taskstar.domain.events``). Nothing
        when there are no drafts."""
        await record_events(access.workspace_id, access.user_id, drafts)


async def record_events(workspace_id: UUID, actor_id: UUID, drafts: Sequence[EventDraft]) -> None:
    """Number ``drafts`` with the workspace's next sequence values and insert them: two statements.
    The counter's UPDATE holds the workspace row (PostgreSQL) or the write lock (SQLite) until the
    transaction ends, so sequence order is commit order (``taskstar.domain.events``)."""
    if not drafts:
        return
    # Numbering events is not a change to the workspace: its updated_at stays.
    [row] = await (
        Workspace.update({Workspace.event_sequence: Workspace.event_sequence + len(drafts)})
        .where(Workspace.id == workspace_id)
        .returning(Workspace.event_sequence)
    )
    last: int = row["event_sequence"]
    at = now()
    await Event.insert(
        *(
            Event(
                id=uuid7(), workspace_id=workspace_id, sequence=sequence, kind=draft.kind.value,
                project_id=draft.project_id, subject_id=draft.subject_id, actor_id=actor_id,
                data=json.dumps(draft.data), changes=json.dumps(draft.changes), created_at=at, updated_at=at,
            )
            for sequence, draft in zip(range(last - len(drafts) + 1, last + 1), drafts, strict=True)
        )
    )  # fmt: skip


def now() -> datetime:
    return datetime.now(UTC)


async def save_changes(row: Table, changes: Mapping[str, Any]) -> None:
    """One UPDATE of the columns that changed, and ``updated_at``; none when nothing did."""
    changed = {field: value for field, value in changes.items() if getattr(row, field) != value}
    if not changed:
        return
    for field, value in changed.items():
        setattr(row, field, value)
    row.updated_at = now()  # type: ignore[attr-defined]  # every Taskstar table has updated_at
    await row.save([row._meta.get_column_by_name(field) for field in (*changed, "updated_at")])
