"""The event feed is gap-free in commit order, through ``taskstar run``, on every target.

Contract v1.1: "a client that polls with the ``next_after`` it got never misses an event, even one
whose transaction began earlier and committed later than events it has already read, and never
sees one twice". Eight writers work on one workspace while the server holds about a third of its
write transactions open before they commit (``tests/support/commit_delay``), and one poller reads
the feed all along; every acknowledged change must reach the poller exactly once, in order.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api import Api, create_project
from tests.support.deployment import Deployment
from tests.support.server import Server

COMMIT_DELAY = str(Path(__file__).parent / "support" / "commit_delay")
WRITERS = 8
WRITES_PER_WRITER = 12


@pytest.fixture
def delaying_server(deployment: Deployment, tmp_path: Path) -> Iterator[Server]:
    """``taskstar run`` on the target's database, holding some transactions open before commit."""
    env = {**deployment.env, "PYTHONPATH": COMMIT_DELAY, "TASKSTAR_TEST_COMMIT_DELAY": "0.25"}
    server = Server(env, tmp_path / "server.log")
    try:
        server.wait_until_healthy()
        yield server
    finally:
        server.stop()


def test_a_poller_sees_every_acknowledged_change_once_in_order_while_commits_interleave(
    delaying_server: Server,
) -> None:
    with httpx.Client(base_url=delaying_server.url, timeout=60) as http:
        owner = Api(http).register("Owner")
        ws = owner.create_workspace()["id"]
        project_id = create_project(owner, ws)["id"]
        start = owner.get(f"/api/workspaces/{ws}/events").json()["next_after"]
        polled: list[dict[str, Any]] = []
        writing = threading.Event()
        writing.set()

        def poll() -> None:
            after = start
            while True:
                still_writing = writing.is_set()
                page = owner.get(f"/api/workspaces/{ws}/events", params={"after": after, "limit": 100}).json()
                polled.extend(page["items"])
                after = page["next_after"]
                if not page["items"]:
                    if not still_writing:  # a read that began after the last acknowledgement: drained
                        return
                    time.sleep(0.01)

        def write(writer: int) -> list[tuple[str, str]]:
            """Creates and PATCHes; returns (kind, task id) of each acknowledged change."""
            done = []
            for step in range(WRITES_PER_WRITER):
                if step % 3 == 2:
                    task_id = done[-1][1]
                    response = owner.patch(f"/api/tasks/{task_id}", json={"title": f"w{writer} s{step}"})
                    assert response.status_code == 200, response.text
                    done.append(("task.updated", task_id))
                else:
                    response = owner.post(f"/api/projects/{project_id}/tasks", json={"title": f"w{writer} s{step}"})
                    assert response.status_code == 201, response.text
                    done.append(("task.created", response.json()["id"]))
            return done

        poller = threading.Thread(target=poll)
        poller.start()
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            acknowledged = [change for changes in pool.map(write, range(WRITERS)) for change in changes]
        writing.clear()
        poller.join(timeout=60)
        assert not poller.is_alive()

    sequences = [event["sequence"] for event in polled]
    assert sequences == list(range(start + 1, start + 1 + len(acknowledged))), "a gap, a repeat or a reorder"
    assert sorted((event["kind"], event["subject_id"]) for event in polled) == sorted(acknowledged)
