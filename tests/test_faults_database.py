"""PostgreSQL failing under load, on every persistence path: its connections killed from the
server side, then the database made unreachable through a proxy the test controls.

Clients must be told 503 with ``Retry-After`` quickly (never a hang past the configured
timeouts, never a 500), ``/ready`` must say 503 meanwhile, the service must heal by
itself once the database is back, and every acknowledged write must be there after.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest

from tests.support.deployment import Deployment
from tests.support.faults import (
    CreateAndComment,
    database_of_its_own,
    lost_writes,
    on_postgresql_targets,
    owner_with_project,
    running_server,
    seconds_until_serving,
)
from tests.support.reliability import Figures, record
from tests.support.server import Server
from tests.support.targets import POSTGRES_ADMIN_URL
from tests.support.tcp_proxy import TcpProxy
from tests.support.traffic import Answer, Traffic, describe, statuses

pytestmark = [pytest.mark.fault, on_postgresql_targets]

POOL_TIMEOUT_SECONDS = 2
STATEMENT_TIMEOUT_SECONDS = 3
#: No answer may take longer while the database fails: a connect attempt and a pool wait
#: each give up after the pool timeout; the rest is slack for a loaded 2-core machine.
FAIL_FAST_SECONDS = 2 * POOL_TIMEOUT_SECONDS + 2
#: With a database that stops answering, a request may also wait out one statement: the client-side
#: deadline, a second after the server's statement timeout (which a hung server never enforces).
HUNG_DATABASE_SECONDS = FAIL_FAST_SECONDS + STATEMENT_TIMEOUT_SECONDS + 1
RECOVERY_LIMIT_SECONDS = 10
CLIENTS = 6


def fault_settings() -> dict[str, str]:
    return {
        "TASKSTAR_DB_POOL_TIMEOUT": str(POOL_TIMEOUT_SECONDS),
        "TASKSTAR_DB_STATEMENT_TIMEOUT": str(STATEMENT_TIMEOUT_SECONDS),
    }


@contextmanager
def server_behind_a_proxy(deployment: Deployment, tmp_path: Path) -> Iterator[tuple[Server, TcpProxy]]:
    """A server that reaches its database through a proxy the test can cut or silence."""
    url = urlsplit(deployment.env["TASKSTAR_DATABASE_URL"])
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 5432)
    proxy.start()
    proxied = url._replace(netloc=url.netloc.replace(f":{url.port}", f":{proxy.port}")).geturl()
    with running_server(
        deployment, tmp_path / "server.log", **fault_settings(), TASKSTAR_DATABASE_URL=proxied
    ) as server:
        yield server, proxy


def figures(
    deployment: Deployment, scenario: str, injected: str, answers: list[Answer], lost: int, recovery: float, test: str
) -> Figures:
    return Figures(
        scenario=scenario,
        target=deployment.target.id,
        injected=injected,
        requests=len(answers),
        client_saw=f"{describe(statuses(answers))}; slowest {max(answer.seconds for answer in answers):.1f} s",
        lost=lost,
        recovery_seconds=recovery,
        reproduce=f"python3 dev.py test -k '{test} and {deployment.target.id}'",
    )


def terminate_connections(database: str) -> int:
    """``pg_terminate_backend`` on every connection to ``database``: what a DBA, a failover or an
    idle-session reaper does to a running service."""

    async def terminate() -> int:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        try:
            return await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                database,
            )
        finally:
            await admin.close()

    return asyncio.run(terminate())


def assert_failed_fast_and_cleanly(answers: list[Answer], limit: float = FAIL_FAST_SECONDS) -> None:
    """Every answer under the fault is a success or a 503 problem with Retry-After, and none was slower than
    ``limit``."""
    unexpected = [answer for answer in answers if answer.status not in {200, 201, 503}]
    assert not unexpected, f"{describe(statuses(unexpected))}: {unexpected[:3]}"
    for answer in answers:
        if answer.status == 503:
            assert answer.content_type.startswith("application/problem+json"), answer
            assert answer.retry_after is not None and answer.retry_after.isdigit(), answer
    slowest = max(answers, key=lambda answer: answer.seconds)
    assert slowest.seconds < limit, f"an answer took {slowest.seconds:.1f} s: {slowest}"


def test_connections_killed_from_the_server_side(deployment: Deployment, tmp_path: Path) -> None:
    with (
        database_of_its_own(deployment, tmp_path) as own,
        running_server(own, tmp_path / "server.log", **fault_settings()) as server,
    ):
        database = urlsplit(own.env["TASKSTAR_DATABASE_URL"]).path.lstrip("/")
        owner, project_id = owner_with_project(server)
        with Traffic(server.url, owner.token or "", CreateAndComment(project_id), clients=CLIENTS) as traffic:
            time.sleep(1)
            killed = 0
            for _ in range(10):  # ten rounds, 0.3 s apart: connections die mid-query, mid-commit, idle
                killed += terminate_connections(database)
                time.sleep(0.3)
            recovery = seconds_until_serving(server, owner, project_id, limit=RECOVERY_LIMIT_SECONDS)
            time.sleep(1)  # traffic on the healed service
        answers = traffic.snapshot()
        lost, half = lost_writes(owner, project_id, answers)

    assert_failed_fast_and_cleanly(answers)
    assert statuses(answers)["503"] > 0, "no request met a killed connection: the fault was not injected"
    assert lost == 0 and not half, (lost, half)
    injected = f"pg_terminate_backend on all of the server's connections, 10 times in 3 s ({killed} killed)"
    scenario = "PostgreSQL connections killed under load"
    record(figures(deployment, scenario, injected, answers, lost, recovery, "killed_from_the_server_side"))


def test_database_unreachable_then_back(deployment: Deployment, tmp_path: Path) -> None:
    with server_behind_a_proxy(deployment, tmp_path) as (server, proxy):
        owner, project_id = owner_with_project(server)
        with Traffic(server.url, owner.token or "", CreateAndComment(project_id), clients=CLIENTS) as traffic:
            time.sleep(1)
            proxy.cut()
            outage_started = len(traffic.snapshot())
            ready_during_outage = [httpx.get(f"{server.url}/ready", timeout=30) for _ in range(3)]
            health_during_outage = httpx.get(f"{server.url}/health", timeout=30)
            time.sleep(3)
            proxy.start()
            back = len(traffic.snapshot())
            recovery = seconds_until_serving(server, owner, project_id, limit=RECOVERY_LIMIT_SECONDS)
            time.sleep(1)
        answers = traffic.snapshot()
        lost, half = lost_writes(owner, project_id, answers)

    assert [response.status_code for response in ready_during_outage] == [503] * 3
    assert health_during_outage.status_code == 200  # alive, only not ready
    assert_failed_fast_and_cleanly(answers)
    assert statuses(answers[outage_started:back])["503"] > 0, "no request met the outage"
    assert lost == 0 and not half, (lost, half)
    injected = "a TCP proxy between server and database stops listening and drops every connection"
    scenario = "PostgreSQL unreachable for 3 s under load"
    record(figures(deployment, scenario, injected, answers, lost, recovery, "unreachable_then_back"))


def test_database_that_stops_answering(deployment: Deployment, tmp_path: Path) -> None:
    """The hardest outage: connections stay open and nothing comes back, so no error tells the
    server anything; only its own timeouts (connect, pool, statement) end each wait."""
    silence = STATEMENT_TIMEOUT_SECONDS + POOL_TIMEOUT_SECONDS + 1
    with server_behind_a_proxy(deployment, tmp_path) as (server, proxy):
        owner, project_id = owner_with_project(server)
        with Traffic(server.url, owner.token or "", CreateAndComment(project_id), clients=CLIENTS) as traffic:
            time.sleep(1)
            proxy.swallow()
            outage_started = len(traffic.snapshot())
            ready, ready_seconds = timed_ready(server.url)
            time.sleep(silence)
            proxy.swallow(False)
            back = len(traffic.snapshot())
            recovery = seconds_until_serving(server, owner, project_id, limit=RECOVERY_LIMIT_SECONDS)
            time.sleep(1)
        answers = traffic.snapshot()
        lost, half = lost_writes(owner, project_id, answers)

    assert ready == 503 and ready_seconds < FAIL_FAST_SECONDS, (ready, ready_seconds)
    assert_failed_fast_and_cleanly(answers, limit=HUNG_DATABASE_SECONDS)
    assert statuses(answers[outage_started:back])["503"] > 0, "no request met the outage"
    assert lost == 0 and not half, (lost, half)
    injected = f"a TCP proxy keeps every connection open but passes nothing on, for {silence:g} s"
    scenario = "PostgreSQL stops answering under load"
    record(figures(deployment, scenario, injected, answers, lost, recovery, "stops_answering"))


def timed_ready(base_url: str) -> tuple[int, float]:
    started = time.monotonic()
    status = httpx.get(f"{base_url}/ready", timeout=60).status_code
    return status, time.monotonic() - started
