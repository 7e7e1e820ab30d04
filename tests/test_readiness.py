"""With PostgreSQL gone, the server answers 503 fast (never hangs, never 500) and heals by itself.

PostgreSQL only: an embedded SQLite file cannot become unreachable.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import deployment_env
from tests.server import Server, taskstar
from tests.targets import POSTGRES_ADMIN_URL, ScratchDatabase, Target, selected_targets
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.skipif(
    not any(target.database == "postgresql" for target in selected_targets()),
    reason="no PostgreSQL target selected",
)


@pytest.fixture(scope="module")
def proxied_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, TcpProxy]]:
    directory = tmp_path_factory.mktemp("readiness")
    database = ScratchDatabase.create("postgresql", directory)
    proxy = TcpProxy("127.0.0.1", int(POSTGRES_ADMIN_URL.rsplit(":", 1)[1].split("/")[0]))
    proxy.start()
    proxied_url = database.url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    env = deployment_env(Target("sqlalchemy-async", "postgresql"), proxied_url, directory / "data")
    env["TASKSTAR_DB_POOL_TIMEOUT"] = "2"
    assert taskstar("database", "upgrade", env=env).returncode == 0
    server = Server(env, directory / "server.log")
    try:
        server.wait_until_healthy()
        yield server, proxy
    finally:
        server.stop()
        database.drop()


def timed_get(url: str, **kwargs: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = httpx.get(url, timeout=15, **kwargs)  # type: ignore[arg-type]
    return response, time.monotonic() - started


def test_ready_and_api_fail_fast_with_503_and_recover(proxied_server: tuple[Server, TcpProxy]) -> None:
    server, proxy = proxied_server
    assert httpx.get(f"{server.url}/ready").status_code == 200
    register = httpx.post(
        f"{server.url}/api/auth/register",
        json={"email": "ready@example.com", "password": "password123", "name": "R"},
    )
    assert register.status_code == 201
    token = httpx.post(
        f"{server.url}/api/auth/login", json={"email": "ready@example.com", "password": "password123"}
    ).json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}

    proxy.cut()
    for _ in range(3):
        ready, seconds = timed_get(f"{server.url}/ready")
        assert ready.status_code == 503 and seconds < 3, (ready.status_code, seconds)
        api, seconds = timed_get(f"{server.url}/api/workspaces", headers=auth)
        assert api.status_code == 503 and seconds < 3, (api.status_code, seconds, api.text)
        assert api.headers["content-type"].startswith("application/problem+json")
        assert api.headers["Retry-After"].isdigit()
    assert httpx.get(f"{server.url}/health").status_code == 200  # alive, just not ready

    proxy.start()
    deadline = time.monotonic() + 10
    while httpx.get(f"{server.url}/ready").status_code != 200:
        assert time.monotonic() < deadline, "did not recover within 10 s of the database coming back"
        time.sleep(0.2)
    statuses = [httpx.get(f"{server.url}/api/workspaces", headers=auth).status_code for _ in range(5)]
    assert statuses[-1] == 200 and 500 not in statuses, statuses


def test_run_refuses_a_schema_behind_the_newest_migration(tmp_path: Path) -> None:
    database = ScratchDatabase.create("postgresql", tmp_path)
    try:
        env = deployment_env(Target("sqlalchemy-async", "postgresql"), database.url, tmp_path / "data")
        server = Server(env, tmp_path / "server.log")
        try:
            server.process.wait(timeout=60)
        finally:
            server.stop()
        assert server.process.returncode != 0
        assert "taskstar database upgrade" in server.output()
    finally:
        database.drop()
