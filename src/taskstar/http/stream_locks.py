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
outage, as with Redis: live updates keep working, the cap is looser for that time. After the
PostgreSQL session is replaced, the process takes its streams' slots again; one another process
took meanwhile is held by both until either stream ends.

A wanted session-level lock needs a session: behind a PgBouncer in transaction mode (which cannot
carry ``LISTEN`` either), set ``TASKSTAR_REDIS_URL``.

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
from pathlib import Path
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
    outage, counted here only; ``_slots`` the slots this process holds, by user.
    """

    def __init__(self, what: str) -> None:
        super().__init__()
        self._slots: dict[UUID, set[int]] = {}
        self._outage = OutageLog(
            logger,
            f"stream slots: {what} fails, each process counts its own streams",
            f"stream slots: {what} works again",
        )

    async def acquire(self, user_id: UUID) -> Lease | None:
        try:
            slot = await self._lock_free_slot(user_id)
        except _FAILURES as error:
            self._outage.failed(error)
            return self.acquire_here(user_id)
        self._outage.ended()
        return None if slot is None else _SlotLease(self, user_id, slot)

    async def release_slot(self, user_id: UUID, slot: int) -> None:
        """Give ``slot`` back; this process's count drops at once, before the unlock is sent."""
        self._forget(user_id, slot)
        try:
            await self._unlock(user_id, slot)
        except _FAILURES as error:
            self._outage.failed(error)  # the lock went with the failed session or file

    def release_slot_soon(self, user_id: UUID, slot: int) -> None:
        """:meth:`release_slot` from code that cannot await (a finalizer)."""
        raise NotImplementedError

    def _free_slots(self, user_id: UUID) -> list[int]:
        """The user's slots this process does not hold (none once it holds the cap itself). Read
        and then locked with no ``await`` between: a lock taken twice by one process or session
        succeeds both times, so two streams must never pick the same slot."""
        if self._held[user_id] >= MAX_STREAMS_PER_USER:
            return []
        taken = self._slots.get(user_id, set())
        return [slot for slot in range(MAX_STREAMS_PER_USER) if slot not in taken]

    def _hold(self, user_id: UUID, slot: int) -> None:
        self._slots.setdefault(user_id, set()).add(slot)
        self._held[user_id] += 1

    def _forget(self, user_id: UUID, slot: int) -> None:
        slots = self._slots.get(user_id)
        if slots is not None:
            slots.discard(slot)
            if not slots:
                del self._slots[user_id]
        self._held[user_id] -= 1
        if self._held[user_id] <= 0:
            del self._held[user_id]

    async def _lock_free_slot(self, user_id: UUID) -> int | None:
        """Lock (and :meth:`_hold`) the first of the user's free slots that no other process holds;
        ``None`` when there is none."""
        raise NotImplementedError

    async def _unlock(self, user_id: UUID, slot: int) -> None:
        raise NotImplementedError


class _SlotLease(Lease):
    def __init__(self, leases: SlotStreamLeases, user_id: UUID, slot: int) -> None:
        self._leases = leases
        self._user_id = user_id
        self._slot = slot
        self._released = False

    async def release(self) -> None:
        if not self._released:
            self._released = True
            await self._leases.release_slot(self._user_id, self._slot)

    def release_soon(self) -> None:
        if not self._released:
            self._released = True
            self._leases.release_slot_soon(self._user_id, self._slot)


# The first of the keys that no other session holds, locked; its 1-based position, or NULL.
# LIMIT 1 stops the scan at the first lock taken, so no further key is tried (and left locked).
_LOCK_FIRST_FREE = """
SELECT position FROM unnest($1::bigint[]) WITH ORDINALITY AS slot(key, position)
WHERE pg_try_advisory_lock(key) LIMIT 1
"""
_RELOCK = "SELECT count(*) FILTER (WHERE pg_try_advisory_lock(key)) FROM unnest($1::bigint[]) AS slot(key)"


class PostgresStreamLeases(SlotStreamLeases):
    """Slots as advisory locks on one asyncpg connection of this process's own (opened at the
    first stream, re-opened after a failure), one statement at a time."""

    def __init__(self, dsn: str) -> None:
        super().__init__("the PostgreSQL lock session")
        self._dsn = dsn
        self._connection: asyncpg.Connection | None = None
        self._turn = anyio.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._releasing: set[asyncio.Task[None]] = set()

    async def _session(self) -> asyncpg.Connection:
        if self._connection is not None and not self._connection.is_closed():
            return self._connection
        self._loop = asyncio.get_running_loop()
        self._connection = await asyncpg.connect(self._dsn, timeout=LOCK_TIMEOUT_SECONDS, server_settings=KEEPALIVES)
        # The streams still open lost their locks with the old session: take them again.
        keys = [slot_key(user, slot) for user, slots in self._slots.items() for slot in slots]
        if keys:
            relocked = await self._connection.fetchval(_RELOCK, keys, timeout=LOCK_TIMEOUT_SECONDS)
            if relocked < len(keys):
                lost = len(keys) - relocked
                logger.warning("stream slots: %d of %d taken by other processes meanwhile", lost, len(keys))
        return self._connection

    async def _lock_free_slot(self, user_id: UUID) -> int | None:
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
            if position is None:
                return None
            slot = free[int(position) - 1]
            self._hold(user_id, slot)
            return slot

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

    def release_slot_soon(self, user_id: UUID, slot: int) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            self._forget(user_id, slot)  # no session: no lock to release
            return
        loop.call_soon_threadsafe(self._release_in_background, user_id, slot)

    def _release_in_background(self, user_id: UUID, slot: int) -> None:
        task = asyncio.get_running_loop().create_task(self.release_slot(user_id, slot))
        self._releasing.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._releasing.discard)

    def _drop(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.terminate()

    async def aclose(self) -> None:
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

    async def _lock_free_slot(self, user_id: UUID) -> int | None:
        descriptor = self._file()
        for slot in self._free_slots(user_id):  # non-blocking system calls: no thread, no await
            try:
                fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, self._offset(user_id, slot))
            except OSError as error:
                if error.errno in (errno.EACCES, errno.EAGAIN):  # another process holds it
                    continue
                raise
            self._hold(user_id, slot)
            return slot
        return None

    async def _unlock(self, user_id: UUID, slot: int) -> None:
        self._unlock_now(user_id, slot)

    def _unlock_now(self, user_id: UUID, slot: int) -> None:
        if self._descriptor is not None:
            fcntl.lockf(self._descriptor, fcntl.LOCK_UN, 1, self._offset(user_id, slot))

    def release_slot_soon(self, user_id: UUID, slot: int) -> None:
        self._forget(user_id, slot)
        try:
            self._unlock_now(user_id, slot)
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
