"""Pool exhaustion: with every pooled connection held by a request stuck on a lock taken
from outside, further requests are refused with 503 and ``Retry-After`` once the pool
timeout passes, instead of queueing forever; the stuck requests complete once it is lifted.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.support.api import Api
from tests.support.deployment import Deployment
from tests.support.faults import owner_with_project, running_server
from tests.support.reliability import Figures, record
from tests.support.server import connections_in_use
from tests.support.traffic import count_codes, describe

pytestmark = pytest.mark.fault

POOL_SIZE = 2
POOL_TIMEOUT_SECONDS = 1.0
REFUSED_REQUESTS = 6
#: Scheduling slack on a loaded 2-core machine, on top of the pool timeout.
SLACK_SECONDS = 2.0


@contextmanager
def tasks_locked(deployment: Deployment) -> Iterator[None]:
    """Hold, from outside the server, the lock a task insert needs: PostgreSQL's table lock,
    SQLite's single write lock. Requests that create tasks wait on it holding their connection."""
    url = deployment.env["TASKSTAR_DATABASE_URL"]
    if deployment.target.database == "sqlite":
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return

    held, release = threading.Event(), threading.Event()

    async def hold() -> None:
        connection = await asyncpg.connect(url)
        try:
            async with connection.transaction():
                await connection.execute("LOCK TABLE task IN ACCESS EXCLUSIVE MODE")
                held.set()
                await asyncio.get_running_loop().run_in_executor(None, release.wait)
        finally:
            await connection.close()

    holder = threading.Thread(target=asyncio.run, args=(hold(),))
    holder.start()
    assert held.wait(10), "could not take the lock"
    try:
        yield
    finally:
        release.set()
        holder.join(10)


def test_requests_beyond_the_pool_get_503_within_the_pool_timeout(deployment: Deployment, tmp_path: Path) -> None:
    settings = {
        "TASKSTAR_DB_POOL_SIZE": str(POOL_SIZE),
        "TASKSTAR_DB_POOL_TIMEOUT": str(POOL_TIMEOUT_SECONDS),
        "TASKSTAR_DB_STATEMENT_TIMEOUT": "60",  # the stuck requests wait for the lock, not for a timeout
    }
    with running_server(deployment, tmp_path / "server.log", **settings) as server:
        owner, project_id = owner_with_project(server)

        def create(title: str) -> httpx.Response:
            return owner.post(f"/api/projects/{project_id}/tasks", json={"title": title})

        def timed_me(_: int) -> tuple[httpx.Response, float]:
            started = time.monotonic()
            response = Api(httpx.Client(base_url=server.url, timeout=60), owner.token).get("/api/me")
            return response, time.monotonic() - started

        with ThreadPoolExecutor(max_workers=POOL_SIZE + REFUSED_REQUESTS) as pool:
            with tasks_locked(deployment):
                stuck = [pool.submit(create, f"stuck {index}") for index in range(POOL_SIZE)]
                deadline = time.monotonic() + 10
                while connections_in_use(server.url) < POOL_SIZE:
                    assert time.monotonic() < deadline, "the stuck requests never took the whole pool"
                    time.sleep(0.05)
                refused = list(pool.map(timed_me, range(REFUSED_REQUESTS)))
                lifted = time.monotonic()
            completed = [future.result(timeout=30) for future in stuck]
        recovery = time.monotonic() - lifted
        after = owner.get("/api/me")
        causes = server.log_lines("database unavailable (503)", at_least=REFUSED_REQUESTS)
        listed = {task["title"] for task in owner.get(f"/api/projects/{project_id}/tasks").json()["items"]}

    for response, seconds in refused:
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["Retry-After"].isdigit()
        # It waited for a connection for the pool timeout, then gave up: no queueing forever.
        assert POOL_TIMEOUT_SECONDS * 0.9 <= seconds < POOL_TIMEOUT_SECONDS + SLACK_SECONDS, seconds
    assert [response.status_code for response in completed] == [201] * POOL_SIZE, [r.text for r in completed]
    # Each refusal is logged once, at WARNING, as a pool timeout (not a dead server).
    assert len(causes) == REFUSED_REQUESTS, causes
    assert all("WARNING" in line and "TimeoutError" in line for line in causes), causes
    assert after.status_code == 200
    assert listed == {f"stuck {index}" for index in range(POOL_SIZE)}
    record(
        Figures(
            scenario="Pool exhausted",
            target=deployment.target.id,
            injected=f"a lock held from outside pins all {POOL_SIZE} pooled connections; "
            f"{REFUSED_REQUESTS} more requests arrive (pool timeout {POOL_TIMEOUT_SECONDS:g} s)",
            requests=POOL_SIZE + REFUSED_REQUESTS,
            client_saw=describe(count_codes(r.status_code for r in completed + [response for response, _ in refused]))
            + f"; refused after {min(s for _, s in refused):.1f} to {max(s for _, s in refused):.1f} s",
            lost=POOL_SIZE - len(listed),
            recovery_seconds=recovery,
            reproduce=f"python3 dev.py test -k 'beyond_the_pool and {deployment.target.id}'",
        )
    )
