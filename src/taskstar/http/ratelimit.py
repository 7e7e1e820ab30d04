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
    if redis_url is None:
        return MemoryStore()
    return RedisStore.with_client(url=redis_url, namespace="taskstar")
