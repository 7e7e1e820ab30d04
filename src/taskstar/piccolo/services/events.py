"""The workspace's event feed; its events are written by the other services' writes
(``Service.writing_with_events``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from piccolo.query.functions.aggregate import Max

from taskstar.contract import EventRead
from taskstar.domain.access import Membership as Access
from taskstar.domain.events import PRUNE_BATCH, check_kept
from taskstar.piccolo.reads import event_read
from taskstar.piccolo.tables import ApiToken, Event, Membership, Workspace

from .base import Service


class EventService(Service):
    async def page(self, access: Access, *, after: int, limit: int) -> tuple[list[EventRead], int]:
        async with self.db.reading():
            # The counter first: events it counts were committed before the page is read, so a page
            # that does not start at after + 1 can only mean they were pruned (410), never a race.
            newest = await self._newest(access.workspace_id)
            rows = await self._after(access.workspace_id, after, limit) if newest > after else []
        check_kept(after, rows[0]["sequence"] if rows else None, newest)
        return [event_read(row) for row in rows], rows[-1]["sequence"] if rows else after

    async def after(self, workspace_id: UUID, after: int, limit: int) -> list[EventRead]:
        async with self.db.reading():
            rows = await self._after(workspace_id, after, limit)
        return [event_read(row) for row in rows]

    async def audience(
        self, workspace_id: UUID, user_ids: Collection[UUID], token_ids: Collection[UUID], now: datetime
    ) -> tuple[set[UUID], set[UUID]]:
        """Members of the workspace among ``user_ids``; live API tokens among ``token_ids``."""
        members: set[UUID] = set()
        tokens: set[UUID] = set()
        async with self.db.reading():
            if user_ids:
                rows = await Membership.select(Membership.user_id).where(
                    Membership.workspace_id == workspace_id, Membership.user_id.is_in(list(user_ids))
                )
                members = {row["user_id"] for row in rows}
            if token_ids:
                rows = await ApiToken.select(ApiToken.id).where(
                    ApiToken.id.is_in(list(token_ids)), ApiToken.expires_at > now
                )
                tokens = {row["id"] for row in rows}
        return members, tokens

    async def prune(self, cutoff: datetime) -> int:
        """Delete the events created before ``cutoff`` (each workspace's oldest first), in
        transactions of ``PRUNE_BATCH`` rows so that no writer waits behind a long one; returns
        how many were deleted."""
        async with self.db.reading():
            expired = await self._expired_through(cutoff)
        deleted = 0
        for workspace_id, through in expired:
            deleted += await self._prune_workspace(workspace_id, through)
        return deleted

    async def _prune_workspace(self, workspace_id: UUID, through: int) -> int:
        deleted = 0
        while True:
            async with self.db.writing():
                batch = await self._delete_through(workspace_id, through, PRUNE_BATCH)
            deleted += batch
            if batch < PRUNE_BATCH:
                return deleted

    # --- queries -------------------------------------------------------------

    @staticmethod
    async def _newest(workspace_id: UUID) -> int:
        """The last sequence number given in the workspace (0 before its first event)."""
        row = await Workspace.select(Workspace.event_sequence).where(Workspace.id == workspace_id).first()
        return int(row["event_sequence"]) if row is not None else 0

    @staticmethod
    async def _after(workspace_id: UUID, after: int, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` events numbered above ``after``, oldest first, with their actor's name."""
        rows: list[dict[str, Any]] = await (
            Event.select(*Event._meta.columns, Event.actor_id.name.as_alias("actor_name"))
            .where(Event.workspace_id == workspace_id, Event.sequence > after)
            .order_by(Event.sequence)
            .limit(limit)
            .output(load_json=True)
        )
        return rows

    @staticmethod
    async def _expired_through(cutoff: datetime) -> list[tuple[UUID, int]]:
        """Per workspace with events created before ``cutoff``: the highest such sequence. Pruning
        deletes up to it, so what stays of a feed is a contiguous suffix, which is what lets a reader
        tell a pruned cursor (410) from an empty page."""
        rows = await (
            Event.select(Event.workspace_id, Max(Event.sequence, alias="through"))
            .where(Event.created_at < cutoff)
            .group_by(Event.workspace_id)
        )
        return [(row["workspace_id"], int(row["through"])) for row in rows]

    @staticmethod
    async def _delete_through(workspace_id: UUID, through: int, batch: int) -> int:
        """Delete the workspace's ``batch`` lowest-numbered events up to ``through`` (lowest first,
        so the feed never has a hole); returns how many went."""
        doomed = (
            Event.select(Event.id)
            .where(Event.workspace_id == workspace_id, Event.sequence <= through)
            .order_by(Event.sequence)
            .limit(batch)
        )
        deleted = await Event.delete().where(Event.id.is_in(doomed)).returning(Event.id)
        return len(deleted)
