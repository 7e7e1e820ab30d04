"""Rate limiting of the routes marked ``opt={RATE_LIMITED: True}`` (login, register), per client address.

Counters live in the app's ``auth_rate_limit`` store: memory by default, Redis
when ``TASKSTAR_REDIS_URL`` is set so that limits hold across workers. Every
request counts, whatever its outcome.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

from taskstar.http.redis_client import bounded_redis
from taskstar.settings import RateLimit

STORE_NAME = "auth_rate_limit"
RATE_LIMITED = "rate_limited"


async def _is_rate_limited(request: Request[Any, Any, Any]) -> bool:
    return bool(request.route_handler.opt.get(RATE_LIMITED))


def auth_rate_limit(limit: RateLimit) -> RateLimitConfig:
    return RateLimitConfig(
        rate_limit=(limit.unit, limit.count),
        store=STORE_NAME,
        check_throttle_handler=_is_rate_limited,
    )


def rate_limit_store(redis_url: str | None) -> Store:
    """The counters' store: in memory, or on Redis at ``redis_url`` (bounded by
    :data:`taskstar.http.redis_client.REDIS_TIMEOUT_SECONDS`; its errors become 503s in ``http.problems``)."""
    if redis_url is None:
        return MemoryStore()
    # Bounded: an unchecked login is not let through, and a hang would be worse than a 503.
    client = bounded_redis(redis_url)
    return RedisStore(client, namespace="taskstar", handle_client_shutdown=True)


async def store_answers(store: Store) -> None:
    """Return once ``store`` answers a read; raise its error (``redis.RedisError``) if it cannot.
    A memory store always answers."""
    if isinstance(store, RedisStore):
        await store.exists("readiness-probe")
