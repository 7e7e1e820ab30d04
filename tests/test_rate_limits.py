"""Login and register allow 10 requests a minute per client address by default, whatever
their outcome; the 11th is a 429 with Retry-After. With Redis the count holds across workers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from litestar import Litestar
from litestar.testing import TestClient

from taskstar.app import create_app
from taskstar.http.wakeups import RECONNECT_SECONDS
from taskstar.settings import Settings
from tests.support.api import assert_problem
from tests.support.deployment import Deployment
from tests.support.reliability import Figures, record
from tests.support.server import Server, free_port
from tests.support.targets import REDIS_URL
from tests.support.traffic import count_codes, describe

pytestmark = pytest.mark.security


def client_for(deployment: Deployment, **overrides: str) -> TestClient[Litestar]:
    env = {**deployment.env, **overrides}
    env.pop("TASKSTAR_AUTH_RATE_LIMIT")  # the default applies
    return TestClient(create_app(Settings.from_env(env)))


def wrong_login(client: httpx.Client) -> int:
    return client.post("/api/auth/login", json={"email": "x@example.com", "password": "wrong-password"}).status_code


def test_the_eleventh_attempt_in_a_minute_is_429(deployment: Deployment) -> None:
    with client_for(deployment) as client:
        statuses = [wrong_login(client) for _ in range(6)]
        statuses += [
            client.post("/api/auth/register", json={"email": "bad", "password": "x", "name": ""}).status_code
            for _ in range(4)
        ]
        assert statuses == [401] * 6 + [400] * 4  # every outcome counts

        refused = client.post("/api/auth/login", json={"email": "x@example.com", "password": "wrong-password"})
        assert_problem(refused, 429)
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        # Nothing else is limited.
        assert client.get("/health").status_code == 200
        assert client.get("/api/me").status_code == 401


@pytest.fixture
def clean_redis() -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(REDIS_URL)
    connection.ping()  # Redis is part of the test environment: fail, never skip
    for key in connection.scan_iter("taskstar*RateLimit*"):
        connection.delete(key)
    yield connection
    for key in connection.scan_iter("taskstar*RateLimit*"):
        connection.delete(key)
    connection.close()


def test_with_redis_two_workers_share_one_limit(
    deployment: Deployment, clean_redis: redis.Redis, tmp_path: Path
) -> None:
    env = {**deployment.env, "TASKSTAR_REDIS_URL": REDIS_URL}
    env.pop("TASKSTAR_AUTH_RATE_LIMIT")  # the default applies
    workers = [Server(env, tmp_path / f"worker-{index}.log") for index in range(2)]
    try:
        for worker in workers:
            worker.wait_until_healthy()
        with httpx.Client(base_url=workers[0].url) as first, httpx.Client(base_url=workers[1].url) as second:
            statuses = [wrong_login(first) for _ in range(5)] + [wrong_login(second) for _ in range(5)]
            assert statuses == [401] * 10
            statuses += [wrong_login(first), wrong_login(second)]
            assert statuses[10:] == [429, 429]
    finally:
        for worker in workers:
            worker.stop()
    assert any(clean_redis.scan_iter("taskstar*RateLimit*"))
    record(
        Figures(
            scenario="Login guessing across two workers",
            target=deployment.target.id,
            injected="wrong passwords from one address, alternating between two `taskstar run` processes sharing Redis",
            requests=len(statuses),
            client_saw=describe(count_codes(statuses)) + " (the 11th and 12th, one on each worker)",
            lost=None,
            recovery_seconds=None,
            reproduce=f"python3 dev.py test tests/test_rate_limits.py -k 'redis and {deployment.target.id}'",
        )
    )


def test_with_redis_gone_logins_are_503_and_ready_says_why(deployment: Deployment, tmp_path: Path) -> None:
    """A login whose limit cannot be counted is refused as unavailable, briefly, never a 500 or
    let through; ``/ready`` names Redis so that a load balancer takes the worker out."""
    nothing_listens = f"redis://127.0.0.1:{free_port()}/0"
    server = Server({**deployment.env, "TASKSTAR_REDIS_URL": nothing_listens}, tmp_path / "server.log")
    try:
        server.wait_until_healthy()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            refused = client.post("/api/auth/login", json={"email": "x@example.com", "password": "wrong-password"})
            ready = client.get("/ready")
        logged = server.log_lines("rate-limit store (Redis) unavailable (503)", at_least=1)
        time.sleep(2 * RECONNECT_SECONDS)  # the live updates' subscriber retries meanwhile
        lost = server.log_lines("live updates lost Redis", at_least=2, timeout=0)
    finally:
        server.stop()
    assert_problem(refused, 503)
    assert refused.headers["Retry-After"].isdigit()
    assert ready.status_code == 503 and ready.json() == {
        "status": "unavailable",
        "detail": "the rate-limit store (Redis) does not answer",
    }
    assert len(logged) == 1 and "WARNING" in logged[0] and "ConnectionError" in logged[0], logged
    assert len(lost) == 1 and "WARNING" in lost[0], lost  # once per outage, not once per retry
