"""``last_used_at`` of personal API tokens, written outside the requests that use them.

The contract asks for ``last_used_at`` updated at most once a minute per token and never a write
on every request. Authentication notes a use when the stored ``last_used_at`` is a minute old (or
unset); this recorder batches the noted uses and writes them in a transaction of its own, about
once a second, so a request never waits for that write, never adds a statement to its own unit of
work, and a failed write (a locked SQLite file, a database restart) costs only a timestamp.

Several worker processes may note the same token within the minute: the UPDATE skips a row whose
``last_used_at`` is less than a minute older than the use (``ApiTokensPort.record_uses``), so the
row is written at most once a minute whatever the number of workers. Nothing here decides whether
a token is valid: every request still looks its token up in the database.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from uuid import UUID

import anyio

from taskstar.domain.api_tokens import LAST_USED_RESOLUTION
from taskstar.http.background import in_background

logger = logging.getLogger("taskstar.tokens")

#: Seconds between two writes of the noted uses.
FLUSH_INTERVAL_SECONDS = 1.0


class TokenUseRecorder:
    """Collects API token uses (token id, moment) and writes them in batches through ``write``."""

    def __init__(
        self,
        write: Callable[[Mapping[UUID, datetime]], Awaitable[None]],
        interval_seconds: float = FLUSH_INTERVAL_SECONDS,
    ) -> None:
        self._write = write
        self._interval_seconds = interval_seconds
        self._pending: dict[UUID, datetime] = {}
        # This process's own last note per token: a token used 500 times a second between two
        # writes is noted once, not 500 times, before the database shows the new value.
        self._noted: dict[UUID, datetime] = {}

    def note(self, token_id: UUID, used_at: datetime) -> None:
        """Remember a use; it is written with the next batch unless noted less than a minute ago."""
        last = self._noted.get(token_id)
        if last is not None and used_at - last < LAST_USED_RESOLUTION:
            return
        self._noted[token_id] = used_at
        self._pending[token_id] = used_at

    async def flush(self) -> None:
        """Write the uses noted since the last write; a failure is logged and the uses dropped."""
        pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            await self._write(pending)
        except Exception as error:  # a timestamp is not worth a crash, nor a retry storm
            logger.warning("could not record %d API token use(s): %s", len(pending), error)
        newest = max(pending.values())
        self._noted = {token: moment for token, moment in self._noted.items() if newest - moment < LAST_USED_RESOLUTION}

    async def _run(self) -> None:
        while True:
            await anyio.sleep(self._interval_seconds)
            await self.flush()

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Write in the background while the app serves; write what is left when it stops."""
        async with in_background(self._run):
            yield
        with anyio.CancelScope(shield=True):
            await self.flush()
