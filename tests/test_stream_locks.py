"""The per-user stream cap without Redis (``http/stream_locks.py``): advisory locks on a real
PostgreSQL, byte-range locks on a real file shared with another process."""

from __future__ import annotations

import asyncio
import functools
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import asyncpg
import pytest

from taskstar.http.stream_leases import MAX_STREAMS_PER_USER, Lease
from taskstar.http.stream_locks import (
    LOCK_TIMEOUT_SECONDS,
    FileStreamLeases,
    PostgresStreamLeases,
    SlotStreamLeases,
    slot_key,
)
from tests.support.leases import assert_two_holders_share_each_users_cap
from tests.support.proxy import SilenceableProxy
from tests.support.targets import POSTGRES_ADMIN_URL

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def two_sessions() -> AsyncIterator[tuple[PostgresStreamLeases, PostgresStreamLeases]]:
    """Two lock holders, each with a PostgreSQL session of its own, as two worker processes."""
    first, second = PostgresStreamLeases(POSTGRES_ADMIN_URL), PostgresStreamLeases(POSTGRES_ADMIN_URL)
    try:
        yield first, second
    finally:
        await first.aclose()
        await second.aclose()


async def acquire_all(leases: SlotStreamLeases, user: uuid.UUID, count: int) -> list[Lease | None]:
    return [await leases.acquire(user) for _ in range(count)]


async def test_two_postgresql_sessions_share_each_users_cap(
    two_sessions: tuple[PostgresStreamLeases, PostgresStreamLeases],
) -> None:
    await assert_two_holders_share_each_users_cap(*two_sessions)


async def test_a_lost_postgresql_session_is_replaced_at_once_and_takes_its_slots_back(
    two_sessions: tuple[PostgresStreamLeases, PostgresStreamLeases],
) -> None:
    first, second = two_sessions
    user = uuid.uuid4()
    held = await acquire_all(first, user, 4) + await acquire_all(second, user, 6)
    assert None not in held
    ended: list[Lease] = []
    for lease in held:
        lease.when_lost(functools.partial(ended.append, lease))  # type: ignore[union-attr]

    await terminate_session_of(first)  # as a failover or an administrator would
    assert await eventually_held(user, 10), "the first holder's new session took its 4 slots back"
    assert await first.acquire(user) is None
    assert await second.acquire(user) is None
    assert ended == [], "no stream lost its place"


async def test_a_slot_taken_while_its_session_was_lost_moves_or_its_stream_ends(
    two_sessions: tuple[PostgresStreamLeases, PostgresStreamLeases],
) -> None:
    # The helper's finding: with every session terminated, the first process to open a stream
    # took a place of the other's, which kept its streams too: 14 streams open for good.
    first, second = two_sessions
    user = uuid.uuid4()
    theirs = await acquire_all(second, user, 4)
    assert None not in await acquire_all(first, user, 6)
    ended: list[Lease] = []
    for lease in theirs:
        lease.when_lost(functools.partial(ended.append, lease))  # type: ignore[union-attr]

    async with second._turn:  # the second's new session is slow to come: the first is quicker
        lost = second._connection
        assert lost is not None
        lost.terminate()
        assert await eventually_held(user, 6), "the second's locks went with its session"
        assert await first.acquire(user) is not None, "a place of the second's, taken meanwhile"
    assert await eventually_held(user, 10), "the second took back the rest"
    for _ in range(40):
        if ended:
            break
        await anyio.sleep(0.05)
    assert len(ended) == 1, "the one stream whose place was taken, with no other free, ended"
    assert await first.acquire(user) is None
    assert await second.acquire(user) is None
    for lease in theirs:
        await lease.release()  # type: ignore[union-attr]
    assert await eventually_held(user, 7), "the ended stream's release unlocked nothing of the first's"


async def test_concurrent_streams_of_one_user_in_one_process_take_distinct_slots(
    two_sessions: tuple[PostgresStreamLeases, PostgresStreamLeases],
) -> None:
    # A session locks a key it already holds again without complaint, so two streams opening at
    # once must not pick the same slot: then 10 streams would occupy fewer than 10 slots.
    first, second = two_sessions
    user = uuid.uuid4()
    granted: list[Lease] = []

    async def open_one() -> None:
        if (lease := await first.acquire(user)) is not None:
            granted.append(lease)

    async with anyio.create_task_group() as group:
        for _ in range(2 * MAX_STREAMS_PER_USER):
            group.start_soon(open_one)
    assert len(granted) == MAX_STREAMS_PER_USER
    assert await held_keys(user) == {slot_key(user, slot) for slot in range(MAX_STREAMS_PER_USER)}
    assert await second.acquire(user) is None


async def test_a_lease_released_without_awaiting_unlocks_its_slot(
    two_sessions: tuple[PostgresStreamLeases, PostgresStreamLeases],
) -> None:
    first, second = two_sessions
    user = uuid.uuid4()
    held = await acquire_all(first, user, MAX_STREAMS_PER_USER)
    held[0].release_soon()  # type: ignore[union-attr]  # as the finalizer of a stream never started
    held[0].release_soon()  # type: ignore[union-attr]  # twice gives back one place, not two
    for _ in range(40):  # the unlock is sent in the background: within 2 s
        if (lease := await second.acquire(user)) is not None:
            break
        await anyio.sleep(0.05)
    assert lease is not None, "the slot was unlocked"
    assert await second.acquire(user) is None


async def test_with_postgresql_unreachable_each_process_counts_its_own() -> None:
    leases = PostgresStreamLeases("postgresql://postgres@127.0.0.1:1/postgres")  # nothing listens there
    user = uuid.uuid4()
    try:
        with anyio.fail_after(10):
            held = await acquire_all(leases, user, MAX_STREAMS_PER_USER)
            assert None not in held, "streams still open"
            assert await leases.acquire(user) is None, "and the cap still holds in this process"
            await held[0].release()  # type: ignore[union-attr]
            assert await leases.acquire(user) is not None
    finally:
        await leases.aclose()


async def test_a_postgresql_session_gone_silent_holds_no_stream_up_for_long() -> None:
    # A PostgreSQL host that crashes, or a partition, closes no socket: a statement waits for an
    # answer that never comes. Every stream opening of the process waits on that one session.
    proxy = SilenceableProxy("127.0.0.1", urlsplit(POSTGRES_ADMIN_URL).port or 5432)
    leases = PostgresStreamLeases(
        urlsplit(POSTGRES_ADMIN_URL)._replace(netloc=f"postgres@127.0.0.1:{proxy.port}").geturl()
    )
    user = uuid.uuid4()
    try:
        assert await leases.acquire(user) is not None
        proxy.silence_open_connections()
        started = time.monotonic()
        # Waited on beside, not cancelled: the lock statement is shielded from cancellation.
        opening = asyncio.ensure_future(leases.acquire(user))
        done, _ = await asyncio.wait({opening}, timeout=LOCK_TIMEOUT_SECONDS + 3)
        assert opening in done, "opening a stream waited on the silent session"
        assert opening.result() is not None, "counted in the process meanwhile"
        assert time.monotonic() - started < LOCK_TIMEOUT_SECONDS + 1.5
    finally:
        if leases._connection is not None:  # still the silent one when the test failed
            leases._connection.terminate()
        await leases.aclose()
        proxy.close()


async def test_two_processes_on_one_sqlite_file_share_each_users_cap_until_one_is_killed(tmp_path: Path) -> None:
    lock_file = tmp_path / "taskstar.db-streams"
    user = uuid.uuid4()
    other = hold_slots_in_another_process(lock_file, user, 7)
    leases = FileStreamLeases(lock_file)
    try:
        held = await acquire_all(leases, user, 3)
        assert None not in held
        assert await leases.acquire(user) is None, "7 held by the other process, 3 here"

        other.kill()  # SIGKILL: nothing of its own runs, the kernel drops its locks
        other.wait(10)
        assert None not in await acquire_all(leases, user, 7)
        assert await leases.acquire(user) is None
    finally:
        other.kill()
        await leases.aclose()


def hold_slots_in_another_process(lock_file: Path, user: uuid.UUID, count: int) -> subprocess.Popen[str]:
    """A Python process that takes ``count`` of the user's slots in ``lock_file``, says so on
    its standard output, and holds them until killed."""
    script = textwrap.dedent(f"""
        import asyncio, sys, uuid
        from pathlib import Path
        from taskstar.http.stream_locks import FileStreamLeases

        async def main():
            leases = FileStreamLeases(Path({str(lock_file)!r}))
            held = [await leases.acquire(uuid.UUID({str(user)!r})) for _ in range({count})]
            print(sum(lease is not None for lease in held), flush=True)
            await asyncio.sleep(3600)

        asyncio.run(main())
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == str(count), "the other process took its slots"
    return process


async def terminate_session_of(leases: PostgresStreamLeases) -> None:
    session = leases._connection  # the test plays the server ending it
    assert session is not None
    pid = session.get_server_pid()
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    for _ in range(100):
        if session.is_closed():
            return
        await anyio.sleep(0.05)
    raise AssertionError("the terminated session did not close within 5 s")


async def eventually_held(user: uuid.UUID, count: int, seconds: float = 5) -> bool:
    """Whether, within ``seconds``, exactly ``count`` of the user's slots are locked."""
    for _ in range(int(seconds / 0.05)):
        if len(await held_keys(user)) == count:
            return True
        await anyio.sleep(0.05)
    return False


async def held_keys(user: uuid.UUID) -> set[int]:
    """The advisory lock keys of ``user``'s slots that some session holds (``pg_locks`` shows a
    bigint key as its high and low 32 bits)."""
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        rows = await admin.fetch(
            "SELECT ((classid::bigint << 32) | objid::bigint) AS key FROM pg_locks"
            " WHERE locktype = 'advisory' AND objsubid = 1 AND granted"
        )
    finally:
        await admin.close()
    wanted = {slot_key(user, slot) for slot in range(MAX_STREAMS_PER_USER)}
    return {key for key in (_signed(row["key"]) for row in rows) if key in wanted}


def _signed(key: int) -> int:
    return key - 2**64 if key >= 2**63 else key
