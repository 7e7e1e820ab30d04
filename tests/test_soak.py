"""A bounded soak: concurrent clients doing a tracker's day for about a minute
(``TASKSTAR_SOAK_SECONDS``), then the invariants, read back through the API:

- no 5xx, and no 4xx but the two a client can cause in a shared workspace
  (404 for a task another client deleted, 412 for a stale ``If-Match``);
- task numbers unique per project;
- ``comment_count`` equal to the comments;
- one activity row per acknowledged change, no more, no less.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.api import Api, create_project, create_tag
from tests.support.deployment import Deployment
from tests.support.invariants import half_applied, read_project
from tests.support.reliability import Figures, record
from tests.support.server import Server
from tests.support.traffic import Answer, Client, Traffic, describe, statuses

pytestmark = pytest.mark.soak

SOAK_SECONDS = float(os.environ.get("TASKSTAR_SOAK_SECONDS", "60"))
CLIENTS = 8
#: What clients may be told in a shared workspace without anything being wrong.
EXPECTED_STATUSES = {200, 201, 204, 404, 412}


@dataclass
class Ledger:
    """What the server acknowledged: the activity rows each task must have, and which tasks
    were deleted. Every entry is made only after a 2xx."""

    live: list[str] = field(default_factory=list)
    unmoved: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    changes: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def created(self, task_id: str) -> None:
        with self.lock:
            self.live.append(task_id)
            self.unmoved.add(task_id)
            self.changes[task_id] += 1

    def changed(self, task_id: str) -> None:
        with self.lock:
            self.changes[task_id] += 1

    def pick(self, client: Client) -> str | None:
        with self.lock:
            return client.random.choice(self.live) if self.live else None

    def claim_unmoved(self) -> str | None:
        with self.lock:
            return self.unmoved.pop() if self.unmoved else None

    def remove(self, task_id: str) -> None:
        with self.lock:
            if task_id in self.live:
                self.live.remove(task_id)
            self.deleted.add(task_id)


@dataclass
class TrackerDay:
    """One step of one client: an operation drawn by weight, as people use a tracker (mostly
    reading, then editing, commenting and creating; moving and deleting now and then)."""

    projects: tuple[str, str]
    tag_ids: list[str]
    ledger: Ledger

    def __call__(self, client: Client) -> None:
        operations = [self.list_tasks, self.get_task, self.create, self.edit, self.comment, self.read_history,
                      self.bulk_create, self.move, self.delete]  # fmt: skip
        weights = [25, 15, 12, 15, 12, 8, 5, 4, 2]
        client.random.choices(operations, weights)[0](client)

    def list_tasks(self, client: Client) -> None:
        params: dict[str, Any] = client.random.choice(
            [{}, {"status": "todo"}, {"order_by": "priority", "sort_order": "desc"}, {"q": "task"}]
        )
        client.call("list tasks", "GET", f"/api/projects/{client.random.choice(self.projects)}/tasks", params=params)

    def get_task(self, client: Client) -> None:
        if task_id := self.ledger.pick(client):
            client.call("get task", "GET", f"/api/tasks/{task_id}")

    def create(self, client: Client) -> None:
        body = {"title": "task", "tag_ids": client.random.sample(self.tag_ids, 2), "priority": "high"}
        answer = client.call("create", "POST", f"/api/projects/{self.projects[0]}/tasks", json=body)
        if answer.acknowledged:
            self.ledger.created(answer.body["id"])

    def bulk_create(self, client: Client) -> None:
        items = [{"title": f"bulk task {index}"} for index in range(5)]
        answer = client.call(
            "bulk create", "POST", f"/api/projects/{self.projects[0]}/tasks/bulk", json={"items": items}
        )
        if answer.acknowledged:
            for task in answer.body["items"]:
                self.ledger.created(task["id"])

    def edit(self, client: Client) -> None:
        """A new title, so that every acknowledged edit is a change; half the time guarded by the
        version just read, which another client may have raised meanwhile (412)."""
        if not (task_id := self.ledger.pick(client)):
            return
        headers = {}
        if client.random.random() < 0.5:
            read = client.call("get task", "GET", f"/api/tasks/{task_id}")
            if not read.acknowledged:
                return
            headers["If-Match"] = f'"{read.body["version"]}"'
        title = f"task {client.random.getrandbits(64):x}"
        answer = client.call("edit", "PATCH", f"/api/tasks/{task_id}", json={"title": title}, headers=headers)
        if answer.acknowledged:
            self.ledger.changed(task_id)

    def comment(self, client: Client) -> None:
        if task_id := self.ledger.pick(client):
            answer = client.call("comment", "POST", f"/api/tasks/{task_id}/comments", json={"body": "looks good"})
            if answer.acknowledged:
                self.ledger.changed(task_id)

    def read_history(self, client: Client) -> None:
        if task_id := self.ledger.pick(client):
            kind = client.random.choice(["comments", "activity"])
            client.call(f"list {kind}", "GET", f"/api/tasks/{task_id}/{kind}")

    def move(self, client: Client) -> None:
        """Each task moves at most once, to the second project: a move is then always a change."""
        if task_id := self.ledger.claim_unmoved():
            answer = client.call("move", "POST", f"/api/tasks/{task_id}/move", json={"project_id": self.projects[1]})
            if answer.acknowledged:
                self.ledger.changed(task_id)

    def delete(self, client: Client) -> None:
        if task_id := self.ledger.pick(client):
            answer = client.call("delete", "DELETE", f"/api/tasks/{task_id}")
            if answer.acknowledged:
                self.ledger.remove(task_id)


def test_soak(deployment: Deployment, server: Server, api: Api) -> None:
    owner = api.register("Soak")
    workspace_id = owner.create_workspace()["id"]
    projects = (create_project(owner, workspace_id)["id"], create_project(owner, workspace_id)["id"])
    tag_ids = [create_tag(owner, workspace_id, name=f"tag {index}")["id"] for index in range(4)]
    ledger = Ledger()
    with Traffic(server.url, owner.token or "", TrackerDay(projects, tag_ids, ledger), clients=CLIENTS) as traffic:
        time.sleep(SOAK_SECONDS)
    answers = traffic.snapshot()

    unexpected = [answer for answer in answers if answer.status not in EXPECTED_STATUSES]
    assert not unexpected, f"{describe(statuses(unexpected))}: {unexpected[:3]}"
    records = {project_id: read_project(owner, project_id) for project_id in projects}
    problems = [problem for project_id in projects for problem in half_applied(records[project_id])]
    by_id = {record.task["id"]: record for project_id in projects for record in records[project_id]}
    problems += [f"deleted task {task_id} is still there" for task_id in ledger.deleted if task_id in by_id]
    for task_id, expected in ledger.changes.items():
        if task_id in ledger.deleted:
            continue
        if task_id not in by_id:
            problems.append(f"acknowledged task {task_id} is gone")
        elif len(by_id[task_id].activity or []) != expected:
            problems.append(f"{by_id[task_id].task['key']}: {len(by_id[task_id].activity or [])} activity rows "
                            f"for {expected} acknowledged changes")  # fmt: skip
    record(soak_figures(deployment, answers, len(by_id), problems))
    assert not problems, problems[:20]


def soak_figures(deployment: Deployment, answers: list[Answer], tasks: int, problems: list[str]) -> Figures:
    latencies = sorted(answer.seconds * 1000 for answer in answers)
    p99 = statistics.quantiles(latencies, n=100)[98]
    writes = sum(
        answer.operation in {"create", "bulk create", "edit", "comment", "move", "delete"} for answer in answers
    )
    return Figures(
        scenario="Soak: a tracker's day",
        target=deployment.target.id,
        injected=f"{CLIENTS} clients for {SOAK_SECONDS:g} s: reads, creates, edits (half with If-Match), comments, "
        "bulk creates, moves, deletes",
        requests=len(answers),
        client_saw=f"{describe(statuses(answers))}; {writes} writes, {len(answers) / SOAK_SECONDS:.0f} req/s, "
        f"p50 {statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms; {tasks} tasks checked",
        lost=len(problems),
        recovery_seconds=None,
        reproduce=f"python3 dev.py test -m soak -k {deployment.target.id}",
    )
