"""Shared parts of the fault suite: a server of its own per test, a write-heavy workload whose
acknowledged writes are tracked, and the check that none of them was lost or half-applied."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.api import Api, create_project
from tests.support.deployment import Deployment
from tests.support.invariants import half_applied, read_project
from tests.support.server import Server, taskstar
from tests.support.targets import ScratchDatabase, selected_targets
from tests.support.traffic import Answer, Client

#: Fault tests that need a database server to break run on every selected PostgreSQL target.
on_postgresql_targets = pytest.mark.parametrize(
    "deployment",
    [target for target in selected_targets() if target.database == "postgresql"],
    indirect=True,
    ids=lambda target: target.id,
)


@contextmanager
def running_server(deployment: Deployment, log_path: Path, **settings: str) -> Iterator[Server]:
    """``taskstar run`` on the target's database with ``settings`` (``TASKSTAR_*``) on top."""
    server = Server({**deployment.env, **settings}, log_path)
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


@contextmanager
def database_of_its_own(deployment: Deployment, directory: Path) -> Iterator[Deployment]:
    """A fresh, migrated database for a test that breaks every connection to its database, so
    that the servers of other tests on the target's database are not hit too."""
    database = ScratchDatabase.create(deployment.target.database, directory)
    env = {**deployment.env, "TASKSTAR_DATABASE_URL": database.url}
    try:
        upgrade = taskstar("database", "upgrade", "--no-prompt", env=env)
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        yield Deployment(deployment.target, env)
    finally:
        database.drop()


def owner_with_project(server: Server) -> tuple[Api, str]:
    owner = Api(httpx.Client(base_url=server.url, timeout=30)).register("Fault")
    return owner, create_project(owner, owner.create_workspace()["id"])["id"]


@dataclass
class CreateAndComment:
    """Each step creates a task, comments on a task this client created, and reads a page:
    the writes that the fault tests then look for."""

    project_id: str

    def __call__(self, client: Client) -> None:
        created = client.call("create task", "POST", f"/api/projects/{self.project_id}/tasks", json={"title": "t"})
        if created.acknowledged:
            client.call("comment", "POST", f"/api/tasks/{created.body['id']}/comments", json={"body": "c"})
        client.call("list tasks", "GET", f"/api/projects/{self.project_id}/tasks", params={"limit": 5})


def lost_writes(owner: Api, project_id: str, answers: list[Answer]) -> tuple[int, list[str]]:
    """Acknowledged creates and comments that are gone, and every task that is not whole."""
    records = read_project(owner, project_id)
    task_ids = {record.task["id"] for record in records}
    comment_ids = {comment["id"] for record in records for comment in record.comments}
    lost = [
        answer
        for answer in answers
        if answer.acknowledged
        and (
            (answer.operation == "create task" and answer.body["id"] not in task_ids)
            or (answer.operation == "comment" and answer.body["id"] not in comment_ids)
        )
    ]
    return len(lost), half_applied(records)


def seconds_until_serving(server: Server, owner: Api, project_id: str, *, limit: float) -> float:
    """From now until ``/ready`` and a write both succeed again."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        try:
            ready = httpx.get(f"{server.url}/ready", timeout=limit).status_code == 200
            if ready and owner.post(f"/api/projects/{project_id}/tasks", json={"title": "back"}).status_code == 201:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not serve again within {limit} s:\n{server.output()[-3000:]}")
