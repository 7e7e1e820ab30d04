"""The per-user stream cap's leases on a real Redis, and without one (``http/stream_leases.py``)."""

from __future__ import annotations

import time
import uuid

import anyio
import pytest
import redis

from taskstar.http.stream_leases import MAX_STREAMS_PER_USER, RedisStreamLeases, StreamLeases
from tests.support.leases import assert_two_holders_share_each_users_cap
from tests.support.server import free_port
from tests.support.targets import REDIS_URL

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_two_processes_sharing_a_redis_share_each_users_cap() -> None:
    # Two lease holders stand for two worker processes: nothing is shared but the Redis.
    first, second = RedisStreamLeases(REDIS_URL, 15), RedisStreamLeases(REDIS_URL, 15)
    try:
        await assert_two_holders_share_each_users_cap(first, second)
    finally:
        await first.aclose()
        await second.aclose()


async def test_a_lease_lapses_unless_renewed() -> None:
    leases = RedisStreamLeases(REDIS_URL, 0.2)  # a heartbeat of 0.2 s: leases last 0.6 s
    user = uuid.uuid4()
    try:
        renewed = [await leases.acquire(user) for _ in range(MAX_STREAMS_PER_USER)]
        for _ in range(4):  # 0.8 s, past a lease's life, renewing every 0.2 s
            await anyio.sleep(0.2)
            for lease in renewed:
                await lease.renew()  # type: ignore[union-attr]
        assert await leases.acquire(user) is None, "renewed leases hold their places"

        await anyio.sleep(0.8)  # no renewal: as if their process had been killed
        assert await leases.acquire(user) is not None
    finally:
        await leases.aclose()


async def test_the_users_lease_set_does_not_outlive_its_leases() -> None:
    leases = RedisStreamLeases(REDIS_URL, 0.1)
    user = uuid.uuid4()
    try:
        await leases.acquire(user)
        ttl = redis.Redis.from_url(REDIS_URL).pttl(f"taskstar:streams:{user}")
        assert 0 < ttl <= 300  # milliseconds: nothing is left behind in Redis
    finally:
        await leases.aclose()


async def test_without_redis_answering_each_process_counts_its_own() -> None:
    leases = RedisStreamLeases(f"redis://127.0.0.1:{free_port()}/0", 15)  # nothing listens there
    user = uuid.uuid4()
    started = time.monotonic()
    try:
        held = [await leases.acquire(user) for _ in range(MAX_STREAMS_PER_USER)]
        assert all(lease is not None for lease in held), "streams still open"
        assert await leases.acquire(user) is None, "and the cap still holds in this process"
        await held[0].release()  # type: ignore[union-attr]
        assert await leases.acquire(user) is not None
    finally:
        await leases.aclose()
    assert time.monotonic() - started < 5, "a refused connection fails fast"


async def test_without_redis_set_the_cap_is_counted_in_the_process() -> None:
    leases = StreamLeases()
    user = uuid.uuid4()
    held = [await leases.acquire(user) for _ in range(MAX_STREAMS_PER_USER)]
    assert await leases.acquire(user) is None
    held[-1].release_soon()  # type: ignore[union-attr]
    held[-1].release_soon()  # type: ignore[union-attr]  # twice gives back one place, not two
    assert await leases.acquire(user) is not None
    assert await leases.acquire(user) is None
