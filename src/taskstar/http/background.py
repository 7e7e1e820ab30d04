"""Work an app does beside its requests, for as long as it serves."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

import anyio


@asynccontextmanager
async def in_background(work: Callable[[], Coroutine[Any, Any, None]]) -> AsyncIterator[None]:
    """Run ``work`` (a loop that never returns by itself) while the block runs; cancel it when the
    block ends, as a lifespan's shutdown does. An exception ``work`` raises ends the block too."""
    async with anyio.create_task_group() as group:
        group.start_soon(work)
        try:
            yield
        finally:
            group.cancel_scope.cancel()
