"""The per-user stream cap across processes without Redis: each open stream holds a *slot lock*.

A user has :data:`~taskstar.http.stream_leases.MAX_STREAMS_PER_USER` slots; an open stream holds
one of them as a lock kept by something every process of the deployment already shares:

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on one dedicated connection
  of the process, outside the pool. PostgreSQL releases a session's advisory locks when the session
  ends, so a worker killed with ``kill -9`` gives its slots back as soon as its socket closes; a
  host that vanishes without closing anything is noticed by the server's TCP keepalives, which
  this connection sets to about a minute (the operating system's default is two hours).
- SQLite: a POSIX byte-range lock (``fcntl.lockf``) on one byte per slot of the file
  ``<database file>-streams`` beside the database, which every process on the host opens. The
  kernel releases a process's locks when it exits, however it exits.

So, unlike Redis leases, nothing is renewed and nothing lapses late. A process looks at its own
slots first (no round-trip to refuse an 11th stream it holds itself). While the lock holder fails
(PostgreSQL down, the file unwritable), a stream is counted in its process only, logged once per
outage, as with Redis: live updates keep working, the cap is looser for that time. A lost
PostgreSQL session is replaced at once while streams are open, and takes their slots back; a
stream whose slot another process took meanwhile moves to a free slot or ends
(:class:`PostgresStreamLeases`).

A session-level lock needs a session of its own: behind a PgBouncer in transaction mode (which
cannot carry ``LISTEN`` either), set ``TASKSTAR_REDIS_URL``.

Own code, not a library: the environment's lock packages (``filelock``, ``portalocker``,
``fasteners``) lock whole files, one per name; ten byte ranges of one file are ten lines of
``fcntl``, and the advisory locks are two SQL functions.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import anyio
import asyncpg

from taskstar.http.outages import OutageLog
from taskstar.http.stream_leases import MAX_STREAMS_PER_USER, Lease, RedisStreamLeases, StreamLeases
from taskstar.settings import Settings

logger = logging.getLogger("taskstar.live")

#: What a failing lock holder raises: the lock session lost or unreachable, the lock file unusable.
_FAILURES = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)

#: How long opening or closing a stream waits for the lock session (to connect, or to answer a
#: statement: a PostgreSQL that stops answering must not hold up every stream of the process).
LOCK_TIMEOUT_SECONDS = 2.0
#: Server-side TCP keepalives of the lock session (seconds): a vanished host's slots come back
#: after about idle + interval x count.
KEEPALIVES = {"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3"}


def slot_key(user_id: UUID, slot: int) -> int:
    """The lock key of ``user_id``'s ``slot`` (0-9): a signed 64-bit integer, the first 8 bytes
    of SHA-256 over a namespace, the user id and the slot. Random-looking, so neither another
    user's slots nor another application's advisory locks meet it but by a 2^-64 chance."""
    digest = hashlib.sha256(b"taskstar-stream-slot:" + user_id.bytes + bytes([slot])).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SlotStreamLeases(StreamLeases):
    """The cap as slot locks; subclasses say how a slot is locked and unlocked.

    ``_held`` (the base class's count) counts every stream of this process, slotted or, during an
    outage, counted here only; ``_slotted`` the leases holding a slot, by user and slot.
    """

    def __init__(self, what: str) -> None:
        super().__init__()
        self._slotted: dict[UUID, dict[int, _SlotLease]] = {}
        self._outage = OutageLog(
            logger,
            f"stream slots: {what} fails, each process counts its own streams",
            f"stream slots: {what} works again",
        )

    async def acquire(self, user_id: UUID) -> Lease | None:
        try:
            lease = await self._lock_free_slot(user_id)
        except _FAILURES as error:
            self._outage.failed(error)
            return self.acquire_here(user_id)
        self._outage.ended()
        return lease

    async def release_slot(self, lease: _SlotLease) -> None:
        """Give ``lease``'s slot back; this process's count drops at once, before the unlock is sent."""
        self._forget(lease)
        try:
            await self._unlock(lease.user_id, lease.slot)
        except _FAILURES as error:
            self._outage.failed(error)  # the lock went with the failed session or file

    def release_slot_soon(self, lease: _SlotLease) -> None:
        """:meth:`release_slot` from code that cannot await (a finalizer)."""
        raise NotImplementedError

    def _free_slots(self, user_id: UUID) -> list[int]:
        """The user's slots this process does not hold (none once it holds the cap itself). Read
        and then locked with no ``await`` between: a lock taken twice by one process or session
        succeeds both times, so two streams must never pick the same slot."""
        if self._held[user_id] >= MAX_STREAMS_PER_USER:
            return []
        return self._unheld_slots(user_id)

    def _unheld_slots(self, user_id: UUID) -> list[int]:
        """The user's slots no lease of this process holds, whatever its count."""
        taken = self._slotted.get(user_id, {})
        return [slot for slot in range(MAX_STREAMS_PER_USER) if slot not in taken]

    def _hold(self, user_id: UUID, slot: int) -> _SlotLease:
        lease = _SlotLease(self, user_id, slot)
        self._slotted.setdefault(user_id, {})[slot] = lease
        self._held[user_id] += 1
        return lease

    def _forget(self, lease: _SlotLease) -> None:
        slots = self._slotted.get(lease.user_id, {})
        if slots.get(lease.slot) is lease:
            del slots[lease.slot]
            if not slots:
                del self._slotted[lease.user_id]
            self._held[lease.user_id] -= 1
            if self._held[lease.user_id] <= 0:
                del self._held[lease.user_id]

    def _move(self, lease: _SlotLease, slot: int) -> None:
        slots = self._slotted[lease.user_id]
        del slots[lease.slot]
        lease.slot = slot
        slots[slot] = lease

    async def _lock_free_slot(self, user_id: UUID) -> _SlotLease | None:
        """Lock the first of the user's free slots that no other process holds and :meth:`_hold`
        it; ``None`` when there is none."""
        raise NotImplementedError

    async def _unlock(self, user_id: UUID, slot: int) -> None:
        raise NotImplementedError


class _SlotLease(Lease):
    def __init__(self, leases: SlotStreamLeases, user_id: UUID, slot: int) -> None:
        self._leases = leases
        self.user_id = user_id
        self.slot = slot  # another, when a lost lock session's successor finds it taken
        self._released = False
        self._on_lost: list[Callable[[], None]] = []

    async def release(self) -> None:
        if not self._released:
            self._released = True
            await self._leases.release_slot(self)

    def release_soon(self) -> None:
        if not self._released:
            self._released = True
            self._leases.release_slot_soon(self)

    def when_lost(self, callback: Callable[[], None]) -> None:
        self._on_lost.append(callback)

    def lose(self) -> None:
        """The slot is gone and no other was free: the stream must end (its client reconnects)."""
        self._released = True
        for callback in self._on_lost:
            callback()


# The first of the keys that no other session holds, locked; its 1-based position, or NULL.
# LIMIT 1 stops the scan at the first lock taken, so no further key is tried (and left locked).
_LOCK_FIRST_FREE = """
SELECT position FROM unnest($1::bigint[]) WITH ORDINALITY AS slot(key, position)
WHERE pg_try_advisory_lock(key) LIMIT 1
"""
# Every key tried once; the ones another session holds come back.
_RELOCK = """
SELECT coalesce(array_agg(key), '{}') FROM unnest($1::bigint[]) AS slot(key) WHERE NOT pg_try_advisory_lock(key)
"""
#: Seconds between attempts to open a new lock session while streams hold slots.
RECONNECT_SECONDS = 1.0


class PostgresStreamLeases(SlotStreamLeases):
    """Slots as advisory locks on one asyncpg connection of this process's own (opened at the
    first stream), one statement at a time.

    A lost session (PostgreSQL restarted, the session terminated, a network failure) took the
    slots' locks with it, and other processes may take them meanwhile. So the moment it is lost
    while streams are open, a new session is opened (retrying every :data:`RECONNECT_SECONDS`)
    and takes the slots back; a stream whose slot another process took moves to a free one, or,
    when the user has none left, ends (its client reconnects with ``Last-Event-ID`` and misses
    nothing). So the cap holds again once every process has its session back.
    """

    def __init__(self, dsn: str) -> None:
        super().__init__("the PostgreSQL lock session")
        self._dsn = dsn
        self._connection: asyncpg.Connection | None = None
        self._turn = anyio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._recovering: asyncio.Task[None] | None = None
        self._closing = False

    async def _session(self) -> asyncpg.Connection:
        if self._connection is not None and not self._connection.is_closed():
            return self._connection
        self._loop = asyncio.get_running_loop()
        connection = await asyncpg.connect(self._dsn, timeout=LOCK_TIMEOUT_SECONDS, server_settings=KEEPALIVES)
        connection.add_termination_listener(self._on_termination)
        self._connection = connection
        await self._take_back(connection)
        return connection

    async def _take_back(self, connection: asyncpg.Connection) -> None:
        """Lock the slots of the streams still open again, after their session was lost; a slot
        another process took meanwhile moves to a free one, or its stream ends."""
        leases = [lease for slots in self._slotted.values() for lease in slots.values()]
        if not leases:
            return
        keys = [slot_key(lease.user_id, lease.slot) for lease in leases]
        taken = set(await connection.fetchval(_RELOCK, keys, timeout=LOCK_TIMEOUT_SECONDS))
        ended = 0
        held = len(leases)
        for lease in leases:
            if slot_key(lease.user_id, lease.slot) not in taken:
                continue
            free = self._unheld_slots(lease.user_id)  # the lease counts already
            free_keys = [slot_key(lease.user_id, slot) for slot in free]
            position = (
                await connection.fetchval(_LOCK_FIRST_FREE, free_keys, timeout=LOCK_TIMEOUT_SECONDS)
                if free_keys
                else None
            )
            if position is None:
                self._forget(lease)
                lease.lose()
                ended += 1
            else:
                self._move(lease, free[int(position) - 1])
        if taken:
            logger.warning(
                "stream slots: %d of %d taken by other processes while the lock session was lost; %d streams ended",
                len(taken), held, ended,
            )  # fmt: skip

    async def _lock_free_slot(self, user_id: UUID) -> _SlotLease | None:
        # Shielded: a lock taken but not recorded (the client left mid-statement) would hold its
        # slot until the process ends. Once recorded, an unstarted stream's finalizer releases it.
        async with self._turn:
            with anyio.CancelScope(shield=True):
                try:
                    connection = await self._session()
                    if not (free := self._free_slots(user_id)):
                        return None
                    keys = [slot_key(user_id, slot) for slot in free]
                    position = await connection.fetchval(_LOCK_FIRST_FREE, keys, timeout=LOCK_TIMEOUT_SECONDS)
                except _FAILURES:
                    self._drop()  # a session in doubt: its locks go with it, the next one re-takes them
                    raise
            return None if position is None else self._hold(user_id, free[int(position) - 1])

    async def _unlock(self, user_id: UUID, slot: int) -> None:
        async with self._turn:
            connection = self._connection
            if connection is None or connection.is_closed():
                return  # the session's locks ended with it
            try:
                await connection.execute(
                    "SELECT pg_advisory_unlock($1)", slot_key(user_id, slot), timeout=LOCK_TIMEOUT_SECONDS
                )
            except _FAILURES:
                self._drop()  # a session in doubt: its locks go with it, the next one re-takes the rest
                raise

    def release_slot_soon(self, lease: _SlotLease) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            self._forget(lease)  # no session: no lock to release
            return
        loop.call_soon_threadsafe(self._in_background, lambda: self.release_slot(lease))

    def _in_background(self, work: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        async def run() -> None:
            await work()

        task = asyncio.get_running_loop().create_task(run())
        self._background.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._background.discard)
        return task

    def _on_termination(self, connection: Any) -> None:
        if connection is self._connection:  # lost, not closed by this class
            self._connection = None
            self._recover_soon()

    def _drop(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.terminate()
        self._recover_soon()

    def _recover_soon(self) -> None:
        if self._closing or not self._slotted or (self._recovering is not None and not self._recovering.done()):
            return
        self._recovering = self._in_background(self._recover)

    async def _recover(self) -> None:
        """A new session for the streams still open, retried until it works or none is left."""
        while self._slotted and not self._closing:
            async with self._turn:
                with anyio.CancelScope(shield=True):
                    try:
                        await self._session()
                    except _FAILURES as error:
                        if self._connection is not None:
                            connection, self._connection = self._connection, None
                            connection.terminate()
                        self._outage.failed(error)
                    else:
                        self._outage.ended()
                        return
            await anyio.sleep(RECONNECT_SECONDS)

    async def aclose(self) -> None:
        self._closing = True
        if self._recovering is not None:
            self._recovering.cancel()
        if self._connection is not None:
            connection, self._connection = self._connection, None
            with anyio.CancelScope(shield=True):
                try:
                    await connection.close(timeout=LOCK_TIMEOUT_SECONDS)  # PostgreSQL releases its locks
                except _FAILURES:
                    connection.terminate()


class FileStreamLeases(SlotStreamLeases):
    """Slots as exclusive POSIX locks on byte ranges of ``path``, one byte per slot.

    POSIX locks belong to the process, not to the file descriptor: two apps in one process on
    the same file do not exclude each other, and closing any descriptor of the file drops all of
    the process's locks on it. So the file is opened once, here, and closed only by :meth:`aclose`.
    The file must stay where it is while Taskstar runs: a process that starts after it was
    deleted locks a new file, which the others do not see.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(f"the lock file {path}")
        self._path = path
        self._descriptor: int | None = None

    def _file(self) -> int:
        if self._descriptor is None:
            self._descriptor = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._descriptor

    @staticmethod
    def _offset(user_id: UUID, slot: int) -> int:
        return slot_key(user_id, slot) & (2**62 - 1)  # a non-negative off_t; the file stays empty

    async def _lock_free_slot(self, user_id: UUID) -> _SlotLease | None:
        descriptor = self._file()
        for slot in self._free_slots(user_id):  # non-blocking system calls: no thread, no await
            try:
                fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, self._offset(user_id, slot))
            except OSError as error:
                if error.errno in (errno.EACCES, errno.EAGAIN):  # another process holds it
                    continue
                raise
            return self._hold(user_id, slot)
        return None

    async def _unlock(self, user_id: UUID, slot: int) -> None:
        self._unlock_now(user_id, slot)

    def _unlock_now(self, user_id: UUID, slot: int) -> None:
        if self._descriptor is not None:
            fcntl.lockf(self._descriptor, fcntl.LOCK_UN, 1, self._offset(user_id, slot))

    def release_slot_soon(self, lease: _SlotLease) -> None:
        self._forget(lease)
        try:
            self._unlock_now(lease.user_id, lease.slot)
        except OSError as error:
            self._outage.failed(error)

    async def aclose(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # the kernel drops the process's locks on the file
            self._descriptor = None


def stream_leases_for(settings: Settings) -> StreamLeases:
    """How the cap is counted across processes: Redis leases when ``TASKSTAR_REDIS_URL`` is set,
    otherwise slot locks in PostgreSQL or beside the SQLite file."""
    if settings.redis_url is not None:
        return RedisStreamLeases(settings.redis_url, settings.stream_heartbeat_seconds)
    if settings.is_sqlite:
        path = settings.database.sqlite_path
        return FileStreamLeases(path.with_name(path.name + "-streams"))
    return PostgresStreamLeases(settings.database.url)
