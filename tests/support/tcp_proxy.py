"""A TCP proxy the test controls, to make a real database unreachable and bring it back."""

from __future__ import annotations

import asyncio
import threading
from contextlib import suppress

from tests.support.server import free_port


class TcpProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self._swallowing = False
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    def _call(self, coroutine: object) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)  # type: ignore[arg-type]

    def start(self) -> None:
        self._call(self._start())

    def cut(self) -> None:
        """Stop listening and drop every open connection: the database is gone."""
        self._call(self._cut())

    def swallow(self, swallowing: bool = True) -> None:
        """Keep every connection open but pass nothing on, either way: a database that hangs,
        or a network that drops packets. No error ever comes back; only timeouts end a wait."""
        self._swallowing = swallowing

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._pipes):
            writer.close()
        self._pipes.clear()

    async def _accept(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self._pipes.update({client_writer, upstream_writer})
        await asyncio.gather(self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with suppress(OSError, asyncio.CancelledError):
            while data := await reader.read(65536):
                if not self._swallowing:
                    writer.write(data)
                    await writer.drain()
        writer.close()
        self._pipes.discard(writer)
