"""PostgreSQL connections the driver failed on, and connections PostgreSQL refuses (issue 13,
kind 4), on every persistence path:

- a connection whose request failed inside the driver (asyncpg refusing to encode a parameter,
  before or mid-protocol) is closed, never handed to a later request, which must succeed;
- a server that refuses new connections (a role's connection limit: ``too many connections``,
  SQLSTATE 53300) is a 503 with ``Retry-After``, never a 500, and the service heals once it
  accepts them again.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from litestar.testing import TestClient

from taskstar.app import create_app
from taskstar.settings import Settings
from tests.support.api import Api, assert_problem, create_project, create_task
from tests.support.deployment import Deployment
from tests.support.faults import database_of_its_own, on_postgresql_targets, running_server
from tests.support.inprocess import Layers
from tests.support.targets import POSTGRES_ADMIN_URL

pytestmark = [pytest.mark.fault, on_postgresql_targets]


async def _admin(sql: str, *args: Any, database: str | None = None) -> list[asyncpg.Record]:
    url = POSTGRES_ADMIN_URL if database is None else f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{database}"
    connection = await asyncpg.connect(url)
    try:
        if not args:  # a script of statements, without results
            await connection.execute(sql)
            return []
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


def admin(sql: str, *args: Any, database: str | None = None) -> list[asyncpg.Record]:
    return asyncio.run(_admin(sql, *args, database=database))


def taskstar_backends(database: str) -> set[int]:
    rows = admin("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'taskstar'", database)
    return {row["pid"] for row in rows}


def test_a_connection_the_driver_failed_on_is_never_handed_out_again(
    deployment: Deployment, layers: Layers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with database_of_its_own(deployment, tmp_path) as own:
        database = urlsplit(own.env["TASKSTAR_DATABASE_URL"]).path.lstrip("/")
        app = create_app(Settings.from_env({**own.env, "TASKSTAR_DB_POOL_SIZE": "1"}))
        with TestClient(app, raise_server_exceptions=False) as client:
            owner = Api(client).register()  # type: ignore[arg-type]  # Litestar's TestClient is an httpx.Client
            project = create_project(owner, owner.create_workspace()["id"])
            for _ in range(3):
                create_task(owner, project["id"])
            tasks = f"/api/projects/{project['id']}/tasks"
            page = owner.get(tasks, params={"limit": 1}).json()
            [used] = taskstar_backends(database)  # the one pooled connection

            # A value no 32-bit INTEGER parameter takes, as an edited cursor once carried (the
            # cursor's signature is bypassed here: this is about the connection, not the cursor).
            beyond_int32 = [2**31, str(uuid.uuid4())]
            with monkeypatch.context() as patch:
                patch.setattr(*layers.cursor_decoding, lambda query: beyond_int32 if query.cursor else None)
                failed = owner.get(tasks, params={"limit": 1, "cursor": page["next_cursor"]})

            assert_problem(failed, 500)  # the injected value is a server bug, not a client error
            for _ in range(3):  # writes and reads on the pool's one connection
                create_task(owner, project["id"])
                assert owner.get(tasks).status_code == 200
            assert owner.get(tasks).json()["total"] == 6
            if deployment.target.persistence == "sqlalchemy-sync":
                # psycopg sends the value and PostgreSQL refuses it (SQLSTATE 22003): an error
                # response both ends agree on, after which the connection is sound and kept.
                assert taskstar_backends(database) == {used}
            else:  # asyncpg refuses to encode it itself: that connection is closed, a new one serves
                assert used not in taskstar_backends(database)


def test_connections_the_server_refuses_are_503_until_it_accepts_them_again(
    deployment: Deployment, tmp_path: Path
) -> None:
    role = f"taskstar_limited_{uuid.uuid4().hex[:8]}"
    with database_of_its_own(deployment, tmp_path) as own:
        url = urlsplit(own.env["TASKSTAR_DATABASE_URL"])
        database = url.path.lstrip("/")
        admin(f'CREATE ROLE "{role}" LOGIN')
        try:
            admin(
                f'GRANT ALL ON SCHEMA public TO "{role}"; GRANT ALL ON ALL TABLES IN SCHEMA public TO "{role}"; '
                f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
                database=database,
            )
            as_role = url._replace(netloc=f"{role}@{url.hostname}:{url.port}").geturl()
            settings = {"TASKSTAR_DATABASE_URL": as_role, "TASKSTAR_DB_POOL_TIMEOUT": "2"}
            with running_server(own, tmp_path / "server.log", **settings) as server:
                api = Api(httpx.Client(base_url=server.url, timeout=30))
                owner = api.register()
                admin(f'ALTER ROLE "{role}" CONNECTION LIMIT 0')
                admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role)

                for _ in range(3):
                    refused = owner.get("/api/workspaces")
                    assert_problem(refused, 503)
                    assert refused.headers["Retry-After"].isdigit()
                log = server.output()
                assert "unhandled error" not in log  # what a 500 logs
                # Each 503 tells the operator why, with PostgreSQL's code for a refused connection.
                causes = server.log_lines("database unavailable (503)", at_least=3)
                # (the first may meet the killed connection instead: named too, as a closed connection)
                assert len(causes) >= 3 and all(" WARNING " in line for line in causes), causes
                assert all(re.search(r"\w+\.\w*(Error|Exception): ", line) for line in causes), causes
                # PostgreSQL's reason; asyncpg also carries its SQLSTATE (psycopg's connect errors do not)
                assert any("too many connections for role" in line for line in causes), causes
                assert all("too many connections" in line for line in causes if "SQLSTATE 53300" in line), causes

                admin(f'ALTER ROLE "{role}" CONNECTION LIMIT -1')
                assert owner.get("/api/workspaces").status_code == 200
        finally:
            admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role)
            admin(f'DROP OWNED BY "{role}"', database=database)
            admin(f'DROP ROLE "{role}"')
