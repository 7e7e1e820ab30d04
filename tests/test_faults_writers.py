"""Many concurrent writers on one project, with the server's default settings.

SQLite runs one writer at a time: the writers must queue (busy timeout, IMMEDIATE
transactions), never reach a client as ``database is locked`` or any 5xx, and every
acknowledged write must be there, whole. PostgreSQL runs the same load for comparison.
"""

from __future__ import annotations

import time

import pytest

from tests.support.api import Api, create_project
from tests.support.deployment import Deployment
from tests.support.faults import CreateAndComment, lost_writes
from tests.support.reliability import Figures, record
from tests.support.server import Server
from tests.support.traffic import Traffic, describe, statuses

pytestmark = pytest.mark.fault

WRITERS = 32
SECONDS = 4


def test_many_concurrent_writers_queue_instead_of_failing(deployment: Deployment, server: Server, api: Api) -> None:
    owner = api.register("Writer")
    project_id = create_project(owner, owner.create_workspace()["id"])["id"]
    with Traffic(server.url, owner.token or "", CreateAndComment(project_id), clients=WRITERS) as traffic:
        time.sleep(SECONDS)
    answers = traffic.snapshot()

    refused = [answer for answer in answers if not answer.acknowledged]
    assert not refused, f"{describe(statuses(refused))}: {refused[:3]}"
    lost, half = lost_writes(owner, project_id, answers)
    assert lost == 0 and not half, (lost, half)
    writes = sum(answer.operation != "list tasks" for answer in answers)
    slowest = max(answer.seconds for answer in answers)
    record(
        Figures(
            scenario="Concurrent writers",
            target=deployment.target.id,
            injected=f"{WRITERS} clients creating and commenting on tasks of one project for {SECONDS} s "
            "(default settings)",
            requests=len(answers),
            client_saw=f"{describe(statuses(answers))} ({writes} writes; slowest answer {slowest:.1f} s)",
            lost=lost + len(half),
            recovery_seconds=None,
            reproduce=f"python3 dev.py test -k 'concurrent_writers_queue and {deployment.target.id}'",
        )
    )
