"""Live updates: the event feed as Server-Sent Events, fanned out inside each worker process.

The table is the truth (``event``, gap-free in commit order); a wake-up only tells a process that
a workspace may have new events, so a lost wake-up delays a stream, never loses an event:

- a write answered 2xx by this process wakes its own readers at once (:func:`wake_on_write`) and
  tells the other processes through the database's own channel (:mod:`taskstar.http.wakeups`:
  PostgreSQL ``LISTEN``/``NOTIFY``, on SQLite a ``PRAGMA data_version`` poll of the shared file);
- every workspace's reader also re-reads, and re-checks access, once per heartbeat interval, so
  even a lost notification costs at most that long.

Per process and workspace, one :class:`_WorkspaceFeed` reads the new events once per wake-up (its
own short unit of work: no connection is held while streams are idle), checks in one round trip
which of its streams' users are still members and which of their API tokens are still valid, and
hands each stream what it may see. A stream whose caller lost access gets nothing more and ends;
one whose own reads lag behind (a resumed stream catching up) reads the gap itself first.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
import sys
import threading
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from uuid import UUID

import anyio
import msgspec
from litestar.enums import ScopeType
from litestar.response.sse import ServerSentEventMessage
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from taskstar.contract import EventRead
from taskstar.domain.events import EventKind
from taskstar.http.stream_leases import Lease, StreamLeases
from taskstar.ports import EventsPort

logger = logging.getLogger("taskstar.live")

#: Events read per round trip, by a feed or by a stream catching up.
READ_BATCH = 100


@dataclass(eq=False)
class _Stream:
    """One open SSE response: who it is for and what it has been sent."""

    user_id: UUID
    token_id: UUID | None
    expires_at: datetime | None
    """When a login token ends the stream (an API token's expiry is checked with the database)."""
    last: int
    inbox: asyncio.Queue[list[EventRead] | None] = field(default_factory=asyncio.Queue)
    """Batches handed over by the workspace's feed; ``None``: access lost, end the stream."""


class _WorkspaceFeed:
    """This process's reader of one workspace's events, shared by its open streams."""

    def __init__(
        self,
        workspace_id: UUID,
        open_events: Callable[[], AbstractAsyncContextManager[EventsPort]],
        recheck_seconds: float,
    ) -> None:
        self.workspace_id = workspace_id
        self._recheck_seconds = recheck_seconds
        self.streams: set[_Stream] = set()
        self._open_events = open_events
        self._last: int | None = None
        self._woken = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._retired = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run(), name=f"feed {self.workspace_id}")

    def retire(self) -> None:
        """Stop after the current read, if any: cancelling a read in flight could leave its
        connection for the pool to clean up, and the stream that left must not wait for that."""
        self._retired = True
        self._woken.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    def wake(self) -> None:
        self._woken.set()

    async def _run(self) -> None:
        while True:
            # Without a wake-up, re-read and re-check access once per heartbeat anyway: a lost
            # notification, an API token that expired, cost at most that long.
            with suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self._recheck_seconds)
            self._woken.clear()
            if self._retired:  # set by retire(), meanwhile
                return
            try:
                with anyio.CancelScope(shield=True):  # see _read_own: a read is never cut off midway
                    await self._deliver()
            except Exception as error:  # the database away: streams wait for the next wake-up
                logger.warning("could not read the event feed of %s: %s", self.workspace_id, error)

    async def _deliver(self) -> None:
        streams = list(self.streams)
        if self._last is None:
            # From where the most advanced stream stands; one behind it reads its gap itself.
            self._last = max((stream.last for stream in streams), default=0)
        async with self._open_events() as events:
            batch: list[EventRead] = []
            while len(page := await events.after(self.workspace_id, self._last, READ_BATCH)) > 0:
                batch += page
                self._last = page[-1].sequence
                if len(page) < READ_BATCH:
                    break
            members, tokens = await events.audience(
                self.workspace_id,
                {stream.user_id for stream in streams},
                {stream.token_id for stream in streams if stream.token_id is not None},
                datetime.now(UTC),
            )
        for stream in streams:
            allowed = stream.user_id in members and (stream.token_id is None or stream.token_id in tokens)
            if batch and allowed:
                stream.inbox.put_nowait(batch)
            elif not allowed:
                # A member removed by an event in this batch still gets the events up to their removal.
                if before_removal := _up_to_removal(batch, stream.user_id):
                    stream.inbox.put_nowait(before_removal)
                stream.inbox.put_nowait(None)


def _up_to_removal(batch: list[EventRead], user_id: UUID) -> list[EventRead]:
    for index, event in enumerate(batch):
        if event.kind is EventKind.MEMBER_REMOVED and event.subject_id == user_id:
            return batch[: index + 1]
    return []


class TooManyStreams(Exception):
    """The user holds ``MAX_STREAMS_PER_USER`` open streams already (in this process, or in every
    process sharing the Redis: :mod:`taskstar.http.stream_leases`)."""


class ShuttingDown(Exception):
    """The server is stopping: no new stream opens here."""


class LiveFeeds:
    """Every open event stream of this process, by workspace; woken by :meth:`wake`."""

    def __init__(
        self,
        open_events: Callable[[], AbstractAsyncContextManager[EventsPort]],
        heartbeat_seconds: float,
        leases: StreamLeases | None = None,
    ) -> None:
        self._open_events = open_events
        self.heartbeat_seconds = heartbeat_seconds
        self._leases = leases or StreamLeases()
        self._feeds: dict[UUID, _WorkspaceFeed] = {}
        self._ending = False

    def wake(self, workspace_id: UUID | None = None) -> None:
        """New events may exist in ``workspace_id`` (``None``: in any workspace, or access changed)."""
        feeds = self._feeds.values() if workspace_id is None else [self._feeds.get(workspace_id)]
        for feed in feeds:
            if feed is not None:
                feed.wake()

    async def open_stream(
        self,
        workspace_id: UUID,
        *,
        user_id: UUID,
        token_id: UUID | None,
        expires_at: datetime | None,
        after: int,
    ) -> AsyncIterator[ServerSentEventMessage]:
        """The stream's SSE messages: every event after ``after``, then each new one as it commits,
        a comment line at every heartbeat; it ends when the caller loses access or its token
        expires. :class:`TooManyStreams` when the user holds ``MAX_STREAMS_PER_USER`` already,
        :class:`ShuttingDown` when the server is stopping."""
        if self._ending:
            raise ShuttingDown
        lease = await self._leases.acquire(user_id)
        if lease is None:
            raise TooManyStreams
        stream = _Stream(user_id=user_id, token_id=token_id, expires_at=expires_at, last=after)
        # Its place taken while a lock session was lost: the stream ends, the client comes back.
        lease.when_lost(functools.partial(stream.inbox.put_nowait, None))
        messages = self._stream_messages(workspace_id, stream, lease)
        # A response that never started its body gives the place back too.
        weakref.finalize(messages, lease.release_soon)
        return messages

    async def _stream_messages(
        self, workspace_id: UUID, stream: _Stream, lease: Lease
    ) -> AsyncIterator[ServerSentEventMessage]:
        feed = self._join(workspace_id, stream)
        renewed_at = time.monotonic()
        try:
            async for message in self._messages(feed, stream):
                yield message
                # A keep-alive goes out at least once per heartbeat, so this renews at that pace.
                if time.monotonic() - renewed_at >= self.heartbeat_seconds:
                    renewed_at = time.monotonic()
                    lease.renew_soon()
        finally:
            self._leave(feed, stream)
            with anyio.CancelScope(shield=True):  # a client that left cancels the stream: release anyway
                await lease.release()

    async def _messages(self, feed: _WorkspaceFeed, stream: _Stream) -> AsyncIterator[ServerSentEventMessage]:
        caught_up = False
        while True:
            if not caught_up:  # a resumed stream reads what it missed itself, page by page
                # Shielded: a client that goes away (Litestar then cancels the response) must not
                # cut a read off midway, which leaves its pooled connection to be torn down
                # half-closed (aiosqlite) or makes the pool wait for it (asyncpg). It finishes first.
                with anyio.CancelScope(shield=True):
                    page = await self._read_own(feed, stream)
                if page is None:
                    return
                for event in page:
                    yield _message(event)
                stream.last = page[-1].sequence if page else stream.last
                caught_up = len(page) < READ_BATCH
                continue
            batch = await self._next_batch(stream)
            if batch is None:
                return
            if batch == []:
                yield ServerSentEventMessage(data=None, comment="keep-alive")
                continue
            if batch[0].sequence > stream.last + 1:  # the feed read past where this stream stands
                caught_up = False
                continue
            for event in batch:
                if event.sequence > stream.last:
                    yield _message(event)
                    stream.last = event.sequence

    async def _next_batch(self, stream: _Stream) -> list[EventRead] | None:
        """The next batch for the stream, ``[]`` when a heartbeat is due, ``None`` when it ends."""
        timeout = self.heartbeat_seconds
        if stream.expires_at is not None:
            left = (stream.expires_at - datetime.now(UTC)).total_seconds()
            if left <= 0:
                return None
            timeout = min(timeout, left)
        try:
            return await asyncio.wait_for(stream.inbox.get(), timeout)
        except TimeoutError:
            return []

    async def _read_own(self, feed: _WorkspaceFeed, stream: _Stream) -> list[EventRead] | None:
        """A page after the stream's own position, ``None`` if its caller lost access."""
        async with self._open_events() as events:
            page = list(await events.after(feed.workspace_id, stream.last, READ_BATCH))
            tokens = {stream.token_id} if stream.token_id is not None else set()
            members, live = await events.audience(feed.workspace_id, {stream.user_id}, tokens, datetime.now(UTC))
        if stream.user_id in members and live == tokens:
            return page
        return None

    def _join(self, workspace_id: UUID, stream: _Stream) -> _WorkspaceFeed:
        feed = self._feeds.get(workspace_id)
        if feed is None:
            feed = self._feeds[workspace_id] = _WorkspaceFeed(workspace_id, self._open_events, self.heartbeat_seconds)
            feed.start()
        feed.streams.add(stream)
        return feed

    def _leave(self, feed: _WorkspaceFeed, stream: _Stream) -> None:
        feed.streams.discard(stream)
        if not feed.streams and self._feeds.get(feed.workspace_id) is feed:
            del self._feeds[feed.workspace_id]
            feed.retire()

    def end_all(self) -> None:
        """End every open stream (the server is stopping: its clients reconnect elsewhere)."""
        self._ending = True
        for feed in self._feeds.values():
            for stream in feed.streams:
                stream.inbox.put_nowait(None)

    async def close(self) -> None:
        self.end_all()
        for feed in list(self._feeds.values()):
            await feed.stop()
        self._feeds.clear()
        await self._leases.aclose()


def _message(event: EventRead) -> ServerSentEventMessage:
    return ServerSentEventMessage(data=msgspec.json.encode(event).decode(), event=str(event.kind), id=event.sequence)


@asynccontextmanager
async def running(feeds: LiveFeeds) -> AsyncIterator[None]:
    """End every stream when the server is told to stop, and stop the feeds' readers after.

    uvicorn answers SIGTERM and SIGINT by waiting for every response in flight to finish before it
    runs the app's shutdown, and an event stream never finishes by itself: without this, a server
    with an open stream would never stop. So the handlers uvicorn installed are wrapped (this runs
    after it installed them) to end the streams first, then do what uvicorn does.
    """
    loop = asyncio.get_running_loop()
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGTERM, signal.SIGINT)}

    def end_streams_then(signum: int, frame: FrameType | None) -> None:
        signum = signal.Signals(signum)
        loop.call_soon_threadsafe(feeds.end_all)
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:
            signal.default_int_handler(signum, frame) if signum == signal.SIGINT else sys.exit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        for signum in previous:
            signal.signal(signum, end_streams_then)
    try:
        yield
    finally:
        await feeds.close()


#: A route handler's ``opt`` key: a 2xx answer may change who may see which stream (a revoked
#: API token), so every stream's access is checked again, in every process.
RECHECKS_EVERY_STREAM = "rechecks_every_stream"
LIVE_FEEDS_STATE = "live_feeds"
WAKEUPS_STATE = "wakeups"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def wake_on_write(app: ASGIApp) -> ASGIApp:
    """After a 2xx answer to a write on a workspace's resources, wake that workspace's streams here
    and, through the database, in every other process. The wake-up goes out once the response
    has been sent, so it never delays the writer."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] in _SAFE_METHODS:
            await app(scope, receive, send)
            return
        status = 0

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await app(scope, receive, remember_status)
        if not 200 <= status < 300:
            return
        route_handler = scope.get("route_handler")
        if route_handler is not None and route_handler.opt.get(RECHECKS_EVERY_STREAM):
            target: UUID | None = None
        else:
            membership = scope.get("state", {}).get("membership")
            target = getattr(membership, "workspace_id", None)
            if target is None:
                return
        state = scope["app"].state
        state[LIVE_FEEDS_STATE].wake(target)
        try:
            await state[WAKEUPS_STATE].publish(target)
        except Exception as error:  # the response is sent: nothing may fail it now, nor its connection
            logger.warning("could not wake the other workers' streams: %s", error)

    return middleware
