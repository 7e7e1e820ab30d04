"""The one way Taskstar opens a Redis client (``TASKSTAR_REDIS_URL``): every wait bounded."""

from __future__ import annotations

from redis.asyncio import Redis

#: Seconds to connect to Redis or wait for its answer: past them a rate-limited request is a 503,
#: a wake-up is dropped (the heartbeat re-read catches up) and a stream is counted in its process.
REDIS_TIMEOUT_SECONDS = 2.0


def bounded_redis(url: str) -> Redis:
    """A client (with its own connection pool) whose connects and commands give up after
    :data:`REDIS_TIMEOUT_SECONDS`, raising ``redis.TimeoutError`` or ``redis.ConnectionError``."""
    client: Redis = Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )
    return client
