"""The contract's cap on open event streams per user (10), counted in this process or in Redis.

With ``TASKSTAR_REDIS_URL`` set, the count is shared by every process and host using that
Redis (without it, by slot locks in the database: :mod:`taskstar.http.stream_locks`); each open
stream holds a *lease*, a member of the sorted set
``taskstar:streams:<user id>`` scored by its expiry (Redis's own clock, so hosts' clocks do not
matter). A stream renews its lease while it runs and removes it when it ends; a lease whose
process died (``kill -9``, a lost host) expires after :func:`lease_seconds`, and only then gives
its place back. While Redis does not answer, a stream is counted in its process only (logged
once per outage): live updates keep working, the cap is looser for that time. A Redis that
accepts connections but never answers holds a stream's opening for its 2 s timeout.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from uuid import UUID

from redis.exceptions import RedisError

from taskstar.http.outages import OutageLog
from taskstar.http.redis_client import bounded_redis

logger = logging.getLogger("taskstar.live")

#: The contract's cap on open streams per user.
MAX_STREAMS_PER_USER = 10


def lease_seconds(heartbeat_seconds: float) -> float:
    """How long a lease lasts unrenewed: three heartbeats, the interval at which a stream renews it."""
    return 3 * heartbeat_seconds


class Lease:
    """One open stream's place in its user's count."""

    async def renew(self) -> None:
        """Keep the place for another :func:`lease_seconds` (a no-op where nothing expires)."""

    def renew_soon(self) -> None:
        """:meth:`renew` without waiting for it: a stream must not stall on a slow Redis."""

    async def release(self) -> None:
        """Give the place back (the stream ended)."""
        self.release_soon()

    def release_soon(self) -> None:
        """Give the place back without waiting, from code that cannot await (a finalizer)."""

    def when_lost(self, callback: Callable[[], None]) -> None:
        """Have ``callback`` called if the place is lost and the stream must end (slot locks
        only: :mod:`taskstar.http.stream_locks`); a lease that cannot be lost ignores it."""


class StreamLeases:
    """Hands out at most :data:`MAX_STREAMS_PER_USER` leases per user, in this process."""

    def __init__(self) -> None:
        self._held: Counter[UUID] = Counter()

    async def acquire(self, user_id: UUID) -> Lease | None:
        """A lease for one more of ``user_id``'s streams, or ``None`` when the user holds the cap."""
        return self.acquire_here(user_id)

    def acquire_here(self, user_id: UUID) -> Lease | None:
        if self._held[user_id] >= MAX_STREAMS_PER_USER:
            return None
        self._held[user_id] += 1
        return _LocalLease(self._held, user_id)

    async def aclose(self) -> None:
        """Let go of any connection the leases use."""


class _LocalLease(Lease):
    def __init__(self, held: Counter[UUID], user_id: UUID) -> None:
        self._held = held
        self._user_id = user_id
        self._released = False

    def release_soon(self) -> None:
        if not self._released:
            self._released = True
            self._held[self._user_id] -= 1
            if self._held[self._user_id] <= 0:
                del self._held[self._user_id]


# KEYS[1]: the user's lease set. ARGV: lease id, lease milliseconds, the cap.
# Expired leases are dropped first; the set itself expires with its newest lease.
_ACQUIRE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  return 0
end
redis.call('ZADD', KEYS[1], now_ms + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
# KEYS[1]: the user's lease set. ARGV: lease id, lease milliseconds. 0 when the lease is gone.
_RENEW = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local renewed = redis.call('ZADD', KEYS[1], 'XX', 'CH', now_ms + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return renewed
"""


class RedisStreamLeases(StreamLeases):
    """The cap counted in Redis at ``url``, across every process and host that uses it."""

    def __init__(self, url: str, heartbeat_seconds: float) -> None:
        super().__init__()
        self._redis = bounded_redis(url)
        self._lease_ms = int(lease_seconds(heartbeat_seconds) * 1000)
        self._acquire = self._redis.register_script(_ACQUIRE)
        self._renew = self._redis.register_script(_RENEW)
        self._outage = OutageLog(
            logger,
            "stream leases: Redis does not answer, each process counts its own streams",
            "stream leases: Redis answers again",
        )

    async def acquire(self, user_id: UUID) -> Lease | None:
        key, lease_id = f"taskstar:streams:{user_id}", uuid.uuid4().hex
        try:
            granted = await self._acquire(keys=[key], args=[lease_id, self._lease_ms, MAX_STREAMS_PER_USER])
        except (RedisError, OSError) as error:
            self._outage.failed(error)
            return self.acquire_here(user_id)
        self._outage.ended()
        return _RedisLease(self, key, lease_id) if granted else None

    async def renew_lease(self, key: str, lease_id: str) -> None:
        try:
            await self._renew(keys=[key], args=[lease_id, self._lease_ms])
        except (RedisError, OSError) as error:  # the lease may lapse: the cap is looser, never tighter
            self._outage.failed(error)

    async def release_lease(self, key: str, lease_id: str) -> None:
        try:
            await self._redis.zrem(key, lease_id)
        except (RedisError, OSError) as error:  # it lapses by itself
            self._outage.failed(error)

    async def aclose(self) -> None:
        await self._redis.aclose()


class _RedisLease(Lease):
    def __init__(self, leases: RedisStreamLeases, key: str, lease_id: str) -> None:
        self._leases = leases
        self._key = key
        self._lease_id = lease_id
        self._released = False
        self._renewing: asyncio.Task[None] | None = None

    def renew_soon(self) -> None:
        if self._renewing is None or self._renewing.done():  # one renewal in flight at most
            self._renewing = asyncio.get_running_loop().create_task(self.renew())

    async def renew(self) -> None:
        if not self._released:
            await self._leases.renew_lease(self._key, self._lease_id)

    async def release(self) -> None:
        if not self._released:
            self._released = True
            await self._leases.release_lease(self._key, self._lease_id)

    def release_soon(self) -> None:
        # Nothing can be awaited here: the lease lapses by itself within lease_seconds.
        self._released = True
