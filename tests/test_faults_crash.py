"""The server killed with SIGKILL in the middle of bulk creates and moves, three times over.

After each restart every operation must be wholly present or wholly absent: a bulk
create has all its tasks or none, a moved task sits in exactly one project with a
fresh number there and one ``moved`` activity row, and whatever was acknowledged is there.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.support.api import Api, create_project
from tests.support.deployment import Deployment
from tests.support.invariants import every_item, half_applied, read_project
from tests.support.reliability import Figures, record
from tests.support.server import Server
from tests.support.traffic import Answer, Client, Traffic, describe, statuses

pytestmark = pytest.mark.fault

BULK_SIZE = 50
MOVABLE_TASKS = 150
#: How long the load runs before each kill: varied, so the kills land at different points.
KILL_AFTER_SECONDS = (0.6, 1.0, 1.4)
CLIENTS = 4


@dataclass
class BulkCreatesAndMoves:
    """Half the steps bulk-create a batch of tasks whose titles carry a fresh marker; the other
    half move one task, never moved before, from the source project to the destination."""

    source: str
    destination: str
    movable: list[str]
    batches: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, client: Client) -> None:
        if client.random.random() < 0.5:
            marker = f"batch-{uuid.uuid4().hex}"
            with self._lock:
                self.batches.append(marker)
            items = [{"title": f"{marker} {index}"} for index in range(BULK_SIZE)]
            client.call(marker, "POST", f"/api/projects/{self.source}/tasks/bulk", json={"items": items})
            return
        with self._lock:
            if not self.movable:
                return
            task_id = self.movable.pop()
            self.moved.append(task_id)
        client.call(f"move {task_id}", "POST", f"/api/tasks/{task_id}/move", json={"project_id": self.destination})


def killed_mid_load(
    deployment: Deployment, log: Path, token: str, workload: BulkCreatesAndMoves, after: float
) -> tuple[list[Answer], float]:
    """Start the server, load it for ``after`` seconds, SIGKILL it: the answers, and its start-up time."""
    started = time.monotonic()
    server = Server(deployment.env, log)
    server.wait_until_healthy()
    startup = time.monotonic() - started
    traffic = Traffic(server.url, token, workload, clients=CLIENTS)
    with traffic:
        time.sleep(after)
        traffic.halt()  # the calls in flight are the ones the kill cuts short
        server.process.kill()
        server.process.wait(10)
    server.stop()
    return traffic.snapshot(), startup


def test_sigkill_mid_bulk_creates_and_moves_leaves_each_wholly_present_or_absent(
    deployment: Deployment, tmp_path: Path
) -> None:
    setup = Server(deployment.env, tmp_path / "setup.log")
    try:
        setup.wait_until_healthy()
        owner = Api(httpx.Client(base_url=setup.url, timeout=30)).register("Crash")
        workspace_id = owner.create_workspace()["id"]
        source, destination = (create_project(owner, workspace_id)["id"] for _ in range(2))
        for _ in range(MOVABLE_TASKS // BULK_SIZE):
            bulk = owner.post(f"/api/projects/{source}/tasks/bulk", json={"items": [{"title": "movable"}] * BULK_SIZE})
            assert bulk.status_code == 201, bulk.text
        movable = [task["id"] for task in every_item(owner, f"/api/projects/{source}/tasks")]
    finally:
        setup.stop()

    workload = BulkCreatesAndMoves(source, destination, movable)
    answers: list[Answer] = []
    startups = []
    for round_number, after in enumerate(KILL_AFTER_SECONDS):
        round_answers, startup = killed_mid_load(
            deployment, tmp_path / f"round-{round_number}.log", owner.token or "", workload, after
        )
        answers += round_answers
        startups.append(startup)

    with_restart = Server(deployment.env, tmp_path / "after.log")
    try:
        with_restart.wait_until_healthy()
        owner.http = httpx.Client(base_url=with_restart.url, timeout=30)
        problems = wholeness_problems(owner, workload, answers, source, destination)
        # The sequence goes on where the last committed number left it, in both projects.
        for project_id in (source, destination):
            highest = max(task["number"] for task in every_item(owner, f"/api/projects/{project_id}/tasks"))
            created = owner.post(f"/api/projects/{project_id}/tasks", json={"title": "after the crashes"})
            assert created.status_code == 201 and created.json()["number"] == highest + 1, created.text
    finally:
        with_restart.stop()

    acknowledged = sum(answer.acknowledged for answer in answers)
    assert acknowledged > 0 and statuses(answers)["no answer"] > 0, describe(statuses(answers))
    assert not problems, problems
    record(
        Figures(
            scenario="SIGKILL mid bulk creates and moves",
            target=deployment.target.id,
            injected=f"kill -9 of `taskstar run` after {', '.join(f'{s:g}' for s in KILL_AFTER_SECONDS)} s of "
            f"{CLIENTS} clients bulk-creating {BULK_SIZE} tasks or moving one; restarted each time",
            requests=len(answers),
            client_saw=describe(statuses(answers)),
            lost=len(problems),
            recovery_seconds=max(startups),
            reproduce=f"python3 dev.py test -k 'sigkill and {deployment.target.id}'",
        )
    )


def wholeness_problems(
    owner: Api, workload: BulkCreatesAndMoves, answers: list[Answer], source: str, destination: str
) -> list[str]:
    problems = []
    acknowledged = {answer.operation for answer in answers if answer.acknowledged}
    for marker in workload.batches:
        found = owner.get(f"/api/projects/{source}/tasks", params={"q": marker, "limit": 1}).json()["total"]
        if found not in (0, BULK_SIZE) or (marker in acknowledged and found != BULK_SIZE):
            problems.append(f"bulk {marker}: {found} of {BULK_SIZE} tasks (acknowledged: {marker in acknowledged})")
    for task_id in workload.moved:
        task = owner.get(f"/api/tasks/{task_id}").json()
        moved_rows = sum(row["kind"] == "moved" for row in every_item(owner, f"/api/tasks/{task_id}/activity"))
        in_destination = task["project_id"] == destination
        if moved_rows != int(in_destination) or (f"move {task_id}" in acknowledged and not in_destination):
            problems.append(f"move of {task['key']}: in destination {in_destination}, {moved_rows} 'moved' rows")
    for project_id in (source, destination):
        problems += half_applied(read_project(owner, project_id, with_history=False))
    return problems
