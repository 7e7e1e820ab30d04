"""Personal API tokens across worker processes, and what the server writes about them.

Revocation must hold at once on every worker process serving the same database: no per-process
cache may outlive it. And a token, or the hash the server stores, must never reach a log line,
even at DEBUG.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.api import PASSWORD, Api, assert_nothing_private
from tests.support.deployment import Deployment
from tests.support.server import Server

REQUESTS_PER_PHASE = 60


@pytest.fixture
def two_workers(deployment: Deployment, tmp_path: Path) -> Iterator[Server]:
    server = Server({**deployment.env, "TASKSTAR_LOG_LEVEL": "DEBUG"}, tmp_path / "server.log", workers=2)
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


def _fresh_connection_status(server: Server, token: str) -> int:
    # A new connection per request, so the workers' accept() calls share them out.
    with httpx.Client(base_url=server.url, timeout=10, event_hooks={"response": [assert_nothing_private]}) as client:
        return client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code


def test_a_revoked_token_is_refused_at_once_by_every_worker_and_never_logged(two_workers: Server) -> None:
    with httpx.Client(base_url=two_workers.url, timeout=10, event_hooks={"response": [assert_nothing_private]}) as http:
        api = Api(http)
        user = api.register("Scripter")
        created = user.post("/api/me/tokens", json={"name": "two workers"})
        assert created.status_code == 201, created.text
        token, token_id = created.json()["token"], created.json()["id"]

        accepted = [_fresh_connection_status(two_workers, token) for _ in range(REQUESTS_PER_PHASE)]
        assert accepted == [200] * REQUESTS_PER_PHASE
        assert user.delete(f"/api/me/tokens/{token_id}").status_code == 204
        refused = [_fresh_connection_status(two_workers, token) for _ in range(REQUESTS_PER_PHASE)]
        assert refused == [401] * REQUESTS_PER_PHASE, f"accepted after revocation: {refused.count(200)}"

    # The access log shows each request, the SQLAlchemy paths' engine log each statement (at
    # DEBUG): the lines a token or its hash could have slipped into. (Written from a background
    # thread: wait for the last ones.)
    logged = two_workers.log_lines('"GET /api/me HTTP/1.1"', at_least=2 * REQUESTS_PER_PHASE)
    assert len(logged) >= 2 * REQUESTS_PER_PHASE, f"{len(logged)} of the requests were logged"
    log = two_workers.output()
    workers = two_workers.log_lines("Started server process", at_least=2)
    assert len(set(workers)) >= 2, f"expected two worker processes to have served: {workers}"
    for secret in (token, hashlib.sha256(token.encode()).hexdigest(), PASSWORD):
        assert secret not in log, "a token, its hash or a password reached the server's log"
