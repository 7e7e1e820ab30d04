"""The sync path's adapter: a blocking service, seen by the routes as its (async) port.

``sqlalchemy-sync`` services are the async ones regenerated without ``await``
(``taskstar.sqlalchemy.sync``); their session and driver block. The shared routes await a port,
so each call goes to a worker thread through AnyIO, the way Litestar runs a ``sync_to_thread``
handler: the event loop never blocks, and the thread pool (AnyIO's default limiter, 40 threads)
bounds how many run at once. A call makes one thread hop; the session is used by one thread at a
time (the handler awaits each call), which is all ``Session`` requires.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import anyio.to_thread


class Threaded:
    """``Threaded(service).method(*args)`` awaits ``service.method(*args)`` run in a worker thread.

    Attributes that are not callables are returned as they are.
    """

    __slots__ = ("_service",)

    def __init__(self, service: object) -> None:
        self._service = service

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._service, name)
        if not callable(attribute):
            return attribute
        return _in_worker_thread(attribute)

    def __repr__(self) -> str:
        return f"Threaded({self._service!r})"


def _in_worker_thread(method: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def call(*args: Any, **kwargs: Any) -> Any:
        return await anyio.to_thread.run_sync(partial(method, *args, **kwargs))

    return call
