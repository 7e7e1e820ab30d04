"""Pruning the event feed: events older than ``TASKSTAR_EVENT_RETENTION_DAYS`` are deleted.

Contract v1.1 keeps events at least 30 days by default. Each worker process prunes shortly after
it starts and then every hour, outside any request, in transactions of at most
``taskstar.domain.events.PRUNE_BATCH`` rows that take no lock a writer needs (writers lock the
workspace's event counter, pruning only the old event rows): on PostgreSQL a writer never waits
for it; on SQLite, whose writers take turns, one batch is a few milliseconds of the write lock.
Several workers pruning at once delete the same oldest rows; the loser's DELETE finds them gone.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime

import anyio

from taskstar.domain.events import retention_cutoff
from taskstar.http.background import in_background

logger = logging.getLogger("taskstar.events")

#: Seconds between two pruning runs of one worker process.
PRUNE_INTERVAL_SECONDS = 3600.0
#: Seconds after start-up before the first run, so that start-up itself stays quick.
FIRST_PRUNE_DELAY_SECONDS = 5.0


class EventPruner:
    """Runs ``prune(cutoff)`` (``PersistencePath.prune_events``) at start and then every hour."""

    def __init__(self, prune: Callable[[datetime], Awaitable[int]], retention_days: int) -> None:
        self._prune = prune
        self._retention_days = retention_days

    async def prune_once(self) -> int:
        """Delete what is past retention now; a failure is logged (the next run tries again)."""
        try:
            deleted = await self._prune(retention_cutoff(datetime.now(UTC), self._retention_days))
        except Exception as error:  # a database restart must not stop the server, only delay pruning
            logger.warning("could not prune the event feed: %s", error)
            return 0
        if deleted:
            logger.info("pruned %d event(s) older than %d days", deleted, self._retention_days)
        return deleted

    async def _run(self) -> None:
        await anyio.sleep(FIRST_PRUNE_DELAY_SECONDS)
        while True:
            await self.prune_once()
            await anyio.sleep(PRUNE_INTERVAL_SECONDS)

    def running(self) -> AbstractAsyncContextManager[None]:
        """Prune in the background while the app serves."""
        return in_background(self._run)
