from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

from taskstar.contract import EventRead
from taskstar.domain.access import Membership as Access
from taskstar.domain.events import PRUNE_BATCH, check_kept
from taskstar.sqlalchemy.reads import event_read

from .base import Service


class EventService(Service):
    """The workspace's event feed (its events are written by the other services' writes)."""

    async def page(self, access: Access, *, after: int, limit: int) -> tuple[list[EventRead], int]:
        # The counter first: events it counts were committed before the page is read, so a page
        # that does not start at after + 1 can only mean they were pruned (410), never a race.
        newest = await self.events.newest(access.workspace_id)
        events = await self.events.after(access.workspace_id, after, limit) if newest > after else []
        check_kept(after, events[0].sequence if events else None, newest)
        return [event_read(event) for event in events], events[-1].sequence if events else after

    async def after(self, workspace_id: UUID, after: int, limit: int) -> list[EventRead]:
        return [event_read(event) for event in await self.events.after(workspace_id, after, limit)]

    async def audience(
        self, workspace_id: UUID, user_ids: Collection[UUID], token_ids: Collection[UUID], now: datetime
    ) -> tuple[set[UUID], set[UUID]]:
        return await self.events.audience(workspace_id, user_ids, token_ids, now)

    async def prune(self, cutoff: datetime) -> int:
        """Delete the events created before ``cutoff`` (each workspace's oldest first), in
        transactions of ``PRUNE_BATCH`` rows so that no writer waits behind a long one; returns
        how many were deleted."""
        deleted = 0
        for workspace_id, through in await self.events.expired_through(cutoff):
            deleted += await self._prune_workspace(workspace_id, through)
        await self.session.commit()
        return deleted

    async def _prune_workspace(self, workspace_id: UUID, through: int) -> int:
        deleted = 0
        while True:
            batch = await self.events.delete_through(workspace_id, through, PRUNE_BATCH)
            await self.session.commit()
            deleted += batch
            if batch < PRUNE_BATCH:
                return deleted
