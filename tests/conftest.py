"""Fixtures for the one suite, parametrized over persistence path x database.

Isolation: each run gets a fresh database built by ``taskstar database upgrade``
(never ``create_all``); each test then creates its own users and workspaces
with unique emails and slugs, so tests share a database without sharing data
and commit for real, with no rollback tricks that would hide commit failures.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from taskstar.app import create_app
from taskstar.http import event_retention
from taskstar.settings import Settings
from tests.support.api import Api, assert_nothing_private
from tests.support.deployment import Deployment, deployment_env
from tests.support.inprocess import Layers, layers_for
from tests.support.server import Server, taskstar
from tests.support.targets import ScratchDatabase, Target, selected_targets


@pytest.fixture(scope="session", params=selected_targets(), ids=lambda target: target.id)
def deployment(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    target: Target = request.param
    directory = tmp_path_factory.mktemp(target.id)
    database = ScratchDatabase.create(target.database, directory)
    env = deployment_env(target, database.url, directory / "data")
    upgrade = taskstar("database", "upgrade", "--no-prompt", env=env)
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    try:
        yield Deployment(target, env)
    finally:
        database.drop()


@pytest.fixture(scope="session")
def server(deployment: Deployment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(deployment.env, tmp_path_factory.mktemp("logs") / "server.log")
    try:
        running.wait_until_healthy()
        yield running
    finally:
        running.stop()


@pytest.fixture
def api(server: Server) -> Iterator[Api]:
    """An anonymous client of the real server; every response is checked for secrets."""
    with httpx.Client(base_url=server.url, timeout=30, event_hooks={"response": [assert_nothing_private]}) as client:
        yield Api(client)


@pytest.fixture
def app_client(deployment: Deployment, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient[Litestar]]:
    """The app in this process, on the run's database, with the real settings, but for the
    background pruning of the event feed: its statements, 5 s after start, would be counted as a
    request's by the statement budgets (a CI run saw 4 for a 3-statement list). Tests prune by
    calling ``prune_events`` themselves."""
    monkeypatch.setattr(event_retention, "FIRST_PRUNE_DELAY_SECONDS", 24 * 3600)
    app = create_app(Settings.from_env(deployment.env))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def layers(deployment: Deployment) -> Layers:
    return layers_for(deployment.target.persistence, deployment.target.database)


@pytest.fixture
def in_process_api(app_client: TestClient[Litestar]) -> Api:
    return Api(app_client)  # type: ignore[arg-type]  # Litestar's TestClient is an httpx.Client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (``--dist loadgroup``), every test of one target runs on the same worker,
    so each worker builds a target's database and server once; targets run side by side."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        target = callspec.params.get("deployment") if callspec else None
        if isinstance(target, Target):
            item.add_marker(pytest.mark.xdist_group(target.id))


#: Suites that CI demands on every selected target: each must pass at least one test there.
DEMANDED_SUITES = ("fault", "soak", "security")
_passed: set[tuple[str, str]] = set()  # (target id, suite or "any")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" and report.passed:
        for target in selected_targets():
            if f"[{target.id}" in report.nodeid or f"-{target.id}" in report.nodeid:
                _passed.add((target.id, "any"))
                _passed.update((target.id, suite) for suite in DEMANDED_SUITES if suite in report.keywords)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI, a selected target (PostgreSQL above all) that no test reached, or where the fault,
    soak or security suite passed nothing, is a failure, whatever else passed. Runs that select
    tests themselves (``-k``, ``-m``, file arguments) are not held to this."""
    options = session.config.option
    selected_by_hand = session.config.args != session.config.getini("testpaths") or options.keyword or options.markexpr
    is_xdist_worker = hasattr(session.config, "workerinput")  # the controller sees every worker's reports
    if not os.environ.get("CI") or exitstatus != 0 or selected_by_hand or is_xdist_worker:
        return
    missing = [
        f"{target.id} ({suite})"
        for target in selected_targets()
        for suite in ("any", *DEMANDED_SUITES)
        if (target.id, suite) not in _passed
    ]
    if missing:
        session.config.get_terminal_writer().line(f"CI: nothing passed on {', '.join(missing)}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
