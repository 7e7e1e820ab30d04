"""Telling every worker process that a workspace may have new events, through the database or Redis.

Several ``taskstar run`` workers (or hosts) serve one database; a write committed by one must
reach the live streams held by the others within a second. The wake-up travels through the
database the processes already share, never through a bus of our own:

- PostgreSQL: ``LISTEN``/``NOTIFY`` on the channel ``taskstar_events`` (payload: the workspace id,
  or ``*`` for "check every stream", sent after a token is revoked). Each process keeps one
  dedicated asyncpg connection outside the pool, for listening and for sending.
- SQLite: every process opens the same file, and ``PRAGMA data_version`` changes whenever another
  connection commits to it. Each process polls it (a read of the file header, no lock) every
  ``SQLITE_POLL_SECONDS`` and, on a change, wakes all its streams' feeds.

- Redis, when ``TASKSTAR_REDIS_URL`` is set, on either database: ``PUBLISH``/``SUBSCRIBE`` on the
  same channel name and payloads. It takes the place of the two above: no connection held outside
  the PostgreSQL pool (which a PgBouncer in transaction mode could not carry, since ``LISTEN``
  needs a session), and no 100 ms poll. Redis pub/sub ignores the database index, so deployments
  sharing a Redis wake each other's processes: they then read their own events and find nothing
  new, which costs a read, never a wrong answer. The subscriber pings Redis after a heartbeat
  interval of silence and re-subscribes when two pass unanswered: a crashed Redis host or a
  network partition closes no socket.

A wake-up carries no data: the ``event`` table is the truth, so a lost notification (a dropped
listener connection, a crash between commit and notify) only delays a stream until its next
heartbeat, when it re-reads anyway.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from uuid import UUID

import anyio
import asyncpg
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from taskstar.http.background import in_background
from taskstar.http.outages import OutageLog
from taskstar.http.redis_client import REDIS_TIMEOUT_SECONDS, bounded_redis
from taskstar.settings import Settings

logger = logging.getLogger("taskstar.live")

CHANNEL = "taskstar_events"
EVERY_WORKSPACE = "*"
#: How often each process looks at a shared SQLite file's ``data_version``.
SQLITE_POLL_SECONDS = 0.1
#: Seconds between attempts to re-open a lost listener connection (PostgreSQL or Redis).
RECONNECT_SECONDS = 1.0

Wake = Callable[[UUID | None], None]


class Wakeups:
    """Sends this process's wake-ups to the others and hands theirs to ``wake``."""

    async def publish(self, workspace_id: UUID | None) -> None:
        """Tell the other processes (``None``: every workspace)."""

    def running(self, wake: Wake) -> AbstractAsyncContextManager[None]:
        """Listen for the other processes' wake-ups, handing them to ``wake``, while the app serves."""
        raise NotImplementedError


class PostgresWakeups(Wakeups):
    """``LISTEN``/``NOTIFY`` on one asyncpg connection of this process's own."""

    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._connection: asyncpg.Connection | None = None
        self._sending = anyio.Lock()

    async def publish(self, workspace_id: UUID | None) -> None:
        connection = self._connection
        if connection is None or connection.is_closed():
            return  # the listener is reconnecting; the others catch up at their next heartbeat
        payload = EVERY_WORKSPACE if workspace_id is None else str(workspace_id)
        try:
            # One operation at a time on an asyncpg connection: concurrent writers take turns.
            async with self._sending:
                await connection.execute("SELECT pg_notify($1, $2)", CHANNEL, payload)
        except Exception as error:  # a lost wake-up only delays streams until their next heartbeat
            logger.warning("could not notify the other workers: %s", error)

    @asynccontextmanager
    async def running(self, wake: Wake) -> AsyncIterator[None]:
        async with in_background(functools.partial(self._listen, wake)):
            yield
        if self._connection is not None:
            with anyio.CancelScope(shield=True):
                await self._connection.close()

    async def _listen(self, wake: Wake) -> None:
        def on_notification(_connection: Any, _pid: int, _channel: str, payload: object) -> None:
            wake(None if payload == EVERY_WORKSPACE else _workspace(str(payload)))

        outage = _lost_and_back("PostgreSQL")
        while True:
            try:
                lost = anyio.Event()
                self._connection = await asyncpg.connect(self._dsn, timeout=5)
                self._connection.add_termination_listener(functools.partial(_set_on_termination, lost))
                await self._connection.add_listener(CHANNEL, on_notification)
                outage.ended()
                wake(None)  # notifications sent while the connection was down are lost: re-read all
                await lost.wait()
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                outage.failed(error)
            await anyio.sleep(RECONNECT_SECONDS)


def _set_on_termination(lost: anyio.Event, _connection: Any) -> None:
    lost.set()


def _workspace(payload: str) -> UUID | None:
    try:
        return UUID(payload)
    except ValueError:
        return None


class SQLiteWakeups(Wakeups):
    """A ``PRAGMA data_version`` poll of the shared database file."""

    def __init__(self, path: str) -> None:
        self._path = path

    def running(self, wake: Wake) -> AbstractAsyncContextManager[None]:
        return in_background(functools.partial(self._poll, wake))

    async def _poll(self, wake: Wake) -> None:
        connection = await anyio.to_thread.run_sync(
            lambda: sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
        )
        try:
            seen = None
            while True:
                version = await anyio.to_thread.run_sync(_data_version, connection)
                if seen is not None and version != seen:
                    wake(None)
                seen = version
                await anyio.sleep(SQLITE_POLL_SECONDS)
        finally:
            connection.close()


def _data_version(connection: sqlite3.Connection) -> int:
    value: int = connection.execute("PRAGMA data_version").fetchone()[0]
    return value


class RedisWakeups(Wakeups):
    """``PUBLISH``/``SUBSCRIBE`` on the channel ``taskstar_events`` of the Redis at ``url``: one
    connection of this process's own subscribes, a small pool publishes."""

    def __init__(self, url: str, heartbeat_seconds: float) -> None:
        self._url = url
        self._heartbeat_seconds = heartbeat_seconds
        # A publish must never hold up the request that triggered it for long.
        self._publisher = bounded_redis(url)
        self._publishing = OutageLog(
            logger, "could not wake the other workers through Redis", "wake-ups reach Redis again"
        )

    async def publish(self, workspace_id: UUID | None) -> None:
        payload = EVERY_WORKSPACE if workspace_id is None else str(workspace_id)
        try:
            await self._publisher.publish(CHANNEL, payload)
        except (RedisError, OSError) as error:  # a lost wake-up only delays streams until their next heartbeat
            self._publishing.failed(error)
        else:
            self._publishing.ended()

    @asynccontextmanager
    async def running(self, wake: Wake) -> AsyncIterator[None]:
        try:
            async with in_background(functools.partial(self._subscribe, wake)):
                yield
        finally:
            with anyio.CancelScope(shield=True):
                await self._publisher.aclose()

    async def _subscribe(self, wake: Wake) -> None:
        outage = _lost_and_back("Redis")
        while True:
            subscriber = Redis.from_url(self._url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS)
            pubsub = subscriber.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(CHANNEL)
                outage.ended()
                wake(None)  # wake-ups published while unsubscribed are lost: re-read all
                await self._receive(pubsub, wake)
            except (RedisError, OSError) as error:
                outage.failed(error)
            finally:
                with anyio.CancelScope(shield=True):
                    await pubsub.aclose()
                    await subscriber.aclose()
            await anyio.sleep(RECONNECT_SECONDS)

    async def _receive(self, pubsub: PubSub, wake: Wake) -> None:
        """Hand each message to ``wake`` until the connection fails or goes silent.

        A Redis host that crashes, or a network partition, closes nothing: the socket just stays
        quiet. So after a heartbeat interval without a message the subscriber sends a ``PING``,
        and after two without any answer it takes the connection for lost (raising
        ``redis.ConnectionError``) and subscribes anew.
        """
        interval = self._heartbeat_seconds
        heard_at = anyio.current_time()
        while True:
            message = await pubsub.get_message(timeout=interval)
            now = anyio.current_time()
            if message is not None:
                heard_at = now
                if message["type"] == "message":
                    wake(_workspace(message["data"].decode(errors="replace")))
            elif now - heard_at >= 2 * interval:
                raise RedisConnectionError(f"no answer from Redis in {now - heard_at:.1f} s")
            else:
                await pubsub.ping()


def _lost_and_back(carrier: str) -> OutageLog:
    lost = f"live updates lost {carrier} (retrying every {RECONNECT_SECONDS:g} s)"
    return OutageLog(logger, lost, f"live updates reach {carrier} again")


def wakeups_for(settings: Settings) -> Wakeups:
    """Redis when ``TASKSTAR_REDIS_URL`` is set; otherwise PostgreSQL's channel or the SQLite
    file's version, whichever database serves the app."""
    if settings.redis_url is not None:
        return RedisWakeups(settings.redis_url, settings.stream_heartbeat_seconds)
    if settings.is_sqlite:
        return SQLiteWakeups(str(settings.database.sqlite_path))
    return PostgresWakeups(settings.database.url)
