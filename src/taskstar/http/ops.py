"""Operations endpoints: liveness, readiness against the database, Prometheus metrics."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any, Literal

import msgspec
from litestar import Litestar, Request, get
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.response import Response
from msgspec import UNSET, UnsetType
from prometheus_client import REGISTRY, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from taskstar.http.auth import PUBLIC
from taskstar.http.problems import UNAVAILABLE_RETRY_AFTER
from taskstar.http.ratelimit import STORE_NAME, store_answers
from taskstar.persistence import PersistencePath

logger = logging.getLogger("taskstar.ops")


class Health(msgspec.Struct):
    """``GET /health``: the process answers."""

    status: Literal["ok"]


class Readiness(msgspec.Struct, omit_defaults=True):
    """``GET /ready``: ``ok`` when the database (and Redis, if configured) answers; ``unavailable`` (503) with why."""

    status: Literal["ok", "unavailable"]
    detail: str | UnsetType = UNSET


@get(
    "/health", tags=["operations"], operation_id="health", sync_to_thread=False, exclude_from_auth=True, security=PUBLIC
)
def health() -> Health:
    """200 while the process lives; touches nothing else."""
    return Health(status="ok")


@get(
    "/ready",
    tags=["operations"],
    operation_id="ready",
    exclude_from_auth=True,
    security=PUBLIC,
    responses={
        503: ResponseSpec(
            data_container=Readiness, generate_examples=False, description="The database or Redis does not answer"
        )
    },
)
async def ready(request: Request[Any, Any, State]) -> Response[Readiness]:
    """200 when the database, and Redis if the rate limits are kept there, answer within the
    readiness timeout; 503 naming the one that does not, otherwise."""
    state = request.app.state
    persistence: PersistencePath = state.persistence
    store = request.app.stores.get(STORE_NAME)
    checks: tuple[tuple[str, Callable[[], Awaitable[None]]], ...] = (
        ("the database", persistence.ping),
        ("the rate-limit store (Redis)", lambda: store_answers(store)),
    )
    for name, check in checks:
        try:
            await asyncio.wait_for(check(), timeout=state.ready_timeout_seconds)
        except Exception as exc:  # any failure to answer means "not ready"
            logger.warning("readiness check failed: %s does not answer: %r", name, exc)
            return Response(
                Readiness(status="unavailable", detail=f"{name} does not answer"),
                status_code=503,
                headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)},
            )
    return Response(Readiness(status="ok"))


class TaskstarMetrics(PrometheusController):
    path = "/metrics"
    include_in_schema = False
    openmetrics_format = False


metrics_config = PrometheusConfig(
    app_name="taskstar",
    prefix="taskstar",
    group_path=True,  # label by route template, not by every id
    exclude=["^/metrics$"],
)


#: Incremented by a persistence path for every SQL statement it sends (benchmarks divide it by requests).
DB_STATEMENTS = Counter("taskstar_db_statements", "SQL statements sent to the database")


class _PoolCollector(Collector):
    """Connections in use across the apps running in this process (one, outside tests)."""

    def __init__(self) -> None:
        self.running: list[PersistencePath] = []

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "taskstar_db_pool_connections_in_use",
            "Database connections checked out of the pool",
            value=sum(persistence.connections_in_use() for persistence in self.running),
        )


_pool_collector = _PoolCollector()
REGISTRY.register(_pool_collector)


@asynccontextmanager
async def pool_metrics(app: Litestar) -> AsyncIterator[None]:
    """Publish the app's pool use while it runs."""
    _pool_collector.running.append(app.state.persistence)
    try:
        yield
    finally:
        _pool_collector.running.remove(app.state.persistence)


OPS_HANDLERS: list[Any] = [health, ready, TaskstarMetrics]
